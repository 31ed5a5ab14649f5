"""The workbench's page, assets, manifest and service worker as HTTP answers (no browser)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.workbench import router
from api.workbench.routes import catalogue

ASSET_URL = re.compile(r'(?:href|src)="(/workbench/assets/[^"]+)"')
IMPORT = re.compile(r'^import .* from "(\./[^"]+)";$', re.MULTILINE)
ANY_URL = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", re.IGNORECASE)
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:
        yield client


def test_the_page_signs_in_itself_under_a_strict_policy(client: TestClient) -> None:
    answer = client.get("/workbench")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"
    policy = answer.headers["content-security-policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'"):
        assert directive in policy
    assert "manifest-src 'self'" in policy
    assert "worker-src 'self'" in policy
    assert '<input id="token" name="token"' in answer.text
    assert "data-outbox" in answer.text
    assert "<script>" not in answer.text  # no inline script
    urls = ASSET_URL.findall(answer.text)
    names = {url.split("/", 4)[4] for url in urls}
    assert names == {"manifest.json", "icon.svg", "workbench.css", "js/main.js"}
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_the_root_leads_to_the_workbench(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"] == "/workbench"


def test_the_manifest_makes_it_installable_from_this_origin(client: TestClient) -> None:
    manifest = json.loads(catalogue().files["manifest.json"].body)
    assert manifest["start_url"] == "/workbench"
    assert manifest["scope"] == "/workbench"
    assert manifest["display"] == "standalone"
    assert all(not icon["src"].startswith(("http", "//")) for icon in manifest["icons"])


def test_the_service_worker_keeps_the_apps_files_and_never_the_api(client: TestClient) -> None:
    answer = client.get("/workbench/sw.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["service-worker-allowed"] == "/workbench"
    assert answer.headers["cache-control"] == "no-cache"
    text = answer.text
    version = catalogue().version
    assert f'const VERSION = "{version}";' in text
    files = json.loads(re.search(r"const FILES = (\[.*?\]);", text).group(1))  # type: ignore[union-attr]
    assert "/workbench" in files
    assert f"/workbench/assets/{version}/js/main.js" in files
    assert all(f.startswith("/workbench") for f in files)
    for url in files:
        assert client.get(url).status_code == 200, url
    assert "/api/" not in text.replace("/api/ requests", "")


def test_every_module_import_resolves_and_nothing_names_another_host() -> None:
    files = catalogue().files
    for name, asset in files.items():
        text = asset.body.decode()
        if name.endswith(".js"):
            for target in IMPORT.findall(text):
                assert f"js/{target[2:]}" in files, f"{name} imports {target}"
        hosts = [url for url in ANY_URL.findall(text) if not SVG_NAMESPACE.startswith(url)]
        assert hosts == [], f"{name} names {hosts}"
