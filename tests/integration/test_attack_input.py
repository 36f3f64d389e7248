"""Attacks with odd text (issue 11, items 2 and 3), on real SQLite and PostgreSQL.

Item 2: a reference the API accepted once (TAB, NUL, U+202E) could then never be
withdrawn (M-6.3). Item 3: NUL bytes reached PostgreSQL and came back as 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facegate.bootstrap import AppContext, build_context
from facegate.domain.refs import check_ref, ref_problem
from facegate.errors import InvalidInput
from facegate.services import consent as consent_service
from facegate.services import subjects
from facegate.services.access import create_api_key
from facegate.testing import FakeFaceEngine
from facegate.web.app import create_app
from tests.browser.kiosk_setup import HOTEL, PURPOSE, hotel_manifest, install
from tests.conftest import make_settings

BAD_REFS = ["guest\t1", "guest\x001", "guest\u202e1", "\u202eguest", " guest", "guest ", "", "x" * 129,
            "a\nb", "a\u200bb", "a\u2028b"]


@pytest.fixture
def ctx(tmp_path: Path, database_url: str) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), engine=FakeFaceEngine())
    install(c, hotel_manifest())
    yield c
    c.close()


@pytest.fixture
def api(ctx: AppContext) -> Iterator[TestClient]:
    admin = create_api_key(ctx.services, "admin", "admin", ("*",))
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin.token}"},
                    raise_server_exceptions=False) as c:
        yield c


def _notice(api: TestClient) -> str:
    return str(api.get(f"/v1/deployments/{HOTEL}").json()["notice_version"])


def _give(api: TestClient, ref: str, notice: str) -> object:
    return api.post("/v1/consents", json={"deployment_id": HOTEL, "subject_ref": ref, "purpose": PURPOSE,
                                          "notice_version": notice, "age_attested_by": "desk"})


# --- item 2: one rule for references, at the first write -------------------------------------------

@pytest.mark.parametrize("ref", BAD_REFS)
def test_a_reference_no_withdrawal_path_takes_is_refused_at_consent(api: TestClient, ctx: AppContext,
                                                                    ref: str) -> None:
    r = _give(api, ref, _notice(api))
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    # NUL is refused by the request guard before the schema even looks at the reference
    assert r.json()["code"] == ("text_invalid" if "\x00" in ref else "subject_ref_invalid")  # type: ignore[attr-defined]
    with ctx.services.store.transaction(readonly=True) as tx:
        assert tx.deployments.all()  # the store still answers; nothing half-written
    with pytest.raises(InvalidInput) as exc:  # the Python service refuses it the same way
        consent_service.give_consent(ctx.services, consent_service.ConsentRequest(HOTEL, ref, PURPOSE, "n" * 64))
    assert exc.value.code == "subject_ref_invalid"


def test_guardian_reference_follows_the_same_rule(api: TestClient) -> None:
    r = api.post("/v1/consents", json={"deployment_id": HOTEL, "subject_ref": "kid-1", "purpose": PURPOSE,
                                       "notice_version": _notice(api), "guardian_ref": "mum\u202e"})
    assert r.status_code == 422 and r.json()["code"] == "guardian_ref_invalid"


@pytest.mark.parametrize("ref", ["a/b", "../guest", "guest?x=1#y", "张三 李四", "100%", "ünï-çødé", "x" * 128, "a b"])
def test_every_accepted_reference_is_withdrawable_and_deletable_by_every_path(api: TestClient, ctx: AppContext,
                                                                               ref: str) -> None:
    notice = _notice(api)
    assert _give(api, ref, notice).status_code == 201  # type: ignore[attr-defined]
    path = f"/v1/deployments/{HOTEL}/subjects/{quote(ref, safe='')}"
    assert api.get(path).status_code == 200, api.get(path).text
    w = api.post("/v1/consents/withdraw", json={"deployment_id": HOTEL, "subject_ref": ref})
    assert w.status_code == 200 and w.json()["withdrawn"] == 1, w.text
    # again through the Python service, then deletion over HTTP (the path parameter)
    assert consent_service.withdraw_consent(ctx.services, HOTEL, ref).withdrawn == 0
    d = api.delete(path)
    assert d.status_code == 200, d.text
    with ctx.services.store.transaction(readonly=True) as tx:
        assert tx.subjects.get(tx.deployments.get(HOTEL).processor_id, ref) is None


@settings(max_examples=25, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(ref=st.text(min_size=1, max_size=40))
def test_property_whatever_consent_accepts_withdrawal_and_deletion_accept(ctx_factory_ref: object, ref: str) -> None:
    api, ctx, notice = ctx_factory_ref  # type: ignore[misc]
    r = _give(api, ref, notice)
    assert r.status_code in (201, 422), r.text  # type: ignore[attr-defined]
    if r.status_code == 422:  # type: ignore[attr-defined]
        assert ref_problem(ref) is not None
        return
    assert ref_problem(ref) is None and check_ref(ref) == ref
    assert api.post("/v1/consents/withdraw", json={"deployment_id": HOTEL, "subject_ref": ref}).status_code == 200
    assert subjects.delete_subject(ctx.services, HOTEL, ref).receipt_code.startswith("FGD-")


@pytest.fixture
def ctx_factory_ref(api: TestClient, ctx: AppContext) -> tuple[TestClient, AppContext, str]:
    return api, ctx, _notice(api)


# --- item 3: NUL bytes never reach a driver -----------------------------------------------------------

def test_nul_bytes_are_refused_with_a_stable_code_on_every_store(api: TestClient, ctx: AppContext) -> None:
    notice = _notice(api)
    attempts = {
        "consent subject_ref": api.post("/v1/consents", json={"deployment_id": HOTEL, "subject_ref": "a\x00b",
                                                              "purpose": PURPOSE, "notice_version": notice}),
        "consent channel": api.post("/v1/consents", json={"deployment_id": HOTEL, "subject_ref": "ok",
                                                          "purpose": PURPOSE, "notice_version": notice,
                                                          "channel": "a\x00b"}),
        "key name": api.post("/v1/keys", json={"name": "a\x00b", "role": "device", "scopes": [HOTEL]}),
        "key scope": api.post("/v1/keys", json={"name": "ok", "role": "device", "scopes": ["a\x00b"]}),
        "incident summary": api.post("/v1/workbench/incidents",
                                     json={"deployment_id": HOTEL, "summary": "a\x00b", "is_major": False}),
        "deployment path": api.get("/v1/deployments/a%00b"),
        "verify query": api.post(f"/v1/deployments/{HOTEL}/verify", params={"purpose": PURPOSE,
                                                                           "subject_ref": "a\x00b"},
                                 content=b"face:x:1", headers={"content-type": "image/jpeg"}),
        "kiosk": api.get("/kiosk/a%00b"),
        "kiosk notice": api.get("/kiosk/a%00b/notice"),
        "kiosk pair": api.post(f"/kiosk/{HOTEL}/pair", data={"device_key": "fg_a\x00b"}),
        "console login": api.post("/console/login", data={"api_key": "fg_a\x00b"}),
        "self-service": api.post("/self-service/lookup", data={"receipt_code": "FGR-\x00"},
                                 headers={"accept": "application/json"}),
        "manifest": api.post("/v1/deployments", content=_manifest_with_nul(),
                             headers={"content-type": "application/yaml"}),
    }
    errors = {name: (r.status_code, r.text[:200]) for name, r in attempts.items() if r.status_code >= 500}
    assert not errors, errors
    wrong = {name: r.status_code for name, r in attempts.items() if not 400 <= r.status_code < 500}
    assert not wrong, wrong
    assert attempts["deployment path"].json()["code"] == "text_invalid"
    assert attempts["consent subject_ref"].json()["code"] in ("text_invalid", "subject_ref_invalid")
    assert attempts["incident summary"].json()["code"] == "text_invalid"


def _manifest_with_nul() -> bytes:
    text = (Path(__file__).resolve().parents[2] / "examples" / "hotel-front-desk-check-in.yaml").read_text("utf-8")
    return text.replace("id: westlake-hotel-front-desk", 'id: "westlake\\0desk"', 1).encode()


def test_nul_from_the_python_api_is_refused_before_the_driver(ctx: AppContext) -> None:
    """The stores refuse NUL themselves, whoever calls them (CLI, Python services, a future route)."""
    with pytest.raises(InvalidInput) as exc:
        subjects.use_alternative(ctx.services, HOTEL, "check\x00in", "staff_check", True)
    assert exc.value.code == "text_invalid"


@pytest.mark.parametrize("ref", ["guest\u202e1", "guest\t1"])
def test_the_kiosk_and_the_cli_refuse_the_same_references(tmp_path: Path, ref: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The same rule at the kiosk form and on the command line as over the API (one function, M-6.3)."""
    from typer.testing import CliRunner

    from facegate.cli.main import app as cli
    from tests.integration.test_person_http import _consent, pair

    c = build_context(make_settings(tmp_path), engine=FakeFaceEngine())
    install(c, hotel_manifest())
    with TestClient(create_app(c)) as kiosk:
        pair(kiosk, c, HOTEL)
        _, r = _consent(kiosk, ref)
        assert r.status_code == 422 and r.headers["x-problem-code"] == "subject_ref_invalid"  # type: ignore[attr-defined]
    c.close()
    monkeypatch.setenv("FACEGATE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FACEGATE_ENV", "test")
    monkeypatch.setenv("FACEGATE_ENGINE", "dlib")
    out = CliRunner().invoke(cli, ["consent", "give", HOTEL, ref, "-p", PURPOSE, "--birth-date", "1990-01-01"])
    assert out.exit_code != 0 and "subject_ref_invalid" in out.output, out.output
