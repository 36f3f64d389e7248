"""Configuration: one pydantic-settings model, environment prefix FACEGATE_."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All knobs in one place; built by the entry points, never at import time."""

    model_config = SettingsConfigDict(env_prefix="FACEGATE_", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Path("var")
    database_url: str | None = None  # default: SQLite file in data_dir (on the device, M-8.1)
    redis_url: str | None = None
    cipher: Literal["AES-256-GCM", "SM4-GCM"] = "AES-256-GCM"
    record_hash: Literal["sha256", "sm3"] = "sha256"
    engine: Literal["auto", "dlib", "onnx"] = "auto"
    match_threshold: float = Field(0.6, gt=0.0, lt=2.0)  # Euclidean; see docs/benchmarks.md
    min_face_px: int = Field(60, ge=20)
    approximate_above: int = Field(1_000_000, ge=1000)  # larger galleries add an IVF index (exact below)
    # IVF lists probed per query = factor * sqrt(lists): recall against speed (docs/benchmarks.md).
    ivf_probe_factor: float = Field(10.0, gt=0.0)
    max_image_bytes: int = Field(20 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(25_000_000, ge=10_000)
    examples_dir: Path | None = Path("examples")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    bootstrap_admin_key: bool = True  # print a first admin key when none exists
    purge_interval_s: int = Field(300, ge=0)  # retention purge schedule; 0 turns it off
    liveness_ttl_s: int = Field(30, ge=3, le=600)  # life of a liveness challenge (docs/liveness.md)
    assessment_grace_days: int = Field(30, ge=0)  # then an outdated PIA refuses new enrollments (M-9.5)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'facegate.db'}"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def __repr__(self) -> str:
        return f"Settings(env={self.env!r}, data_dir={str(self.data_dir)!r})"
