"""After enrolling, no plaintext template, image bytes or key material is in the database files (M-14.1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from facegate.bootstrap import AppContext, build_context
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll, verify
from tests.conftest import install_deployment, make_settings

P = "identity_verification"


def _windows(blob: bytes, size: int = 16, step: int = 64) -> list[bytes]:
    return [blob[i:i + size] for i in range(0, len(blob) - size, step)]


def _all_bytes(folder: Path, skip: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file() and skip not in p.parents)


def test_database_holds_no_plaintext(tmp_path: Path, real_engine, clock, face_images) -> None:  # type: ignore[no-untyped-def]
    ctx: AppContext = build_context(make_settings(tmp_path), clock=clock, engine=real_engine)
    d = install_deployment(ctx)
    give_consent(ctx.services, ConsentRequest(d.id, "guest-1", P, d.notice_version, age_attested_by="desk"))
    assert enroll(ctx.services, d.id, "guest-1", P, face_images["obama.jpg"]).decision.allowed
    assert verify(ctx.services, d.id, "guest-1", P, face_images["obama2.jpg"]).is_match
    vector = real_engine.embed(face_images["obama.jpg"]).vector.astype(np.float32).tobytes()
    data_dir = ctx.settings.data_dir
    keys_dir = ctx.settings.keys_dir
    kek = (keys_dir / f"{ctx.keyring.current_id()}.key").read_bytes()
    ctx.close()

    stored = _all_bytes(data_dir, keys_dir)
    assert len(stored) > 10_000  # the database is really there
    assert not any(w in stored for w in _windows(vector)), "plaintext template bytes at rest"
    for name in ("obama.jpg", "obama2.jpg"):
        assert not any(w in stored for w in _windows(face_images[name][1000:], 32, 4096)), "image bytes at rest"
    assert kek not in stored and kek[:16] not in stored, "key material outside the key directory"
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in keys_dir.glob("*.key"))
    assert not any(p.suffix.lower() in (".jpg", ".jpeg", ".png") for p in data_dir.rglob("*"))
