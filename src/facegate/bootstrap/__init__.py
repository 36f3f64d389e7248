"""The composition root: the one place that reads settings and picks adapters."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING
from pathlib import Path
from urllib.parse import urlsplit

from facegate.adapters.calendar_cn import calendar_for, load_supplement
from facegate.adapters.counters import MemoryCounters, RedisCounters
from facegate.adapters.scan_kernels import KernelPlan, choose as choose_scan_kernel
from facegate.adapters.face.calibrations import shipped_calibration
from facegate.adapters.keys import api_keys
from facegate.adapters.sql.liveness_store import SqlChallengeStore
from facegate.adapters.keys.hashing import hash_fn
from facegate.adapters.keys.signing import CheckpointSigner, CheckpointVerifier, key_id_of
from facegate.adapters.keys.envelope import EnvelopeKeyProvider, FileKeyring
from facegate.adapters.sql.engine import make_engine, upgrade
from facegate.adapters.sql.store import SqlStore
from facegate.clock import SystemClock
from facegate.domain.audit import HashFn
from facegate.domain.liveness import LivenessRules
from facegate.errors import ConfigurationError
from facegate.ports import ChallengeStore, Clock, FaceEngine, FaceOptions, SpoofDetector
from facegate.services.context import ServiceContext
from facegate.services.engines import engine_id
from facegate.domain.intrusion import IntrusionDefence, IntrusionPolicy
from facegate.services.context import Gallery
from facegate.services.gallery import MemoryGallery, VectorIndex
from facegate.services.gallery_sync import SharedGallery
from facegate.services.key_cache import KeyCache
from facegate.services.security import DefenceGuard
from facegate.services.purge import PurgeSchedule
from facegate.settings import Settings
from facegate.bootstrap.engines import engine_of, face_engine, legacy_engines, match_threshold

if TYPE_CHECKING:
    from facegate.domain.model import Deployment
    from facegate.ports import UnitOfWork
    from facegate.services.person import PersonDeps
    from facegate.services.workbench.deps import WorkbenchDeps


def record_hash_fn(name: str) -> HashFn:
    return hash_fn(name)


class ApiKeyCodec:
    """SecretCodec for the services: token generation and constant-time hash comparison."""

    def generate(self) -> tuple[str, str]:
        return api_keys.generate_api_key()

    def hash(self, secret: str) -> str:
        return api_keys.hash_secret(secret)

    def matches(self, secret: str, stored_hash: str) -> bool:
        return api_keys.secret_matches(secret, stored_hash)


class RecordAuditor:
    """Auditor for the services: the chain's hash and every checkpoint key ever used here."""

    def __init__(self, algorithm: str, signer: CheckpointSigner, keys_dir: Path) -> None:
        self.algorithm = algorithm
        self._hash = hash_fn(algorithm)
        self._signer = signer
        self._keys_dir = keys_dir

    def __repr__(self) -> str:
        return f"RecordAuditor({self.algorithm!r})"

    def hash(self, data: bytes) -> bytes:
        return self._hash(data)

    def public_keys(self) -> dict[str, str]:
        pems = [self._signer.public_key_pem()]
        pems += [p.read_text() for p in sorted(self._keys_dir.glob("checkpoint-retired-*.pub.pem"))]
        return {key_id_of(pem): pem for pem in pems}

    def verify_signature(self, data: bytes, sig: bytes, key_id: str) -> bool:
        return CheckpointVerifier(self.public_keys())(data, sig, key_id)


@dataclass
class AppContext:
    """Everything the interfaces need, built once by :func:`build_context`: the services' context, the
    workbench's and the person side's dependencies, and what a node runs beside requests."""

    settings: Settings
    services: ServiceContext
    store: SqlStore
    keyring: FileKeyring
    defence: IntrusionDefence
    shared_gallery: SharedGallery | None = None  # with Redis: the gallery kept in step over the change feed
    purge: PurgeSchedule | None = None  # built here, started by node.start_schedules (M-8.5)

    def __repr__(self) -> str:
        return f"AppContext(data_dir={str(self.settings.data_dir)!r})"

    # The workbench and the person side load their modules (governance models, renderers) on first
    # use, not at start (issue 14); built here all the same, and a test may assign its own.
    @cached_property
    def workbench(self) -> WorkbenchDeps:
        return workbench_deps(self.settings, self.store.hash_fn)

    @cached_property
    def person(self) -> PersonDeps:
        from facegate.services.person import PersonDeps

        # Answers are due in the same working days as the workbench's (PIPL Art. 50); its renderers are
        # not needed for that, so the calendar alone is read when the workbench is not built yet.
        calendar = self.__dict__["workbench"].calendar if "workbench" in self.__dict__ else (
            calendar_for(self.settings.data_dir)[0])
        return PersonDeps(calendar)

    def close(self) -> None:
        if self.purge is not None:
            self.purge.stop()
        if self.shared_gallery is not None:  # stops its catch-up thread and the feed
            self.shared_gallery.close()
        self.store.dispose()


def spoof_detector(settings: Settings) -> SpoofDetector | None:
    """The operator's anti-spoofing model, if configured; its checksum is checked before it loads."""
    if settings.spoof_model_path is None:
        return None
    if not settings.spoof_model_sha256:
        raise ConfigurationError("spoof_model_checksum", "FACEGATE_SPOOF_MODEL_SHA256 is required with the model.",
                                 "配置防伪模型时须同时提供其 SHA-256。")
    from facegate.adapters.face.spoof_onnx import OnnxSpoofDetector

    return OnnxSpoofDetector(settings.spoof_model_path, settings.spoof_model_sha256, settings.spoof_threshold)


def prepare_data_dir(settings: Settings) -> None:
    """Create the data directory and keys on first start (keys 0600, directory 0700)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.data_dir, 0o700)
    FileKeyring(settings.keys_dir).ensure()


_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def refuse_unsafe(settings: Settings) -> None:
    """In ``prod``, refuse to start on defaults that only make sense on a developer's machine."""
    if settings.env != "prod":
        return
    problems: list[tuple[str, str]] = []
    host = urlsplit(settings.public_base_url).hostname or ""
    if "public_base_url" not in settings.model_fields_set or host in _LOOPBACK:
        # Signs, notices and receipts carry this address to people (M-13.2, M-5.6): it must be reachable.
        problems.append(("FACEGATE_PUBLIC_BASE_URL must be set to the address people reach this service at",
                         "必须将FACEGATE_PUBLIC_BASE_URL设为公众访问本服务的地址"))
    if problems:
        raise ConfigurationError(
            "unsafe_production_config", "Refusing to start in prod: " + "; ".join(en for en, _ in problems) + ".",
            "生产模式拒绝启动：" + "；".join(zh for _, zh in problems) + "。",
            detail={"errors": [en for en, _ in problems]})


def check_calendar_file(data_dir: Path) -> None:
    """A malformed ``calendar.yaml`` stops the node at start with the file and problem named (M-15.3):
    filing deadlines computed on a half-read holiday table would be wrong without anyone noticing."""
    path = data_dir / "calendar.yaml"
    if path.is_file():
        load_supplement(path)


def assessment_grace(settings: Settings) -> timedelta:
    """M-9.5: how long an outdated assessment may stand before face operations stop; the gate and the
    console both read it here (domain.reassessment bounds it)."""
    return timedelta(days=settings.assessment_grace_days)


@lru_cache(maxsize=4)
def _workbench_hooks(grace: timedelta) -> tuple[Callable[[UnitOfWork, str, datetime], None],
                                                 Callable[[UnitOfWork, Deployment, datetime], bool]]:
    """The gate's hooks into the workbench (M-15.2 count, M-9.5 assessment), built on first use: the
    workbench and the governance models behind it load with the first face operation, not at start."""
    from facegate.services.workbench.assessment import assessment_gate
    from facegate.services.workbench.filing import count_at_write

    return count_at_write(), assessment_gate(grace)


def gallery_index(dimension: int, settings: Settings, plan: KernelPlan) -> VectorIndex:
    """One gallery's index; numpy and the index load with the first gallery a node reads, so commands
    that never touch a face start without them (issue 14)."""
    from facegate.adapters.index import GalleryIndex

    return GalleryIndex(dimension, approximate_above=settings.approximate_above,
                        probe_factor=settings.ivf_probe_factor, plan=plan)


def _redis_challenges(url: str) -> ChallengeStore:
    from facegate.adapters.liveness_redis import RedisChallengeStore

    return RedisChallengeStore(url)


def build_context(settings: Settings, *, clock: Clock | None = None, engine: FaceEngine | None = None) -> AppContext:
    refuse_unsafe(settings)
    prepare_data_dir(settings)
    check_calendar_file(settings.data_dir)
    db = make_engine(settings.db_url)
    upgrade(db)
    reads = make_engine(settings.db_url, for_reads=True) if settings.db_url.startswith("sqlite") else db
    signer = CheckpointSigner(settings.keys_dir)
    store = SqlStore(db, hash_fn(settings.record_hash), reads, signer)
    keyring = FileKeyring(settings.keys_dir)
    keys = EnvelopeKeyProvider(keyring, settings.cipher)
    face = engine or engine_of(settings, settings.engine)
    kept = legacy_engines(settings, face)
    the_clock = clock or SystemClock()
    # Counters shared through Redis when several nodes run; in process otherwise (M-14.5).
    counters = RedisCounters(settings.redis_url) if settings.redis_url else MemoryCounters()
    scan_plan = choose_scan_kernel(override=settings.scan_kernel)
    logging.getLogger("facegate.index").info("%s", scan_plan.describe())
    local_gallery = MemoryGallery(store, keys, face.dimension, lambda dim: gallery_index(dim, settings, scan_plan),
                                  engines={engine_id(e).key: e.dimension for e in (face, *kept)})
    feed = None
    if settings.redis_url:  # several nodes: imported only then, so one node never loads the Redis client
        from facegate.adapters.feed import RedisChangeFeed

        feed = RedisChangeFeed(settings.redis_url)
    gallery: Gallery = SharedGallery(local_gallery, feed, store) if feed else local_gallery
    defence = IntrusionDefence(counters, IntrusionPolicy(), the_clock)
    grace = assessment_grace(settings)
    key_cache = KeyCache(settings.key_cache_ttl_s)
    if isinstance(gallery, SharedGallery):  # a key changed here is dropped on every node when the feed rings
        key_cache.on_drop(gallery.ring_keys_changed)
        gallery.on_keys_changed(lambda key_id: key_cache.drop(key_id, ring=False))
    services = ServiceContext(
        store=store, engine=face, keys=keys, clock=the_clock,
        gallery=gallery, threshold=match_threshold(settings, face),
        legacy_engines=kept, legacy_calibrations={engine_id(e).key: c for e in kept
                                                  if (c := shipped_calibration(e.name, e.version)) is not None},
        face_options=FaceOptions(min_face_px=settings.min_face_px), guard=DefenceGuard(defence, store),
        secrets=ApiKeyCodec(), auditor=RecordAuditor(settings.record_hash, signer, settings.keys_dir),
        challenges=_redis_challenges(settings.redis_url) if settings.redis_url else SqlChallengeStore(db),
        liveness_rules=LivenessRules(ttl_s=settings.liveness_ttl_s), spoof_detector=spoof_detector(settings),
        calibration=shipped_calibration(face.name, engine_id(face).version),
        identify_target_fpir=settings.identify_target_fpir, identify_margin=settings.identify_margin,
        identify_max_miss=settings.identify_max_miss, key_cache=key_cache,
        people_stored=lambda tx, processor_id, now: _workbench_hooks(grace)[0](tx, processor_id, now),
        assessment_check=lambda tx, d, now: _workbench_hooks(grace)[1](tx, d, now),
    )
    return AppContext(
        settings, services, store, keyring, defence,
        shared_gallery=gallery if isinstance(gallery, SharedGallery) else None,
        purge=PurgeSchedule(services, settings.purge_interval_s) if settings.purge_interval_s > 0 else None,
    )


def workbench_deps(settings: Settings, hash_fn: HashFn) -> WorkbenchDeps:
    """The workbench's calendar (with ``<data_dir>/calendar.yaml``), renderers and policy."""
    from facegate.adapters.renderer import DocumentRenderer
    from facegate.services.workbench.deps import WorkbenchDeps

    calendar, note, problem = calendar_for(settings.data_dir)
    return WorkbenchDeps(calendar=calendar, renderer=DocumentRenderer(), hash_fn=hash_fn,
                         public_base_url=settings.public_base_url, grace=assessment_grace(settings),
                         calendar_note=note, calendar_error=problem)
