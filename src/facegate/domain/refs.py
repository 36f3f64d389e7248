"""The one rule for integrator references (subject, guardian) and for free text a driver will store.

A reference is the integrator's pseudonym for a person. Every entry point (REST
schemas, kiosk forms, CLI, Python services) checks it with ``check_ref`` before
the first write, and every withdrawal and deletion path checks it with the same
function, so whatever was accepted once can always be withdrawn and deleted
again (M-6.3: withdrawal at least as easy as consent).

The rule: 1 to 128 characters, all printable (no control, format or separator
characters other than the plain space, so no TAB, NUL or bidi overrides such as
U+202E that make a reference look like another), and no leading or trailing
whitespace (the kiosk trims what people type; a stored " guest" could never
be reached from there).
"""

from __future__ import annotations

from facegate.errors import InvalidInput

MAX_REF = 128
# Characters no text column may hold: PostgreSQL refuses NUL in text and \u0000 in JSON.
FORBIDDEN_IN_TEXT = ("\x00", "\\u0000")
_NUL, _JSON_NUL = FORBIDDEN_IN_TEXT


def ref_problem(value: object) -> str | None:
    """Why ``value`` is not a valid reference, in English, or None when it is one."""
    if not isinstance(value, str) or not value:
        return "must not be empty"
    if len(value) > MAX_REF:
        return f"must be at most {MAX_REF} characters"
    if not value.isprintable():
        return "must contain only printable characters (no control or direction-changing characters)"
    if value != value.strip():
        return "must not start or end with whitespace"
    return None


def check_ref(value: object, field: str = "subject") -> str:
    """Return ``value`` if it is a valid reference; else ``{field}_ref_invalid`` (422)."""
    problem = ref_problem(value)
    if problem is not None:
        raise InvalidInput(
            f"{field}_ref_invalid",
            f"The {field} reference must be 1-{MAX_REF} printable characters without surrounding spaces.",
            f"{_FIELD_ZH.get(field, '编号')}须为1至{MAX_REF}个可打印字符，且首尾不能有空格。",
            detail={"field": f"{field}_ref", "problem": problem},
        )
    return str(value)


# People see "编号" on the kiosk; never an English field name inside Chinese text (issue 16 item 11).
_FIELD_ZH = {"subject": "个人编号", "guardian": "监护人编号"}


def text_problem(value: str) -> str | None:
    """Text any store can hold: no NUL (PostgreSQL refuses it; SQLite would keep it silently)."""
    # Two plain tests, not a generator over FORBIDDEN_IN_TEXT: this runs on every stored string (issue 14).
    if _NUL in value or _JSON_NUL in value:
        return "must not contain NUL characters"
    return None


def text_invalid(where: str) -> InvalidInput:
    return InvalidInput("text_invalid", f"The {where} contains a NUL character, which is not allowed.",
                        "输入含有不允许的空字符（NUL）。", detail={"where": where})
