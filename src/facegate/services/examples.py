"""Load the example deployments shipped in examples/ (what `make run` starts with)."""

from __future__ import annotations

from dataclasses import dataclass

from facegate.errors import ManifestInvalid
from facegate.services.context import ServiceContext
from facegate.services.deployments import apply_manifest_text

DEMO_ACTOR = "examples"  # applied_by of the example manifests `make run` loads


@dataclass(frozen=True)
class Loaded:
    source: str
    deployment_id: str | None
    status: str  # active, blocked, or invalid


def load_manifests(ctx: ServiceContext, texts: list[tuple[str, str]]) -> list[Loaded]:
    """Apply each (source, text); invalid ones are reported, never half-applied."""
    out: list[Loaded] = []
    for source, text in texts:
        try:
            # "examples" marks them as demo deployments: the console keeps them apart (issue 16 item 9).
            r = apply_manifest_text(ctx, text, source, actor=DEMO_ACTOR)
        except ManifestInvalid:
            out.append(Loaded(source, None, "invalid"))
            continue
        out.append(Loaded(source, r.deployment.id, r.deployment.status.value))
    return out
