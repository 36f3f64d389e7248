"""Configuration: one pydantic-settings model, environment prefix FACEGATE_."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All knobs in one place; built by the entry points, never at import time."""

    model_config = SettingsConfigDict(env_prefix="FACEGATE_", extra="ignore")

    env: Literal["dev", "test", "prod"] = Field(
        "dev", description="`prod` refuses unsafe defaults at start, loads no examples and writes the first "
        "admin key to a 0600 file instead of the terminal.")
    data_dir: Path = Field(Path("var"), description="SQLite database, key files (0600) and model cache.")
    database_url: str | None = Field(  # default: SQLite file in data_dir (on the device, M-8.1)
        None, description="SQLAlchemy URL; `postgresql+psycopg://…` for several nodes. Default: SQLite in "
        "the data directory (on the device, M-8.1).")
    redis_url: str | None = Field(None, description="Redis for shared rate limits and the gallery change feed "
                                  "between nodes (M-14.5).")
    cipher: Literal["AES-256-GCM", "SM4-GCM"] = Field("AES-256-GCM", description="Template encryption (M-14.1).")
    record_hash: Literal["sha256", "sm3"] = Field("sha256", description="Hash of the processing record's chain.")
    engine: Literal["auto", "dlib", "onnx", "insightface"] = Field(
        "auto", description="Face engine that enrols: dlib's ResNet on ONNX Runtime (`onnx`, what `auto` picks) or "
        "on dlib, or the operator's InsightFace-layout ONNX models (`insightface`, docs/engines.md).")
    legacy_engine: Literal["none", "auto", "dlib", "onnx", "insightface"] = Field(
        "none", description="During a planned engine switch: the previous engine, kept only to match the templates "
        "it made until they are replaced or expire (`facegate engines` shows the progress; docs/engines.md).")
    match_threshold: float | None = Field(None, gt=0.0, lt=2.0, description="1:1 threshold in the engine's own "
                                          "scale: Euclidean distance for dlib (default 0.6, a match at or below), "
                                          "cosine similarity for InsightFace (default 0.40, a match at or above).")
    insightface_detector: Path | None = Field(None, description="SCRFD-style detector ONNX file (e.g. "
                                              "`det_10g.onnx`); required by the `insightface` engine.")
    insightface_detector_sha256: str | None = Field(None, description="SHA-256 of the detector file; a file that "
                                                    "does not match stops the service at start.")
    insightface_recognizer: Path | None = Field(None, description="ArcFace-style 112x112 recogniser ONNX file "
                                                "(e.g. `w600k_r50.onnx`); required by the `insightface` engine.")
    insightface_recognizer_sha256: str | None = Field(None, description="SHA-256 of the recogniser file; its "
                                                      "first 16 hex digits are the engine version templates carry.")
    identify_target_fpir: float = Field(0.01, gt=0.0, lt=1.0, description="Open-set 1:N: the threshold is "
                                        "chosen per gallery size from the engine's calibration so that strangers "
                                        "get a candidate at most this often (docs/calibration.md, M-4.2, M-4.4).")
    identify_margin: float = Field(0.02, ge=0.0, lt=1.0, description="1:N names the best person only when the "
                                   "next person is at least this much farther (distance).")
    identify_max_miss: float = Field(0.10, gt=0.0, le=1.0, description="Above this expected miss rate a 1:N "
                                     "gate is not usable (finding FGR-04-01).")
    min_face_px: int = Field(60, ge=20, description="Smaller faces are refused as `face_too_small`.")
    approximate_above: int = Field(1_000_000, ge=1000, description="Galleries larger than this also get an "
                                   "IVF index (exact search below).")
    scan_kernel: Literal["auto", "columns", "rows"] = Field(
        "auto", description="Exact 1:N int8 scan kernel: auto picks by CPU features at start "
        "(adapters/scan_kernels.py); columns or rows force one.")
    # IVF lists probed per query = factor * sqrt(lists): recall against speed (docs/benchmarks.md).
    ivf_probe_factor: float = Field(12.0, gt=0.0, description="IVF lists probed per query = factor × "
                                    "sqrt(lists): recall against speed.")
    max_image_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="Largest image accepted, in bytes.")
    max_image_pixels: int = Field(25_000_000, ge=10_000, description="Largest decoded image, in pixels "
                                  "(decompression bombs).")
    examples_dir: Path | None = Field(Path("examples"), description="Example manifests `facegate serve` loads "
                                      "in dev or with `--examples`.")
    host: str = Field("127.0.0.1", description="Address `facegate serve` listens on (`--host`).")
    port: int = Field(8000, ge=1, le=65535, description="Port `facegate serve` listens on (`--port`).")
    public_base_url: str = Field("http://127.0.0.1:8000", description="Where people reach this service: "
                                 "printed on signs and receipts. Required in prod.")
    kiosk_idle_seconds: int = Field(60, ge=3, le=3600, description="Seconds without a touch after which a "
                                    "kiosk screen clears everything for the next person, with a visible "
                                    "countdown (issue 16).")
    trusted_proxies: str = Field("", description="Comma-separated addresses or networks of reverse proxies "
                                 "whose `X-Forwarded-For` is believed (e.g. `10.0.0.5,10.1.0.0/16`). Empty: none, "
                                 "the peer address counts (per-address limits, M-14.5).")
    bootstrap_admin_key: bool = Field(True, description="Create a first admin key when none exists.")
    purge_interval_s: int = Field(300, ge=0, description="Seconds between retention purges on every node "
                                  "(M-8.5); 0 turns it off.")
    spoof_model_path: Path | None = Field(None, description="An operator-supplied passive anti-spoofing ONNX "
                                          "model run on passed liveness checks (docs/liveness.md).")
    spoof_model_sha256: str | None = Field(None, description="SHA-256 of that model file; required with it.")
    spoof_threshold: float = Field(0.5, ge=0.0, le=1.0, description="Attack scores at or above it refuse "
                                   "as `liveness_spoof_suspected`.")
    key_cache_ttl_s: float = Field(1.0, ge=0.0, le=5.0, description="Seconds a checked API key is reused "
                                   "without reading the store; a key revoked on this node stops at once, on "
                                   "other nodes when the change feed rings, and within this time in any case "
                                   "(M-14.4). 0 reads the key on every request.")
    liveness_ttl_s: int = Field(30, ge=3, le=600, description="Seconds a liveness challenge stays valid "
                                "(docs/liveness.md).")
    assessment_grace_days: int = Field(30, ge=0, le=30, description="Days an outdated PIA (purpose or "
                                       "method changed, or a major incident) still allows face operations, "
                                       "enrolment and verification alike; at most 30 (M-9.5).")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        import ipaddress

        for part in filter(None, (p.strip() for p in value.split(","))):
            ipaddress.ip_network(part, strict=False)  # ValueError names the bad entry
        return value

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


def markdown_table() -> str:
    """docs/settings.md: every FACEGATE_* variable, generated from the model above (`make docs`)."""
    rows = ["# Settings", "", "Generated from `src/facegate/settings.py` by `make docs`. Every setting is an "
            "environment variable.", "", "| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "(none)" if default is None else f"`{default}`"
        rows.append(f"| `FACEGATE_{name.upper()}` | {shown} | {field.description or ''} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
