"""GET /docs and its assets: Swagger UI's files come from the `fastapi-offline` package (pinned in
pyproject.toml), our page and its start-up script from this package, so /docs works on a network
without the internet and under the dashboard's Content-Security-Policy (nothing from another
host, no inline script)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response

from api.dashboard.routes import POLICY

router = APIRouter(include_in_schema=False)

SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")
OUR_FILES = ("init.js",)
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
}
CACHE = "public, max-age=86400"


@dataclass(frozen=True)
class File:
    body: bytes
    content_type: str
    etag: str


def _file(name: str, body: bytes) -> File:
    digest = hashlib.sha256(body).hexdigest()[:16]
    return File(body, TYPES[name[name.rfind(".") :]], f'"{digest}"')


@cache
def files() -> dict[str, File]:
    """Read once: Swagger UI's from the installed package, ours from this one."""
    swagger = resources.files("fastapi_offline") / "static"
    ours = resources.files("api.apidocs") / "static"
    found = {name: _file(name, (swagger / name).read_bytes()) for name in SWAGGER_FILES}
    found.update({name: _file(name, (ours / name).read_bytes()) for name in OUR_FILES})
    found["index.html"] = _file("index.html", (ours / "index.html").read_bytes())
    return found


def _answer(file: File, if_none_match: str | None, cache_control: str) -> Response:
    headers = {
        "Cache-Control": cache_control,
        "ETag": file.etag,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if if_none_match is not None and file.etag in if_none_match:
        return Response(status_code=304, headers=headers)
    return Response(content=file.body, media_type=file.content_type, headers=headers)


@router.get("/docs")
def docs_page(if_none_match: Annotated[str | None, Header()] = None) -> Response:
    response = _answer(files()["index.html"], if_none_match, "no-cache")
    response.headers["Content-Security-Policy"] = POLICY
    return response


@router.get("/docs/assets/{name}")
def docs_asset(name: str, if_none_match: Annotated[str | None, Header()] = None) -> Response:
    found = files().get(name)
    if found is None or name == "index.html":
        raise HTTPException(status_code=404, detail=f"no docs asset {name!r}")
    return _answer(found, if_none_match, CACHE)
