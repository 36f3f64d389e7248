"""Why a requirement has no manifest rule: where else it is enforced, or why software cannot.

Every requirement ID is covered by at least one rule (``rules.ALL_RULES``) or a
note here; ``docs/rules.md`` prints both. Notes start with a category:
``schema`` (the manifest cannot express the violation), ``by construction``,
``runtime`` (the gate, with its reason code from ``domain/reasons.py``),
``service`` (a use case outside governance), ``organisational`` or ``reference``.
"""

from __future__ import annotations

COVERAGE_NOTES: dict[str, str] = {
    # Measures
    "M-1.1": "reference: the four parent instruments (CSL, DSL, PIPL, NDSR) are listed in docs/rules.md; "
             "duties not in the Measures fall back to them.",
    "M-1.2": "by construction: every rule and gate reason carries requirement IDs (Rule.requirement_ids, "
             "Reason.article_id), and each ID traces to an article in REQUIREMENTS.md.",
    "M-2.3": "service: detect-only features are not identity recognition; facegate exposes no detect-only "
             "API, so every face operation is in scope. The egress gate still applies (FG-08-01).",
    "M-4.1": "runtime: the gate refuses an undeclared purpose, reason code purpose_undeclared; purposes outside "
             "the vocabulary (governance.vocab.PurposeCode) are judged by FG-04-04..FG-04-06.",
    "M-5.1": "runtime: enrolment needs a consent bound to the current notice version "
             "(Deployment.notice_version); without it the gate refuses, reason code consent_missing.",
    "M-5.4": "by construction: the notice version is a content hash (build_notice().version) and "
             "notice_changes() lists the changed sections to tell people about.",
    "M-5.6": "service: the published processing rules page is rendered from build_notice(); web/kiosk.",
    "M-6.2": "service: the consent record (domain Consent) holds subject, purpose, notice version, scope "
             "hash, channel, actor and time, kept in the append-only processing record.",
    "M-6.4": "by construction: scope_hash covers purposes, method and face data types (mapping.scope_hash); "
             "runtime: consents to an old scope are refused, reason code consent_stale.",
    "M-9.3": "runtime: every gate decision, allowed or refused, is written to the hash-chained processing "
             "record (domain/audit.py).",
    "M-9.4": "service: processing records and assessment versions are undeletable for three years "
             "(audit retention lock); not a manifest property.",
    "M-9.6": "service: the assessment report is exported for the filing package (reports).",
    "M-13.1": "service: the device registry records each device's location type; the manifest's "
              "scenario.venue_type / private_space feed it, and FG-13-01 blocks private spaces.",
    "M-15.7": "service: decommissioning opens the cancellation-filing task and the disposal workflow "
              "(purge with deletion receipts).",
    "M-15.8": "runtime: legacy (pre-2025-06-01) filing deadline is a dated check in the filing service; "
              "it needs the stored count history, not the manifest.",
    "M-16.1": "service: the regulator evidence pack is a report built from records, filings and findings.",
    "M-16.2": "service: the rights-request intake (PIPL Art. 50) is a web/kiosk workflow with deadlines.",
    "M-17.1": "service: compliance-audit export (PIPL Art. 54) is a report over records and findings.",
    "M-17.2": "organisational: regulator-forwarded complaint cases are tracked by the compliance officer.",
    "M-18.1": "organisational: mapping controls to PIPL Art. 66 sanction tiers is a risk-register task.",
    "M-19.3": "schema: the manifest has no 'anonymised' flag, so face data is never treated as outside "
              "the Measures; templates are face information.",
    # PIPL
    "P-14.1": "runtime: consent is a separate affirmative act recorded per purpose (M-6.1); "
              "no consent means reason code consent_missing.",
    "P-14.2": "by construction + runtime: scope_hash change voids old consents, reason code consent_stale (M-6.4).",
    "P-15.1": "runtime: withdrawal takes effect at once, reason code consent_withdrawn (M-6.3).",
    "P-17.1": "by construction: build_notice() always emits processor, purposes, method, data types, "
              "retention and rights sections (M-5.2).",
    "P-17.2": "by construction: notice_changes() (M-5.4).",
    "P-21.1": "organisational: entrusted-processing contracts with engine vendors (method.vendor) are "
              "outside software; the impact assessment must cover them.",
    "P-28.1": "by construction: all face data is handled as sensitive biometric information; under-14 "
              "subjects are marked with Subject.minor_until.",
    "P-29.1": "runtime: separate consent per purpose, reason code consent_missing (M-6.1).",
    "P-30.1": "by construction: the notice has 'necessity' and 'rights_impact' sections, both required "
              "manifest fields.",
    "P-38.2": "runtime: a per-year export head count needs live data; cross-border transfer without a "
              "mechanism is blocked by FG-08-10.",
    "P-44.1": "service: restrict/object requests suspend processing for the person (rights workflow).",
    "P-45.1": "service: access/copy requests (rights workflow); templates are never handed out raw.",
    "P-45.2": "service: portability is configurable in the rights workflow.",
    "P-46.1": "service: re-enrolment replaces the template and deletes the old one.",
    "P-47.2": "service: data that cannot be deleted yet is marked restricted (store and secure only).",
    "P-48.1": "service: 'explain' request type in the rights workflow; the notice is its basis.",
    "P-50.1": "service: the rights-request portal (access, copy, correct, delete, restrict, withdraw, explain).",
    "P-50.2": "service: refusals of rights requests store and send a reason.",
    # NDSR
    "N-62.1": "reference: definition of separate consent, applied through M-6.1 (reason code consent_missing).",
    # GB/T 41819 (draft)
    "G-5.4": "organisational: capability proportionate to scale is judged in the impact assessment.",
    "G-6.1": "runtime: superseded by separate consent (M-6.1), reason code consent_missing.",
    "G-6.2": "service: enrolment accepts exactly one face per image (ImageRejected for two faces); "
             "bystanders are never stored.",
    "G-7.3": "service: templates are stored under pseudonymous subject ids, apart from identity data.",
    "G-11.1": "runtime: expired templates are refused (reason code template_expired) and purged; "
              "withdrawal deletes (M-6.3).",
}
