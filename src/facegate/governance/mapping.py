"""From a manifest to the domain values the gate runs on (Deployment, Processor)."""

from __future__ import annotations

from facegate.domain.model import Alternative, Deployment, DeploymentStatus, Processor, SeparateConsent
from facegate.domain.model import StorageLocality as Loc
from facegate.domain.terms import ConsentTerms
from facegate.governance.canonical import content_hash
from facegate.governance.manifest import Manifest
from facegate.governance.notice import build_notice
from facegate.governance.statutes import citation_problems
from facegate.governance.vocab import LegalBasisType, NationalChannel


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


def consent_terms(m: Manifest) -> ConsentTerms:
    """The material terms of the notice (M-6.4): what a person's consent is bound to."""
    s = m.storage
    recipients = {m.method.vendor}
    if s.internet_transmission and s.destination:
        recipients.add(s.destination)
    if s.cross_border and s.cross_border_recipient is not None:
        recipients.add(s.cross_border_recipient.name)
    if m.national_identity_channel is not NationalChannel.NONE:
        recipients.add(m.national_identity_channel.value)  # the national service sees the face too
    return ConsentTerms(
        purposes=tuple(sorted(m.purpose_codes)),
        mode=m.method.mode.value,
        comparison_at=m.method.locality.value,
        storage_at=s.locality.value,
        data_types=tuple(sorted(t.value for t in m.face_data_types)),
        internet_transmission=s.internet_transmission,
        cross_border=s.cross_border,
        recipients=tuple(sorted(recipients)),
        retention_days=m.retention.days,
    )


def separate_consents_needed(m: Manifest) -> tuple[SeparateConsent, ...]:
    """Art. 8: off the device or over the Internet needs a law or the person's separate consent;
    PIPL Art. 39: provision abroad needs the person's separate consent."""
    s = m.storage
    off_device = s.locality is Loc.CENTRAL or m.method.locality is Loc.CENTRAL or s.internet_transmission
    by_law = s.legal_reference is not None and s.legal_reference.is_complete
    out = []
    if off_device and not by_law:
        out.append(SeparateConsent.INTERNET_TRANSMISSION)
    if s.cross_border:
        out.append(SeparateConsent.CROSS_BORDER)
    return tuple(out)


def may_meet_minors(m: Manifest) -> bool:
    """M-7.1: unless the manifest says children cannot be met here, assume they can."""
    return m.minors.under_14_allowed or m.minors.may_be_present


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
        terms=consent_terms(m),
        may_meet_minors=may_meet_minors(m),
        separate_consents_needed=separate_consents_needed(m),
        is_notice_exempt=_notice_exempt(m),
        manifest=m.model_dump(mode="json"),
    )


def _statute(m: Manifest) -> str:
    """The citation the gate sees; empty (so the gate refuses) unless it is a reviewed citation (M-6.7)."""
    s = m.legal_basis.statute
    if m.legal_basis.type is not LegalBasisType.STATUTE or citation_problems(s, needs_review=True):
        return ""
    assert s is not None
    return f"{s.name} {s.article}".strip()


def _notice_exempt(m: Manifest) -> bool:
    """Only a law or administrative regulation lifts the notice, and never under consent (M-5.7)."""
    ex = m.notice.exemption
    return (m.legal_basis.type is LegalBasisType.STATUTE and ex is not None
            and not citation_problems(ex, needs_review=True))


def to_processor(m: Manifest) -> Processor:
    """The processor; ``name`` is the registered Chinese legal name, ``name_en`` its English name if given."""
    p = m.processor
    return Processor(id=m.processor_id, name=p.name.zh, contact=p.contact, uscc=p.uscc, name_en=p.name.en)
