"""The OpenAPI document declares what every write takes, and /docs is served from here."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.settings import Settings

CASE_WRITE = re.compile(r"^/api/v1/cases(/\{case_id\}/[a-z-]+)?$")
ANY_HOST = re.compile(r"""(?:src|href)=["'](?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'tongjie.db'}"))
    return TestClient(app)  # no lifespan: the document and the docs need no store


def _writes(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
    ]


def _headers(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}


def test_every_write_declares_idempotency_key_and_every_case_write_if_match(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    writes = _writes(document)
    case_writes = [w for w in writes if CASE_WRITE.match(w[1]) and w[0] == "post"]
    assert len(case_writes) >= 9  # receive, the eight commands on a case, documents
    for method, path, operation in writes:
        headers = _headers(operation)
        assert "Idempotency-Key" in headers, (method, path)
        assert headers["Idempotency-Key"].get("description"), (method, path)
        assert not headers["Idempotency-Key"].get("required", False)
    for method, path, operation in case_writes:
        headers = _headers(operation)
        assert "If-Match" in headers, (method, path)
        assert "412" in headers["If-Match"]["description"]
        if path != "/api/v1/cases":
            assert "412" in operation["responses"], (method, path)


def test_docs_load_swagger_ui_from_this_server_under_the_dashboards_policy(
    client: TestClient,
) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert ANY_HOST.search(page.text) is None
    assert "<script>" not in page.text  # no inline script: the policy would refuse it
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', page.text):
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 0
    assert client.get("/docs/assets/index.html").status_code == 404
    assert client.get("/docs/assets/../routes.py").status_code == 404
    assert client.get("/redoc").status_code == 404  # it would load from a CDN
