"""From a manifest to the domain values the gate runs on (Deployment, Processor)."""

from __future__ import annotations

from facegate.domain.model import Alternative, Deployment, DeploymentStatus, Processor
from facegate.governance.canonical import content_hash
from facegate.governance.manifest import Manifest
from facegate.governance.notice import build_notice
from facegate.governance.vocab import LegalBasisType


def scope_hash(m: Manifest) -> str:
    """Hash of what consent is given to: purposes, method and face data types.

    Only these void existing consents when they change (M-6.4, PIPL Art. 14 para 2);
    rewording the notice or adding an alternative does not.
    """
    return content_hash({
        "purposes": sorted(m.purpose_codes),
        "method": {"mode": m.method.mode.value, "locality": m.method.locality.value},
        "face_data_types": sorted(t.value for t in m.face_data_types),
    })


def notice_version(m: Manifest) -> str:
    return build_notice(m).version


def to_deployment(m: Manifest, *, status: DeploymentStatus, version: int) -> Deployment:
    """The Deployment the gate sees; ``manifest`` keeps the full JSON for reports."""
    return Deployment(
        id=m.id,
        processor_id=m.processor_id,
        name=m.name.en,
        name_zh=m.name.zh,
        purposes=m.purpose_codes,
        mode=m.method.mode,
        alternatives=tuple(Alternative(a.code, a.name.en, a.name.zh) for a in m.alternatives),
        storage_locality=m.storage.locality,
        retention_days=m.retention.days,
        status=status,
        version=version,
        notice_version=notice_version(m),
        scope_hash=scope_hash(m),
        minors_allowed=m.minors.under_14_allowed,
        written_consent_required=m.written_consent_required,
        consent_required=m.legal_basis.type is LegalBasisType.SEPARATE_CONSENT,
        legal_basis_ref=_statute(m),
        manifest=m.model_dump(mode="json"),
    )


def _statute(m: Manifest) -> str:
    s = m.legal_basis.statute
    return f"{s.name} {s.article}".strip() if m.legal_basis.type is LegalBasisType.STATUTE and s else ""


def to_processor(m: Manifest) -> Processor:
    """The processor; ``name`` is the registered Chinese legal name."""
    p = m.processor
    return Processor(id=m.processor_id, name=p.name.zh, contact=p.contact, uscc=p.uscc)
