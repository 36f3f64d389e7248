"""/docs works without the Internet: Swagger UI comes from the installed package, not a CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext
from facegate.web.app import create_app


def test_docs_reference_only_local_assets(fake_ctx: AppContext) -> None:
    client = TestClient(create_app(fake_ctx))
    page = client.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert "cdn" not in page.text.lower()
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(ref.startswith("/") for ref in refs), refs  # nothing leaves the device
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.content) > 500, ref
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN: not served
