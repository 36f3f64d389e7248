"""The manifest model: shape, USCC, retention, frozen values, JSON Schema."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from facegate.domain.model import Mode, StorageLocality
from facegate.governance.manifest import Manifest, is_valid_uscc, manifest_json_schema, uscc_check_char


def test_base_manifest_is_valid(make: Any) -> None:
    m = make()
    assert m.method.mode is Mode.VERIFY
    assert m.storage.locality is StorageLocality.ON_DEVICE
    assert m.purpose_codes == ("check_in",)
    assert m.processor_id == "91330106MA2H3K7L5P"


def test_processor_id_prefers_explicit_id(make: Any) -> None:
    assert make({"processor.id": "westlake-hotels"}).processor_id == "westlake-hotels"


@pytest.mark.parametrize("code", ["91330106MA2H3K7L5P", "91110000100005617N", "12320106MA1MXB6P3K"])
def test_valid_uscc(code: str) -> None:
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", [
    "91330106MA2H3K7L5Q",   # wrong check character
    "91330106MA2H3K7L5",    # 17 characters
    "91330106MA2H3K7L5PP",  # 19 characters
    "91330106MI2H3K7L5P",   # I is not in the alphabet
])
def test_invalid_uscc_rejected(make: Any, code: str) -> None:
    assert not is_valid_uscc(code)
    with pytest.raises(ValidationError):
        make({"processor.uscc": code})


def test_uscc_is_normalised_to_upper_case(make: Any) -> None:
    assert make({"processor.uscc": "91330106ma2h3k7l5p"}).processor.uscc == "91330106MA2H3K7L5P"


def test_check_char_matches_gb32100_example() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize("value", ["forever", "indefinite", "永久", "Permanent"])
def test_forever_retention_is_invalid_with_clear_message(make: Any, value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        make({"retention.days": value})
    msg = str(exc.value)
    assert "concrete number of days" in msg and "M-8.5" in msg


@pytest.mark.parametrize("value", [0, -5, "30", True, 1.5, 40000])
def test_retention_must_be_positive_whole_days(make: Any, value: object) -> None:
    with pytest.raises(ValidationError):
        make({"retention.days": value})


def test_unknown_keys_are_forbidden_everywhere(make: Any) -> None:
    with pytest.raises(ValidationError):
        make({"surprise": 1})
    with pytest.raises(ValidationError):
        make({"storage.cloud": True})


def test_manifest_is_frozen(make: Any) -> None:
    m = make()
    with pytest.raises(ValidationError):
        m.id = "other"  # type: ignore[misc]


def test_duplicate_purposes_rejected(make: Any, data_for: Any) -> None:
    data = data_for({})
    data["purposes"].append(dict(data["purposes"][0]))
    with pytest.raises(ValidationError, match="only once"):
        Manifest.model_validate(data)


def test_purpose_outside_vocabulary_is_a_valid_manifest(make: Any) -> None:
    # M-4.1 / Art. 4: a lawful purpose the vocabulary does not list (member recognition by
    # consent) is a manifest the rules judge, not malformed input (issue 12 item 10).
    m = make({"purposes.0.code": "member_recognition"})
    assert m.purpose_codes == ("member_recognition",)
    with pytest.raises(ValidationError):  # the code is still a code, not free text
        make({"purposes.0.code": "recognise members!"})


def test_security_shorthand_and_detail(make: Any) -> None:
    m = make({"security.encryption": {"enabled": True, "detail": "SM4-GCM"}, "security.intrusion_detection": False})
    assert m.security.encryption is not None and m.security.encryption.detail == "SM4-GCM"
    assert m.security.intrusion_detection is not None and not m.security.intrusion_detection.enabled


def test_empty_text_is_invalid(make: Any) -> None:
    with pytest.raises(ValidationError):
        make({"name.zh": "   "})


def test_json_schema_is_published() -> None:
    schema = manifest_json_schema()
    assert schema["title"] == "facegate deployment manifest"
    assert schema["additionalProperties"] is False
    for key in ("processor", "purposes", "retention", "storage", "public_place", "incentives"):
        assert key in schema["properties"]
    assert "private_space" in schema["$defs"]["Scenario"]["properties"]
    assert schema["$defs"]["Retention"]["properties"]["days"]["exclusiveMinimum"] == 0
