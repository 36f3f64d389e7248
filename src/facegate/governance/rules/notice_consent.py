"""Rules for Arts. 5-7: notice, separate consent and legal basis, children under 14."""

from __future__ import annotations

import re
from collections.abc import Iterator

from facegate.governance.manifest import Manifest
from facegate.governance.notice import build_notice
from facegate.governance.statutes import citation_problems, is_known
from facegate.governance.rules.base import Hit, RuleGroup, Severity
from facegate.governance.vocab import LegalBasisType, VenueType

group = RuleGroup()

_REACHABLE = re.compile(r"\d{5,}|@|https?://|www\.|\d{3,4}-\d{4}")
# M-5.3: a notice section longer than this is no longer a plain-language summary.
MAX_SECTION_CHARS = 600


@group.rule(
    "FG-05-01", ("M-5.2",), Severity.WARNING,
    title="Contact for rights is not reachable",
    message_zh="告知中的联系方式不含电话、电子邮箱或网址，个人无法据此行使权利。",
    message_en="The contact in the notice has no phone number, e-mail or web address people can use.",
    remedy_zh="提供可直接联系的电话、邮箱或网址。",
    remedy_en="Give a phone number, e-mail address or web address.",
)
def unreachable_contact(m: Manifest) -> Iterator[Hit]:
    for path, value in (("processor.contact", m.processor.contact),
                        ("notice.rights_contact", m.notice.rights_contact)):
        if not _REACHABLE.search(value):
            yield Hit(path, value)


@group.rule(
    "FG-05-02", ("M-5.7",), Severity.BLOCKING,
    title="Notice exemption without a statute",
    message_zh="声明免于告知，但未写明允许不告知的法律或行政法规名称及条款，或引用为占位文字，或未经审核签署。",
    message_en="The notice is skipped but no law or administrative regulation (name and article) "
               "allowing it is cited, or the citation is a placeholder, or nobody signed off its review.",
    remedy_zh="删除 notice.exemption，或写明法律、行政法规名称、条款、审核人和审核日期。",
    remedy_en="Remove notice.exemption, or cite the law or administrative regulation by name and article, "
              "with reviewed_by and reviewed_on.",
)
def exemption_uncited(m: Manifest) -> Iterator[Hit]:
    # M-5.7: only a law or administrative regulation, cited for real and approved, lifts the notice.
    if m.notice.exemption is not None and citation_problems(m.notice.exemption, needs_review=True):
        yield Hit("notice.exemption", ", ".join(citation_problems(m.notice.exemption, needs_review=True)))


@group.rule(
    "FG-05-03", ("M-5.7",), Severity.WARNING,
    title="Notice exemption claimed",
    message_zh="部署依据法律免于告知；该豁免须经审批、记录，并在每次影响评估中复核。",
    message_en="The deployment relies on a statutory exemption from notice; it must be approved, "
               "logged and re-checked in every impact assessment.",
    remedy_zh="确认所引法律确实允许不告知，并在影响评估中记录复核结论。",
    remedy_en="Confirm the cited law allows no notice and record the review in the impact assessment.",
)
def exemption_claimed(m: Manifest) -> Iterator[Hit]:
    if m.notice.exemption is not None and not citation_problems(m.notice.exemption, needs_review=True):
        yield Hit("notice.exemption", f"{m.notice.exemption.name} {m.notice.exemption.article}")


@group.rule(
    "FG-05-04", ("M-5.5",), Severity.ADVICE,
    title="No accessible notice features",
    message_zh="未声明无障碍功能（读屏、大字体、高对比度、语音播报）；处理老年人、残疾人人脸信息应符合无障碍规定。",
    message_en="No accessibility features (screen reader, large font, high contrast, audio) are declared; "
               "elderly and disabled people must be able to read the notice.",
    remedy_zh="在 notice.accessibility 中声明已提供的无障碍功能。",
    remedy_en="List the accessibility features provided under notice.accessibility.",
)
def no_accessibility(m: Manifest) -> Iterator[Hit]:
    if not m.notice.accessibility:
        yield Hit("notice.accessibility")


@group.rule(
    "FG-05-05", ("M-5.3",), Severity.ADVICE,
    title="Notice section too long for plain language",
    message_zh=f"告知书某一部分超过{MAX_SECTION_CHARS}字，不再是清晰易懂的摘要。",
    message_en=f"A notice section is longer than {MAX_SECTION_CHARS} characters; it is no longer a "
               "plain-language summary.",
    remedy_zh="缩短该部分，完整文本放在一键可达的详情页。",
    remedy_en="Shorten it and put the full text one tap away.",
)
def notice_too_long(m: Manifest) -> Iterator[Hit]:
    notice = build_notice(m)
    for text in (notice.zh, notice.en):
        for s in text.sections:
            if len(s.body) > MAX_SECTION_CHARS:
                yield Hit("notice", f"{text.language}:{s.key}")


_WITHDRAW = re.compile(r"撤回.{0,4}同意|withdraw(ing)? (your )?consent", re.IGNORECASE)


@group.rule(
    "FG-05-06", ("M-6.7", "M-12.1"), Severity.BLOCKING,
    title="Statutory basis, but the notice offers to withdraw consent",
    message_zh="依据法律规定处理，并非基于同意，告知中却称个人可以“撤回同意”，告知不真实、准确。",
    message_en="Processing rests on a statute, not on consent, yet the notice tells people they can "
               "\"withdraw consent\": the notice is not true and accurate.",
    remedy_zh="删去“撤回同意”，说明个人依法可行使的权利（查阅、复制、更正、删除、解释说明等）。",
    remedy_en="Remove \"withdraw consent\" and describe the rights people do have (access, copy, correction, "
              "deletion, explanation).",
)
def statute_offers_withdrawal(m: Manifest) -> Iterator[Hit]:
    if m.legal_basis.type is not LegalBasisType.STATUTE:
        return
    n = m.notice
    texts = {"notice.how_to_exercise_rights": n.how_to_exercise_rights, "notice.effect_on_rights": n.effect_on_rights,
             "notice.extra": n.extra}
    for path, text in texts.items():
        if text is not None and (_WITHDRAW.search(text.zh) or _WITHDRAW.search(text.en)):
            yield Hit(path)


@group.rule(
    "FG-06-01", ("M-6.7",), Severity.BLOCKING,
    title="Statutory basis without a reviewed citation",
    message_zh="以法律规定为处理依据，但未写明法律、行政法规的名称和具体条款（如“第二十八条”），或引用是占位文字，"
               "或缺少审核人签署。",
    message_en="A statutory legal basis is claimed without the law's or regulation's name and a real article "
               "(such as 第二十八条), or with placeholder text, or without a reviewer's sign-off.",
    remedy_zh="在 legal_basis.statute 中写明名称、条款、审核人（reviewed_by）和审核日期（reviewed_on），"
              "或改为取得个人单独同意。",
    remedy_en="Give legal_basis.statute name, article, reviewed_by and reviewed_on, or rely on separate "
              "consent instead.",
)
def statute_uncited(m: Manifest) -> Iterator[Hit]:
    lb = m.legal_basis
    if lb.type is LegalBasisType.STATUTE:
        problems = citation_problems(lb.statute, needs_review=True)
        if problems:
            yield Hit("legal_basis.statute", ", ".join(problems))


@group.rule(
    "FG-06-03", ("M-6.7", "M-1.1"), Severity.WARNING,
    title="Statute not in the list of known laws and regulations",
    message_zh="所引法律依据不在已知法律、行政法规清单中；部门规章、内部制度不能代替个人同意，须由法务确认。",
    message_en="The cited statute is not one of the known laws and administrative regulations; a departmental "
               "rule or internal policy cannot replace consent, so counsel must confirm it.",
    remedy_zh="确认其为法律或行政法规并核对条款，或改为取得个人单独同意。",
    remedy_en="Confirm it is a law or administrative regulation and check the article, or rely on consent.",
)
def statute_unknown(m: Manifest) -> Iterator[Hit]:
    s = m.legal_basis.statute
    if m.legal_basis.type is LegalBasisType.STATUTE and s is not None and s.name and not is_known(s):
        yield Hit("legal_basis.statute.name", s.name)


@group.rule(
    "FG-06-02", ("M-6.5",), Severity.ADVICE,
    title="Written consent required",
    message_zh="本部署须取得书面同意：同意时应采集签名或电子签名凭证。",
    message_en="This deployment needs written consent: capture a signed or e-signed record at consent time.",
    remedy_zh="在同意流程中启用签名采集。",
    remedy_en="Enable signature capture in the consent flow.",
)
def written_consent(m: Manifest) -> Iterator[Hit]:
    if m.written_consent_required:
        yield Hit("written_consent_required")


@group.rule(
    "FG-07-01", ("M-7.2", "P-31.1"), Severity.BLOCKING,
    title="Under-14s without guardian consent",
    message_zh="允许处理不满十四周岁未成年人的人脸信息，但未配置父母或其他监护人同意。",
    message_en="Face information of children under 14 is processed but guardian consent is not configured.",
    remedy_zh="设置 minors.guardian_consent: true 并在录入前取得监护人单独同意，或不处理未成年人。",
    remedy_en="Set minors.guardian_consent: true and obtain the guardian's separate consent before "
              "enrolment, or do not process under-14s.",
)
def no_guardian_consent(m: Manifest) -> Iterator[Hit]:
    if (m.minors.under_14_allowed and not m.minors.guardian_consent
            and m.legal_basis.type is LegalBasisType.SEPARATE_CONSENT):
        yield Hit("minors.guardian_consent")


@group.rule(
    "FG-07-02", ("M-7.3", "P-31.2"), Severity.BLOCKING,
    title="Special rules for under-14s incomplete",
    message_zh="处理不满十四周岁未成年人人脸信息，须在存储、使用、转移、披露等方面制定专门的处理规则。",
    message_en="Processing under-14s' faces needs special rules covering at least storage, use, "
               "transfer and disclosure.",
    remedy_zh="在 minors.special_rules 中补全 storage、use、transfer、disclosure 四部分（中英文）。",
    remedy_en="Fill in storage, use, transfer and disclosure under minors.special_rules (zh and en).",
)
def minor_rules_missing(m: Manifest) -> Iterator[Hit]:
    if not m.minors.under_14_allowed:
        return
    rules = m.minors.special_rules
    for part in ("storage", "use", "transfer", "disclosure"):
        if rules is None or getattr(rules, part) is None:
            yield Hit(f"minors.special_rules.{part}", part)


@group.rule(
    "FG-07-03", ("G-5.5", "M-7.3"), Severity.ADVICE,
    title="Face recognition on under-14s",
    message_zh="对不满十四周岁未成年人使用人脸识别应尽量避免；影响评估须专门论证其必要性。",
    message_en="Face recognition on children under 14 should be avoided where possible; the impact "
               "assessment must justify it specifically.",
    remedy_zh="在影响评估中论证对未成年人使用人脸识别的必要性，并优先提供非人脸方式。",
    remedy_en="Justify it in the impact assessment and lead with the non-face alternative.",
)
def minors_discouraged(m: Manifest) -> Iterator[Hit]:
    if m.minors.under_14_allowed:
        yield Hit("minors.under_14_allowed")


@group.rule(
    "FG-07-04", ("M-7.2",), Severity.ADVICE,
    title="School deployment excludes under-14s",
    message_zh="学校场景可能涉及不满十四周岁的学生，但本部署不允许处理其人脸信息；录入时须核实年龄。",
    message_en="A school may reach pupils under 14, but this deployment does not allow them; "
               "enrolment must check age.",
    remedy_zh="确认录入流程会询问出生日期，未满十四周岁者只能使用其他方式。",
    remedy_en="Make sure enrolment asks for the date of birth and sends under-14s to the alternative.",
)
def school_without_minors(m: Manifest) -> Iterator[Hit]:
    if m.scenario.venue_type is VenueType.SCHOOL and not m.minors.under_14_allowed:
        yield Hit("minors.under_14_allowed")


RULES = tuple(group.rules)
