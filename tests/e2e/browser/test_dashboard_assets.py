"""The dashboard's page and assets as HTTP answers: no browser needed, so these run everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.dashboard import router
from api.dashboard.assets import catalogue

ASSET_URL = re.compile(r'(?:href|src)="(/dashboard/assets/[^"]+)"')
IMPORT = re.compile(r'^import .* from "(\./[^"]+)";$', re.MULTILINE)
ANY_URL = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", re.IGNORECASE)
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:
        yield client


def test_the_page_needs_no_token_and_is_always_revalidated(client: TestClient) -> None:
    answer = client.get("/dashboard")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["cache-control"] == "no-cache"
    assert "connect-src 'self'" in answer.headers["content-security-policy"]
    assert '<input id="token" name="token"' in answer.text
    again = client.get("/dashboard", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_every_asset_the_page_names_is_served_with_its_type_and_cached_for_good(
    client: TestClient,
) -> None:
    page = client.get("/dashboard").text
    urls = ASSET_URL.findall(page)
    assert {url.rsplit("/", 1)[1] for url in urls} == {"icon.svg", "dashboard.css", "main.js"}
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["content-type"].startswith(types[url[url.rfind(".") :]])
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_an_old_version_gets_the_current_file_but_no_long_cache(client: TestClient) -> None:
    answer = client.get("/dashboard/assets/0ld/js/main.js")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["js/nothing.js", "../routes.py", "index.html", "js/../../assets.py"]
)
def test_anything_but_a_listed_asset_is_404(client: TestClient, path: str) -> None:
    answer = client.get(f"/dashboard/assets/{catalogue().version}/{path}")
    assert answer.status_code == 404


def test_every_module_import_resolves_to_a_served_file() -> None:
    files = catalogue().files
    for name, asset in files.items():
        if not name.endswith(".js"):
            continue
        for target in IMPORT.findall(asset.body.decode()):
            assert f"js/{target[2:]}" in files, f"{name} imports {target}"


def test_nothing_names_another_host() -> None:
    texts = {"index.html": catalogue().page.body.decode()}
    texts.update({name: a.body.decode() for name, a in catalogue().files.items()})
    for name, text in texts.items():
        hosts = [url for url in ANY_URL.findall(text) if not SVG_NAMESPACE.startswith(url)]
        assert hosts == [], f"{name} names {hosts}"
