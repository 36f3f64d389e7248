"""Rules for Art. 14: the five named security controls and MLPS / CII duties (also M-4.4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from facegate.domain.liveness import LivenessPolicy, is_remote_or_unattended
from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Hit, Rule, RuleGroup, Severity

group = RuleGroup()

_CONTROLS = (
    ("FG-14-01", ("M-14.1", "G-7.2", "G-9.1"), "encryption", "数据加密", "data encryption",
     "对人脸信息进行存储加密和传输加密（如AES-256-GCM或SM4）。", "Encrypt face data at rest and in transit "
     "(e.g. AES-256-GCM or SM4)."),
    ("FG-14-02", ("M-14.2",), "security_audit", "安全审计", "security audit",
     "对人脸信息的所有访问和管理操作进行防篡改审计记录。", "Keep a tamper-evident audit log of all access "
     "and admin actions."),
    ("FG-14-03", ("M-14.3",), "access_control", "访问控制", "access control",
     "按最小权限配置角色，查看原始人脸图像须单独授权。", "Use least-privilege roles; viewing raw face "
     "images is a separate permission."),
    ("FG-14-04", ("M-14.4",), "authorisation_management", "授权管理", "authorisation management",
     "权限授予须审批、限时并定期复核，撤销立即生效。", "Grants are approved, time-bound and reviewed; "
     "revocation is immediate."),
    ("FG-14-05", ("M-14.5",), "intrusion_detection", "入侵检测和防御", "intrusion detection and prevention",
     "为存储人脸信息的服务器和设备部署入侵检测防御及告警。", "Run intrusion detection and prevention with "
     "alerts on the servers and devices holding face data."),
)


def _control_check(attr: str) -> Callable[[Manifest], Iterator[Hit]]:
    def check(m: Manifest) -> Iterator[Hit]:
        control = getattr(m.security, attr)
        if control is None or not control.enabled:
            yield Hit(f"security.{attr}")
    return check


def _make(rule_id: str, reqs: tuple[str, ...], attr: str, zh: str, en: str, rem_zh: str, rem_en: str) -> Rule:
    return group.rule(
        rule_id, (*reqs, "M-4.4"), Severity.BLOCKING,
        title=f"Security control missing: {en}",
        message_zh=f"未配置或未启用{zh}措施；人脸识别系统须采取{zh}等措施保护人脸信息安全。",
        message_en=f"{en.capitalize()} is not configured or not enabled; face recognition systems must "
                   f"protect face information with it.",
        remedy_zh=f"{rem_zh}并在 security.{attr} 中声明。",
        remedy_en=f"{rem_en} Declare it under security.{attr}.",
    )(_control_check(attr))


for _row in _CONTROLS:
    _make(*_row)


@group.rule(
    "FG-14-06", ("M-14.7",), Severity.ADVICE,
    title="MLPS grade not recorded",
    message_zh="未记录网络安全等级保护定级情况。",
    message_en="The system's classified cybersecurity protection (MLPS) grade is not recorded.",
    remedy_zh="在 security.mlps_level 中记录定级（通常为二级或三级）。",
    remedy_en="Record the MLPS grade under security.mlps_level (usually 2 or 3).",
)
def mlps_missing(m: Manifest) -> Iterator[Hit]:
    if m.security.mlps_level is None and not m.security.is_cii:
        yield Hit("security.mlps_level")


@group.rule(
    "FG-14-07", ("M-14.7",), Severity.WARNING,
    title="Critical information infrastructure below MLPS level 3",
    message_zh="系统属于关键信息基础设施，但等级保护未达到三级或未记录。",
    message_en="The system is critical information infrastructure but its MLPS grade is below 3 or missing.",
    remedy_zh="按关键信息基础设施安全保护义务完成三级以上定级备案。",
    remedy_en="Complete MLPS grading at level 3 or above as CII duties require.",
)
def cii_low(m: Manifest) -> Iterator[Hit]:
    if m.security.is_cii and (m.security.mlps_level is None or m.security.mlps_level < 3):
        yield Hit("security.mlps_level")




def _unguarded_1to1(m: Manifest) -> bool:
    """1:1 verification, remote or unattended, with liveness declared optional or off."""
    return (m.method.mode.value == "1:1" and is_remote_or_unattended(m.model_dump(mode="json"))
            and m.security.liveness in (LivenessPolicy.OPTIONAL, LivenessPolicy.OFF))


def _opens_accounts(m: Manifest) -> bool:
    return any(p.code == "account_opening" for p in m.purposes)


@group.rule(
    "FG-14-08", ("M-14.5", "M-4.4"), Severity.WARNING,
    title="Remote or unattended 1:1 verification without liveness",
    message_zh="远程或无人值守的1:1人脸验证未要求活体检测，他人可用照片或屏幕冒充本人。",
    message_en="Remote or unattended 1:1 face verification does not require liveness; anyone holding a "
               "photo or a screen showing the person can pass as them.",
    remedy_zh="将 security.liveness 设为 required（按提示转头、点头的活体检测），或说明由工作人员在场核验。",
    remedy_en="Set security.liveness to required (head-movement liveness), or state that staff watch every "
              "capture (scenario.unattended: false).",
)
def liveness_missing(m: Manifest) -> Iterator[Hit]:
    if _unguarded_1to1(m) and not _opens_accounts(m):
        yield Hit("security.liveness", m.security.liveness.value if m.security.liveness else "")


@group.rule(
    "FG-14-09", ("M-14.5", "M-4.4"), Severity.BLOCKING,
    title="Remote account opening without liveness",
    message_zh="远程或无人值守开立账户时未要求活体检测：冒用他人照片即可以其名义开户。",
    message_en="Accounts are opened remotely or unattended without liveness: a photo of someone is enough "
               "to open an account in their name.",
    remedy_zh="将 security.liveness 设为 required。",
    remedy_en="Set security.liveness to required.",
)
def account_opening_without_liveness(m: Manifest) -> Iterator[Hit]:
    if _unguarded_1to1(m) and _opens_accounts(m):
        yield Hit("security.liveness", m.security.liveness.value if m.security.liveness else "")


RULES = tuple(group.rules)
