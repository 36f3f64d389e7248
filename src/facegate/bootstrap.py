"""The composition root: the one place that reads settings and picks adapters."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes

from facegate.adapters.face.dlib import DlibFaceEngine
from facegate.adapters.keys.envelope import EnvelopeKeyProvider, FileKeyring
from facegate.adapters.sql.engine import make_engine, upgrade
from facegate.adapters.sql.store import SqlStore
from facegate.clock import SystemClock
from facegate.domain.audit import HashFn
from facegate.errors import ConfigurationError
from facegate.ports import Clock, FaceEngine, FaceOptions
from facegate.services.context import ServiceContext
from facegate.services.gallery import MemoryGallery
from facegate.settings import Settings


def record_hash_fn(name: str) -> HashFn:
    if name == "sm3":
        def sm3(data: bytes) -> bytes:
            h = hashes.Hash(hashes.SM3())
            h.update(data)
            return h.finalize()
        return sm3
    return lambda data: hashlib.sha256(data).digest()


@lru_cache(maxsize=4)
def face_engine(kind: str, models_dir: str) -> FaceEngine:
    """Engines load model files once per process; cached by kind and cache folder."""
    if kind in ("auto", "onnx"):
        try:
            from facegate.adapters.face.resnet_onnx import OnnxDescriber
        except ImportError:
            if kind == "onnx":
                raise ConfigurationError("engine_unavailable", "The ONNX engine is not installed.") from None
        else:
            return DlibFaceEngine(OnnxDescriber.from_cache(Path(models_dir)))
    return DlibFaceEngine()


@dataclass
class AppContext:
    """Everything the interfaces need: the services' context plus where things live."""

    settings: Settings
    services: ServiceContext
    store: SqlStore
    keyring: FileKeyring
    extras: dict[str, object] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"AppContext(data_dir={str(self.settings.data_dir)!r})"

    def close(self) -> None:
        self.store.dispose()


def prepare_data_dir(settings: Settings) -> None:
    """Create the data directory and keys on first start (keys 0600, directory 0700)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.data_dir, 0o700)
    FileKeyring(settings.keys_dir).ensure()


def build_context(settings: Settings, *, clock: Clock | None = None, engine: FaceEngine | None = None) -> AppContext:
    prepare_data_dir(settings)
    hash_fn = record_hash_fn(settings.record_hash)
    db = make_engine(settings.db_url)
    upgrade(db)
    reads = make_engine(settings.db_url, for_reads=True) if settings.db_url.startswith("sqlite") else db
    store = SqlStore(db, hash_fn, reads)
    keyring = FileKeyring(settings.keys_dir)
    keys = EnvelopeKeyProvider(keyring, settings.cipher)
    face = engine or face_engine(settings.engine, str(settings.data_dir / "models"))
    services = ServiceContext(
        store=store, engine=face, keys=keys, clock=clock or SystemClock(),
        gallery=MemoryGallery(store, keys, face.dimension), threshold=settings.match_threshold,
        face_options=FaceOptions(min_face_px=settings.min_face_px),
    )
    return AppContext(settings, services, store, keyring)
