"""Where each requirement without a manifest rule is enforced, or why it is not (yet).

Every requirement ID is covered by at least one rule (``rules.ALL_RULES``, each proven by
``tests/unit/governance/test_rules_catalog.py::test_rule_fires_on_its_case``) or an entry
here; ``docs/rules.md`` prints both. Categories:

- covered, in code: ``schema``, ``by construction``, ``runtime`` (the gate, its reason
  code), ``service`` (a use case outside governance). Such an entry names what enforces it
  (``by``: a dotted Python name, a rule id ``FG-..``, or ``reason:<code>``) and the tests
  that prove it (``tests``: ``tests/...py::test_name``); a unit test checks they exist.
- ``organisational`` / ``reference``: outside software, or a pointer, said plainly.
- ``not yet``: the feature does not exist; the entry says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

CODE_CATEGORIES = ("schema", "by construction", "runtime", "service")
OTHER_CATEGORIES = ("organisational", "reference", "not yet")


@dataclass(frozen=True)
class Coverage:
    category: str
    text: str
    by: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()

    @property
    def is_covered(self) -> bool:
        return self.category in CODE_CATEGORIES

    def render(self) -> str:
        out = f"{self.category}: {self.text}"
        if self.by:
            out += " Enforced by " + ", ".join(f"`{b}`" for b in self.by) + "."
        if self.tests:
            out += " Proven by " + ", ".join(f"`{t}`" for t in self.tests) + "."
        return out


_T = "tests/"
GATE = _T + "unit/test_gate.py::"
PERSON = _T + "integration/test_person_service.py::"
FILING = _T + "integration/test_workbench_filing.py::"

COVERAGE: dict[str, Coverage] = {
    # Measures
    "M-1.1": Coverage("reference", "the four parent instruments (CSL, DSL, PIPL, NDSR) are listed in docs/rules.md; "
                      "duties not in the Measures fall back to them.", ("facegate.governance.docs.PARENT_INSTRUMENTS",)),
    "M-1.2": Coverage("by construction", "every rule and gate reason carries requirement IDs.",
                      ("facegate.governance.rules.base.Rule", "facegate.domain.reasons.Reason"),
                      (_T + "unit/governance/test_rules_catalog.py::test_catalog_is_well_formed",)),
    "M-2.3": Coverage("by construction", "there is no detect-only operation: every face operation identifies or "
                      "verifies someone and goes through the gate.", ("facegate.domain.model.Operation",),
                      (_T + "unit/governance/test_coverage_names.py::test_there_is_no_detect_only_operation",)),
    "M-4.1": Coverage("runtime", "the gate refuses an undeclared purpose (reason code purpose_undeclared); purposes "
                      "outside the vocabulary are judged by rules, not rejected.",
                      ("reason:purpose_undeclared", "FG-04-04", "FG-04-05", "FG-04-06"),
                      (GATE + "test_refusals",
                       _T + "unit/governance/test_rules_from_articles.py::test_member_recognition_by_consent_is_lawful")),
    "M-5.1": Coverage("runtime", "enrolment needs a consent bound to the current notice (reason code consent_missing); "
                      "on a statutory basis a record that the person was given the notice (reason code "
                      "notice_not_recorded), unless a reviewed law lifts the notice (M-5.7).",
                      ("reason:consent_missing", "reason:notice_not_recorded", "facegate.domain.gate.valid_consent",
                       "facegate.services.consent.record_notice"),
                      (GATE + "test_refusals",
                       _T + "unit/test_gate_notice_terms.py::test_statutory_basis_still_needs_the_notice_record",
                       _T + "integration/test_face_operations.py::test_refusals_cite_requirements_and_offer_alternatives")),
    "M-5.4": Coverage("runtime", "the notice version is a content hash; a change that extends processing needs fresh "
                      "consent (or, on a statute, a new notice record: reason code notice_stale); any other change "
                      "is flagged with its changed sections in the next verify or enrol response and in self-service.",
                      ("facegate.domain.terms.material_changes", "facegate.governance.notice.notice_changes",
                       "reason:notice_stale", "facegate.services.faces.verify"),
                      (_T + "unit/governance/test_notice_build.py::test_notice_changes_lists_changed_sections",
                       _T + "unit/test_gate_notice_terms.py::test_other_changes_are_told_not_reconsented",
                       _T + "integration/test_consent_terms.py::test_other_changes_reach_the_person_at_the_next_verify",
                       _T + "integration/test_person_http.py::test_changed_notice_parts_are_shown_to_the_person")),
    "M-5.6": Coverage("service", "the published processing rules are the notice, served in both languages with its "
                      "version.", ("facegate.governance.notice.build_notice",),
                      (_T + "e2e/test_access_and_records.py::test_notice_is_served_in_both_languages_with_its_version",)),
    "M-6.2": Coverage("service", "the consent record holds subject, purpose, notice version, scope hash, channel, actor "
                      "and time, and giving it is written to the processing record.",
                      ("facegate.domain.model.Consent", "facegate.services.consent.give_consent"),
                      (PERSON + "test_receipt_shows_metadata_only_and_forged_codes_find_nothing",)),
    "M-6.3": Coverage("runtime", "withdrawal by receipt, API or CLI takes effect at once (reason code consent_withdrawn) "
                      "and destroys the templates of that scope with a receipt.",
                      ("reason:consent_withdrawn", "facegate.services.consent.withdraw_consent",
                       "facegate.services.person.withdraw_by_receipt"),
                      (PERSON + "test_withdraw_destroys_templates_once_and_history_stays",
                       _T + "integration/test_person_http.py::test_self_service_json_codes_withdrawal_and_replay")),
    "M-6.4": Coverage("runtime", "each consent keeps the material terms it was given to (purposes, method, data types, "
                      "storage, transmission, cross-border, recipients, retention); a change that extends them voids "
                      "it (reason code consent_stale, citing the article of the change).",
                      ("facegate.domain.terms.material_changes", "facegate.governance.mapping.consent_terms",
                       "reason:consent_stale"),
                      (_T + "unit/test_gate_notice_terms.py::test_material_change_needs_fresh_consent",
                       _T + "integration/test_consent_terms.py::test_material_changes_stop_the_next_operation_until_fresh_consent",
                       PERSON + "test_notice_changes_are_reported_and_scope_changes_need_new_consent")),
    "M-7.1": Coverage("runtime", "age is counted on the date of processing from the date of birth (13 years 364 days "
                      "is a child, 14 years is not); where the deployment may meet minors, every consent needs an age "
                      "assertion or the gate refuses (reason code age_not_established).",
                      ("facegate.domain.gate.age_on", "reason:age_not_established"),
                      (GATE + "test_age_arithmetic",
                       _T + "unit/test_gate_notice_terms.py::test_no_age_no_processing_where_children_may_come",
                       _T + "unit/test_gate_notice_terms.py::test_the_day_before_the_fourteenth_birthday_needs_a_guardian")),
    "M-7.4": Coverage("runtime", "withdrawal is by subject, deployment and purpose whoever consented, so a guardian's "
                      "withdrawal voids the guardian's consent the same way (reason code consent_withdrawn).",
                      ("facegate.services.consent.withdraw_consent", "reason:consent_withdrawn"),
                      (GATE + "test_refusals", PERSON + "test_withdraw_destroys_templates_once_and_history_stays")),
    "M-8.3": Coverage("not yet", "there is no egress log: facegate sends no face data anywhere itself, and enrolments "
                      "on a central store are in the processing record but without destination, bytes or the "
                      "consent id of a transfer."),
    "M-8.6": Coverage("by construction", "the notice's retention and the templates' expiry both come from the one "
                      "retention.days of the manifest; a shorter period applied later reaches templates already held.",
                      ("facegate.governance.notice.build_notice", "facegate.governance.mapping.to_deployment",
                       "facegate.services.deployments.apply_deployment"),
                      (_T + "unit/governance/test_coverage_names.py::test_notice_and_expiry_share_one_retention",
                       _T + "integration/test_retention_shortened.py::"
                       "test_shortening_retention_expires_older_templates_on_apply")),
    "M-9.3": Coverage("runtime", "every gate decision, allowed or refused, is written to the hash-chained processing "
                      "record.", ("facegate.services.common.record", "facegate.domain.chain"),
                      (_T + "unit/audit/test_chain_properties.py::test_any_changed_field_is_caught_at_its_seq",
                       _T + "integration/test_face_operations.py::test_enroll_verify_identify_delete")),
    "M-9.4": Coverage("service", "processing records and assessment versions may not be purged before three years.",
                      ("facegate.domain.chain.retention_lock_until", "facegate.domain.chain.check_purge_cutoff"),
                      (_T + "unit/audit/test_chain.py::test_retention_lock_is_three_years",)),
    "M-9.6": Coverage("service", "the approved assessment is rendered as HTML/PDF and goes into the filing dossier.",
                      ("facegate.services.workbench.assessment.render", "facegate.services.workbench.dossier.build"),
                      (_T + "integration/test_workbench_papers.py::test_dossier_zip_holds_every_required_part",)),
    "M-13.1": Coverage("not yet", "there is no device registry (device id, location type, address, installation "
                       "date); a manifest describes its devices as a whole through scenario.who_can_enter, "
                       "cameras_point_at and who_is_captured (FG-13-07), and private spaces are blocked (FG-13-01)."),
    "M-15.2": Coverage("service", "the enrolment that stores a new person writes the day's count, so the 100,000 date "
                       "is the day it was reached, inclusive; the filing task is due 30 working days later.",
                       ("facegate.services.workbench.filing.count_at_write", "facegate.domain.filing.track_filing"),
                       (_T + "integration/test_filing_duties.py::"
                        "test_the_threshold_date_is_the_day_of_the_enrolment_that_reached_it",
                        _T + "unit/workbench/test_filing.py::test_threshold_is_inclusive_and_first_reach_sticks")),
    "M-19.2": Coverage("not yet", "there is no device registry to mark face recognition devices apart from back-end "
                       "servers; FG-08-05 only checks that a manifest comparing faces on servers does not declare "
                       "on-device storage."),
    "M-15.3": Coverage("service", "deadlines count State Council working days with make-up days; a year without data "
                       "is an error for the deadlines that need it, and a malformed calendar.yaml stops the node.",
                       ("facegate.domain.workdays.add_working_days", "facegate.adapters.calendar_cn.load_supplement"),
                       (_T + "unit/workbench/test_workdays.py::test_late_september_2025_across_national_day",
                        _T + "unit/workbench/test_filing_years.py::test_a_missing_year_affects_only_the_deadline_that_needs_it",
                        _T + "integration/test_filing_duties.py::test_a_malformed_calendar_yaml_stops_the_node_at_start")),
    "M-15.4": Coverage("service", "the filing dossier holds the five Art. 15 materials plus the form placeholders.",
                       ("facegate.services.workbench.dossier.build",),
                       (_T + "integration/test_workbench_papers.py::test_dossier_zip_holds_every_required_part",)),
    "M-15.7": Coverage("service", "stopping a deployment disposes of its templates and opens the cancellation filing.",
                       ("facegate.services.workbench.filing.stop_deployment",),
                       (FILING + "test_change_filing_and_cancellation_with_disposal",)),
    "M-15.8": Coverage("service", "handlers at 100,000 before 2025-06-01 are due 2025-07-14 and flagged overdue.",
                       ("facegate.domain.filing.initial_filing_task",),
                       (_T + "unit/workbench/test_filing.py::test_legacy_handler_due_2025_07_14_and_flagged_overdue",)),
    "M-16.1": Coverage("service", "the filing dossier (filing record, assessments, counts, security measures, rules) "
                       "is the evidence pack; a device registry and an incident log export are not in it yet.",
                       ("facegate.services.workbench.dossier.build",),
                       (_T + "integration/test_workbench_papers.py::test_dossier_zip_holds_every_required_part",)),
    "M-16.2": Coverage("service", "requests and complaints are logged with a working-day due date; operators answer "
                       "or refuse them with a reason by API, CLI and console, and the person sees the answer.",
                       ("facegate.services.person.lodge_complaint", "facegate.services.requests.answer_request"),
                       (PERSON + "test_complaint_due_in_15_working_days_on_the_official_calendar",
                        _T + "integration/test_person_answers.py::test_the_answer_reaches_the_person_and_its_timeliness_is_kept",
                        _T + "integration/test_person_answers.py::test_operators_answer_by_api_and_the_person_sees_it_in_self_service")),
    "M-17.1": Coverage("service", "the processing record exports as a verifiable file for a compliance audit.",
                       ("facegate.services.audit.export_records", "facegate.domain.chain_export.export_lines"),
                       (_T + "unit/audit/test_offline_verify.py::test_round_trip_is_ok",)),
    "M-17.2": Coverage("not yet", "there is no case type for complaints forwarded by a regulator; the officer tracks "
                       "them outside facegate."),
    "M-18.1": Coverage("organisational", "mapping controls to PIPL Art. 66 sanction tiers is a risk-register task."),
    "M-19.3": Coverage("schema", "the manifest has no 'anonymised' flag (extra keys are refused), so face data is "
                       "never treated as outside the Measures.", ("facegate.governance.manifest.Manifest",),
                       (_T + "unit/governance/test_coverage_names.py::test_an_anonymised_flag_is_refused",)),
    # PIPL
    "P-14.1": Coverage("runtime", "consent is a separate affirmative act per purpose; none means consent_missing.",
                       ("reason:consent_missing",), (GATE + "test_refusals",)),
    "P-14.2": Coverage("by construction", "a scope change voids old consents (reason code consent_stale, M-6.4).",
                       ("facegate.governance.mapping.scope_hash", "reason:consent_stale"),
                       (_T + "unit/governance/test_mapping_deployment.py::test_scope_changes_void_consent",)),
    "P-15.1": Coverage("runtime", "withdrawal takes effect at once; past processing stays recorded (M-6.3).",
                       ("reason:consent_withdrawn", "facegate.services.consent.withdraw_consent"),
                       (PERSON + "test_withdraw_destroys_templates_once_and_history_stays",)),
    "P-17.1": Coverage("by construction", "build_notice() always emits processor, purposes, method, retention and "
                       "rights sections (M-5.2).", ("facegate.governance.notice.build_notice",),
                       (_T + "unit/governance/test_notice_build.py::test_required_sections_in_both_languages",)),
    "P-17.2": Coverage("by construction", "notice_changes() (M-5.4).", ("facegate.governance.notice.notice_changes",),
                       (_T + "unit/governance/test_notice_build.py::test_notice_changes_lists_changed_sections",)),
    "P-21.1": Coverage("organisational", "entrusted-processing contracts with engine vendors (method.vendor) are "
                       "outside software; the impact assessment must cover them."),
    "P-28.1": Coverage("by construction", "all face data is sealed as sensitive biometric information; under-14s are "
                       "marked by the day they turn 14.",
                       ("facegate.services.common.template_aad", "facegate.domain.model.Subject"),
                       (_T + "integration/test_no_plaintext_at_rest.py::test_database_holds_no_plaintext",)),
    "P-29.1": Coverage("runtime", "separate consent per purpose (reason code consent_missing, M-6.1).",
                       ("reason:consent_missing",), (GATE + "test_refusals",)),
    "P-30.1": Coverage("by construction", "the notice has 'necessity' and 'rights_impact' sections from required "
                       "manifest fields.", ("facegate.governance.notice.build_notice",),
                       (_T + "unit/governance/test_notice_build.py::test_required_sections_in_both_languages",)),
    "P-38.2": Coverage("not yet", "there is no per-year export head count; cross-border transfer without a mechanism "
                       "is blocked by FG-08-10."),
    "P-44.1": Coverage("not yet", "there is no restrict/object request that suspends processing short of deletion."),
    "P-45.1": Coverage("service", "with the receipt the person sees what is held (metadata only; templates are never "
                       "handed out); a copy request type does not exist yet.",
                       ("facegate.services.person.lookup",),
                       (PERSON + "test_receipt_shows_metadata_only_and_forged_codes_find_nothing",)),
    "P-45.2": Coverage("not yet", "there is no portability request."),
    "P-46.1": Coverage("service", "re-enrolment adds a template and keeps at most the newest few; older ones are "
                       "deleted in the same transaction.", ("facegate.services.faces.enroll",),
                       (_T + "integration/test_face_operations.py::test_enroll_verify_identify_delete",)),
    "P-47.2": Coverage("not yet", "there is no 'restricted' state for data that cannot be deleted yet."),
    "P-48.1": Coverage("not yet", "there is no 'explain' request type; the notice is the only explanation."),
    "P-50.1": Coverage("service", "self-service takes withdrawal, deletion and complaints with due dates; access, copy, "
                       "correction, restriction, explanation and transfer request types do not exist yet.",
                       ("facegate.services.person.withdraw_by_receipt", "facegate.services.person.delete_by_receipt",
                        "facegate.services.person.lodge_complaint"),
                       (PERSON + "test_deletion_leaves_only_the_request_record",
                        _T + "integration/test_person_http.py::test_complaints_are_listed_for_the_operator_with_due_dates")),
    "P-50.2": Coverage("service", "a refusal must give its reason, is stored with it and shown to the person with "
                       "the right to go to court.", ("facegate.services.requests.answer_request",),
                       (_T + "integration/test_person_answers.py::"
                        "test_a_refusal_needs_its_reason_and_tells_the_person_where_to_turn",)),
    # NDSR
    "N-21.1": Coverage("by construction", "the notice is the one published set of processing rules: processor and "
                       "contact, purposes, method, data types, necessity and impact, the retention period and deletion "
                       "when it ends, the rights of PIPL Arts. 44-50 (withdraw, access and copy, correct, delete, "
                       "explain, restrict, transfer, close the account) and separate rules for under-14s.",
                       ("facegate.governance.notice.build_notice",),
                       (_T + "unit/governance/test_notice_truth.py::test_the_rights_list_follows_pipl_arts_44_to_50",
                        _T + "unit/governance/test_notice_build.py::test_required_sections_in_both_languages",
                        _T + "unit/governance/test_notice_build.py::test_minors_section_only_when_allowed")),
    "N-62.1": Coverage("reference", "definition of separate consent, applied through M-6.1 (reason code "
                       "consent_missing)."),
    # GB/T 41819 (draft)
    "G-5.4": Coverage("organisational", "capability proportionate to scale is judged in the impact assessment."),
    "G-6.1": Coverage("runtime", "superseded by separate consent (M-6.1), reason code consent_missing.",
                      ("reason:consent_missing",), (GATE + "test_refusals",)),
    "G-6.2": Coverage("service", "an image with two faces is refused (image_rejected) and nothing is stored, so "
                      "bystanders are never enrolled.", ("facegate.services.faces.enroll",),
                      (_T + "e2e/test_http_api.py::test_truncated_two_faces_and_bomb",)),
    "G-7.3": Coverage("by construction", "templates are stored under pseudonymous subject ids and sealed with an AAD "
                      "binding deployment, subject and purpose, apart from identity data.",
                      ("facegate.services.common.template_aad",),
                      (_T + "integration/test_no_plaintext_at_rest.py::test_database_holds_no_plaintext",)),
    "G-11.1": Coverage("runtime", "expired templates are refused (reason code template_expired) and purged; "
                       "withdrawal deletes (M-6.3).", ("reason:template_expired", "facegate.services.purge.purge_expired"),
                       (_T + "integration/test_retention.py::test_expired_template_is_refused_then_purged",)),
}

# The rendered lines, as docs/rules.md prints them (kept under the old name for callers).
COVERAGE_NOTES: dict[str, str] = {k: v.render() for k, v in COVERAGE.items()}
