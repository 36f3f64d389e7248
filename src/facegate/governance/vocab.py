"""Controlled vocabularies used by manifests: purpose codes, venues, data types."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PurposeCode(str, enum.Enum):
    """Declared purposes (M-4.1). No code derives traits from faces (G-5.1)."""

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
    # A soft ceiling for the shortest-necessary retention test (M-8.5); advice only.
    typical_max_days: int
    # Verifying who someone is: the national channel is encouraged (M-11.1).
    is_identity_check: bool


PURPOSES: dict[PurposeCode, PurposeInfo] = {
    PurposeCode.IDENTITY_VERIFICATION: PurposeInfo("身份核验", "identity verification", 365, True),
    PurposeCode.ACCESS_CONTROL: PurposeInfo("门禁通行", "access control", 1095, False),
    PurposeCode.ATTENDANCE: PurposeInfo("考勤", "attendance", 1095, False),
    PurposeCode.PAYMENT: PurposeInfo("刷脸支付", "face payment", 1095, False),
    PurposeCode.PUBLIC_SECURITY: PurposeInfo("维护公共安全", "public security", 90, False),
    PurposeCode.ACCOUNT_OPENING: PurposeInfo("开立账户", "account opening", 1825, True),
    PurposeCode.ACCOUNT_LOGIN: PurposeInfo("账号登录", "account login", 1095, True),
    PurposeCode.CHECK_IN: PurposeInfo("入住登记", "check-in", 30, True),
    PurposeCode.TICKET_CHECK: PurposeInfo("检票", "ticket check", 30, True),
    PurposeCode.EXAM_IDENTITY: PurposeInfo("考生身份核验", "exam candidate identity check", 90, True),
    PurposeCode.VISITOR_REGISTRATION: PurposeInfo("访客登记", "visitor registration", 30, True),
}


class VenueType(str, enum.Enum):
    PUBLIC_PLACE = "public_place"
    BUSINESS_PREMISES = "business_premises"
    RESIDENTIAL_COMMUNITY = "residential_community"
    WORKPLACE = "workplace"
    SCHOOL = "school"
    ONLINE_SERVICE = "online_service"


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
