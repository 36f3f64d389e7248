"""Is a citation a real legal basis? Name, article, a reviewer's sign-off, and a known statute (M-6.7).

Only a law (法律) or an administrative regulation (行政法规) can stand in for consent
(PIPL Art. 13(3)-(7), Measures Arts. 5 para 3, 6, 8). A placeholder such as
"第X条（示例，待确认）" or any free text is not a citation. ``KNOWN_STATUTES`` lists the
laws and administrative regulations a face deployment is likely to cite; a name outside
it is flagged for a lawyer to confirm, not refused, since the list cannot be complete.
"""

from __future__ import annotations

import re

from facegate.governance.manifest import StatuteRef

# Name -> kind. Kept short on purpose: every entry was checked to be a law or an
# administrative regulation (not a departmental rule, which cannot lift consent).
KNOWN_STATUTES: dict[str, str] = {
    "中华人民共和国个人信息保护法": "law",
    "中华人民共和国网络安全法": "law",
    "中华人民共和国数据安全法": "law",
    "中华人民共和国反恐怖主义法": "law",
    "中华人民共和国反洗钱法": "law",
    "中华人民共和国反电信网络诈骗法": "law",
    "中华人民共和国居民身份证法": "law",
    "中华人民共和国出境入境管理法": "law",
    "中华人民共和国治安管理处罚法": "law",
    "中华人民共和国人民警察法": "law",
    "中华人民共和国国家安全法": "law",
    "中华人民共和国反间谍法": "law",
    "中华人民共和国保守国家秘密法": "law",
    "网络数据安全管理条例": "administrative_regulation",
    "旅馆业治安管理办法": "administrative_regulation",  # approved by the State Council, 1987
}

_NUM = "[零〇一二三四五六七八九十百千两0-9]+"
_ARTICLE = re.compile(rf"^第{_NUM}条(之{_NUM})?(第{_NUM}款)?(第[（(]?{_NUM}[)）]?项)?$")
_WORDS = r"示例|待确认|待定|待补充|举例|样例|某|tbd|todo|placeholder|example|sample"
_PLACEHOLDER = re.compile(rf"[xX×＊*？?…]|{_WORDS}", re.IGNORECASE)  # an article has no letters at all
_NAME_PLACEHOLDER = re.compile(rf"{_WORDS}|第[xX×]|^[xX×＊*？?…]+$", re.IGNORECASE)


def normalise_name(name: str) -> str:
    """《中华人民共和国反洗钱法》, 反洗钱法 and 中华人民共和国反洗钱法 are the same statute."""
    core = re.sub(r"[《》\s]", "", name)
    return core if core.startswith("中华人民共和国") or core not in _SHORT else _SHORT[core]


_SHORT = {k.removeprefix("中华人民共和国"): k for k in KNOWN_STATUTES if k.startswith("中华人民共和国")}


def citation_problems(ref: StatuteRef | None, *, needs_review: bool) -> list[str]:
    """What keeps ``ref`` from being a citation of a law or regulation; empty when it is one."""
    if ref is None or not ref.name or not ref.article:
        return ["name_and_article_required"]
    problems = []
    if _NAME_PLACEHOLDER.search(ref.name) or len(normalise_name(ref.name)) < 4:
        problems.append("name_placeholder")
    article = re.sub(r"\s", "", ref.article)
    if _PLACEHOLDER.search(article) or not _ARTICLE.match(article):
        problems.append("article_not_a_citation")
    if needs_review and not (ref.reviewed_by and ref.reviewed_on):
        problems.append("reviewer_sign_off_missing")
    return problems


def is_known(ref: StatuteRef) -> bool:
    return normalise_name(ref.name) in KNOWN_STATUTES
