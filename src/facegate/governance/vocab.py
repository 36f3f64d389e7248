"""Controlled vocabularies used by manifests: purpose codes, venues, data types."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PurposeCode(str, enum.Enum):
    """Purposes facegate knows (M-4.1). A manifest may declare others: the rules then judge
    them on specificity, necessity, alternative and inducement (Art. 4, 10, 12) instead of
    rejecting them. No code derives traits from faces (G-5.1)."""

    IDENTITY_VERIFICATION = "identity_verification"
    ACCESS_CONTROL = "access_control"
    ATTENDANCE = "attendance"
    PAYMENT = "payment"
    PUBLIC_SECURITY = "public_security"
    ACCOUNT_OPENING = "account_opening"
    ACCOUNT_LOGIN = "account_login"
    CHECK_IN = "check_in"
    TICKET_CHECK = "ticket_check"
    EXAM_IDENTITY = "exam_identity"
    VISITOR_REGISTRATION = "visitor_registration"


@dataclass(frozen=True)
class PurposeInfo:
    zh: str
    en: str
    # Art. 8 para 2 / PIPL Art. 19 "shortest time necessary", judged per purpose (M-8.5):
    # the longest fixed retention the purpose itself can justify, and why. Beyond it the
    # manifest must say why (warning); beyond twice it, only a law or administrative
    # regulation can justify the period (blocking).
    max_days: int
    # For retention tied to an event ("until move-out plus N days"): the longest tail after it.
    max_days_after_event: int
    is_identity_check: bool  # verifying who someone is: the national channel is encouraged (M-11.1)
    reason_zh: str
    reason_en: str

    @property
    def typical_max_days(self) -> int:  # the name older callers use
        return self.max_days


def _p(zh: str, en: str, days: int, tail: int, identity: bool, why_zh: str, why_en: str) -> PurposeInfo:
    return PurposeInfo(zh, en, days, tail, identity, why_zh, why_en)


# Keyed by the code's string value, so a manifest's plain string finds its entry.
PURPOSES: dict[str, PurposeInfo] = {
    PurposeCode.IDENTITY_VERIFICATION.value: _p(
        "身份核验", "identity verification", 365, 30, True,
        "重复核验同一客户的业务周期通常不超过一年；一次性核验应在核验后删除。",
        "Repeat checks of the same customer rarely span more than a year; a one-off check needs "
        "no template after it."),
    PurposeCode.ACCESS_CONTROL.value: _p(
        "门禁通行", "access control", 1095, 30, False,
        "通行权限随租约或雇佣关系存在；固定期限以三年换约周期为限，到期重新登记，或按“迁出后N天”声明。",
        "Access lasts as long as the lease or employment; a fixed period is capped at a three-year "
        "renewal cycle with re-enrolment, or declared as 'until move-out plus N days'."),
    PurposeCode.ATTENDANCE.value: _p(
        "考勤", "attendance", 1095, 30, False,
        "考勤随劳动关系存在；劳动争议仲裁时效为一年，三年固定期限已留有余地，或按“离职后N天”声明。",
        "Attendance lasts as long as employment; labour disputes must be brought within a year, so "
        "three years is ample, or declare 'until employment ends plus N days'."),
    PurposeCode.PAYMENT.value: _p(
        "刷脸支付", "face payment", 1095, 30, False,
        "支付账户存续期间需要模板；长期不用应删除，固定期限以三年为限，或按“销户后N天”声明。",
        "The template is needed while the payment account is used; unused ones should go; three "
        "years at most as a fixed period, or 'until the account closes plus N days'."),
    PurposeCode.PUBLIC_SECURITY.value: _p(
        "维护公共安全", "public security", 90, 30, False,
        "未命中的比对数据应即时删除；命中告警移交公安机关后留存不超过一个季度。",
        "Non-matching probes go at once; match alerts handed to the police are kept for at most "
        "a quarter."),
    PurposeCode.ACCOUNT_OPENING.value: _p(
        "开立账户", "account opening", 1825, 30, True,
        "金融机构客户身份资料须在业务关系结束后保存五年（反洗钱法）；更长须引用法律。",
        "Financial institutions keep customer identification records five years after the "
        "relationship ends (Anti-Money Laundering Law); longer needs a statute."),
    PurposeCode.ACCOUNT_LOGIN.value: _p(
        "账号登录", "account login", 1095, 30, True,
        "登录模板在账号使用期间需要；三年未用应删除，或按“注销后N天”声明。",
        "A login template is needed while the account is in use; after three years unused it "
        "should go, or declare 'until the account is closed plus N days'."),
    PurposeCode.CHECK_IN.value: _p(
        "入住登记", "check-in", 30, 7, True,
        "入住核验只在入住期间需要；30天覆盖绝大多数住宿及争议期。",
        "A check-in match is needed only for the stay; 30 days covers nearly every stay and a "
        "dispute window."),
    PurposeCode.TICKET_CHECK.value: _p(
        "检票", "ticket check", 30, 7, True,
        "检票只在行程或活动期间需要。",
        "A ticket check is needed only for the journey or event."),
    PurposeCode.EXAM_IDENTITY.value: _p(
        "考生身份核验", "exam candidate identity check", 90, 30, True,
        "考试及成绩复核、申诉期通常在三个月内结束。",
        "The exam, the score review and appeals end within about three months."),
    PurposeCode.VISITOR_REGISTRATION.value: _p(
        "访客登记", "visitor registration", 30, 7, True,
        "访客核验只在来访当天需要；30天覆盖事后核查。",
        "A visitor check is needed on the day of the visit; 30 days covers follow-up checks."),
}

# A declared purpose outside the vocabulary has no reasoning on file: it gets the most
# cautious ceilings of the vocabulary, and a longer period must be argued (M-8.5).
UNKNOWN_PURPOSE_MAX_DAYS = 365
UNKNOWN_PURPOSE_MAX_DAYS_AFTER_EVENT = 30

# Codes that name no specific purpose (Art. 4 特定的目的; Art. 12 names "办理业务、提升服务质量"
# as pretexts): declaring one of these is not a purpose at all.
GENERIC_PURPOSE_WORDS = frozenset({
    "other", "others", "misc", "miscellaneous", "general", "business", "service", "services",
    "operations", "operational", "improve_service", "service_improvement", "service_quality",
    "improve_service_quality", "convenience", "efficiency", "management", "security", "safety",
    "various", "any", "all", "tbd", "todo", "unspecified",
})

# Purposes that assess or predict traits from faces (GB/T 41819 draft, G-5.1).
TRAIT_WORDS = frozenset({
    "emotion", "emotions", "mood", "sentiment", "preference", "preferences", "interest", "interests",
    "personality", "health", "performance", "credit", "creditworthiness", "attractiveness", "gender",
    "ethnicity", "race", "profiling", "wealth", "income",
})


def purpose_info(code: str) -> PurposeInfo | None:
    """The vocabulary entry for ``code``, or None for a purpose the processor defined."""
    return PURPOSES.get(code)


class VenueType(str, enum.Enum):
    PUBLIC_PLACE = "public_place"
    BUSINESS_PREMISES = "business_premises"
    RESIDENTIAL_COMMUNITY = "residential_community"
    WORKPLACE = "workplace"
    SCHOOL = "school"
    ONLINE_SERVICE = "online_service"


class WhoCanEnter(str, enum.Enum):
    """Who can walk into the place where the devices are (Art. 13: is it a public place?)."""

    ANYONE = "anyone"  # open to the public, with or without a ticket: station, mall, lobby, street
    DEFINED_GROUP = "defined_group"  # only a known group: residents, staff, students, members
    NO_PLACE = "no_place"  # online: the person uses their own device, wherever they are


class CameraAim(str, enum.Enum):
    """Where the cameras point."""

    PUBLIC_AREA = "public_area"  # an area people walk through: entrance, hall, concourse, lane
    SERVICE_POINT = "service_point"  # a counter or terminal where one person stands to be checked
    PERSONAL_DEVICE = "personal_device"  # the person's own phone or computer


class WhoIsCaptured(str, enum.Enum):
    """Whose faces the devices capture."""

    EVERYONE_IN_VIEW = "everyone_in_view"  # whoever passes through the field of view
    PERSON_WHO_CHOOSES_FACE = "person_who_chooses_face"  # only someone who steps up and picks face


class PrivateSpace(str, enum.Enum):
    """Private spaces inside public places, where devices are banned (M-13.4)."""

    NONE = "none"
    HOTEL_GUEST_ROOM = "hotel_guest_room"
    PUBLIC_BATHROOM = "public_bathroom"
    PUBLIC_LOCKER_ROOM = "public_locker_room"
    PUBLIC_TOILET = "public_toilet"
    OTHER_PRIVATE_SPACE = "other_private_space"


class FaceDataType(str, enum.Enum):
    """What is kept (M-19.1): a feature template, a face image, or video frames."""

    TEMPLATE = "template"
    IMAGE = "image"
    VIDEO = "video"


class LegalBasisType(str, enum.Enum):
    SEPARATE_CONSENT = "separate_consent"
    STATUTE = "statute"


class Convenience(str, enum.Enum):
    """How the alternative compares with the face path (M-10.2)."""

    EQUAL = "equal"
    LESS = "less"
    MORE = "more"


class ApplicationClass(str, enum.Enum):
    """M-2.1: production use is in scope; FRT R&D and algorithm training is not."""

    PRODUCTION_APPLICATION = "production_application"
    RD_ALGORITHM_TRAINING = "rd_algorithm_training"


class NationalChannel(str, enum.Enum):
    """National identity infrastructure encouraged by Art. 11 (M-11.1)."""

    NONE = "none"
    NATIONAL_POPULATION_DATABASE = "national_population_database"
    NATIONAL_NETWORK_IDENTITY_AUTHENTICATION = "national_network_identity_authentication"


class PiaConclusion(str, enum.Enum):
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"


class PiaItem(str, enum.Enum):
    """The four content items of the Art. 9 assessment (M-9.2)."""

    LAWFULNESS_NECESSITY = "lawfulness_necessity"
    RIGHTS_IMPACT = "rights_impact"
    SECURITY_RISKS = "security_risks"
    PROTECTION_MEASURES = "protection_measures"


class ExportMechanism(str, enum.Enum):
    """PIPL Art. 38 conditions for sending personal information abroad (P-38.1)."""

    SECURITY_ASSESSMENT = "security_assessment"
    CERTIFICATION = "certification"
    STANDARD_CONTRACT = "standard_contract"


class Accessibility(str, enum.Enum):
    """Accessible notice and consent features (M-5.5)."""

    SCREEN_READER = "screen_reader"
    LARGE_FONT = "large_font"
    HIGH_CONTRAST = "high_contrast"
    AUDIO = "audio"
