"""GET /workbench, its assets and its service worker. No token here: the app signs in itself.

The same rules as the dashboard's (api/dashboard/routes.py): everything from this origin, a
strict Content-Security-Policy, versioned assets cached for good, the page revalidated.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, HTTPException, Response
from fastapi.responses import RedirectResponse

from api.casefile.render import AGREEMENT_STYLE_SOURCE
from api.dashboard.assets import Asset, Catalogue, catalogue_of
from api.dashboard.routes import PAGE_CACHE, POLICY, VERSIONED_CACHE

router = APIRouter(include_in_schema=False)

PREFIX = "/workbench"
ASSETS = f"{PREFIX}/assets"
WORKBENCH_POLICY = (
    POLICY.replace("style-src 'self'", f"style-src 'self' {AGREEMENT_STYLE_SOURCE}")
    + "; manifest-src 'self'; worker-src 'self'"
)
"""The dashboard's policy, and: the agreement's own style (the workbench shows the agreement
page it fetched with the token in a tab from a blob, which keeps this policy)."""
WORKER = "sw.js"
"""The service worker's file in static/, served at /workbench/sw.js so that its scope can
cover the page (`Service-Worker-Allowed`), with the version and the files it keeps filled in."""


@cache
def catalogue() -> Catalogue:
    return catalogue_of("api.workbench", ASSETS)


@cache
def worker() -> Asset:
    current = catalogue()
    files = [PREFIX] + [f"{ASSETS}/{current.version}/{name}" for name in sorted(current.files)]
    body = (
        current.files[WORKER]
        .body.decode()
        .replace('"{{version}}"', orjson.dumps(current.version).decode())
        .replace('["{{files}}"]', orjson.dumps(files).decode())
    )
    return Asset(body.encode(), "text/javascript; charset=utf-8", f'"{current.version}"')


def _answer(asset: Asset, cache_control: str, if_none_match: str | None) -> Response:
    headers = {
        "Cache-Control": cache_control,
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if if_none_match is not None and asset.etag in if_none_match:
        return Response(status_code=304, headers=headers)
    return Response(content=asset.body, media_type=asset.content_type, headers=headers)


@router.get("/")
def home() -> RedirectResponse:
    """The people who do the work start at the workbench."""
    return RedirectResponse(PREFIX, status_code=307)


@router.get(PREFIX)
def workbench_page(if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """The app; its views (`#/cases/{id}`, `#/receive`, ...) run in the browser."""
    response = _answer(catalogue().page, PAGE_CACHE, if_none_match)
    response.headers["Content-Security-Policy"] = WORKBENCH_POLICY
    return response


@router.get(f"{PREFIX}/{WORKER}")
def service_worker(if_none_match: Annotated[str | None, Header()] = None) -> Response:
    response = _answer(worker(), PAGE_CACHE, if_none_match)
    response.headers["Service-Worker-Allowed"] = PREFIX
    return response


@router.get(f"{ASSETS}/{{version}}/{{path:path}}")
def workbench_asset(
    version: str, path: str, if_none_match: Annotated[str | None, Header()] = None
) -> Response:
    current = catalogue()
    asset = current.files.get(path)
    if asset is None:
        raise HTTPException(status_code=404, detail=f"no workbench asset {path!r}")
    cache_control = VERSIONED_CACHE if version == current.version else PAGE_CACHE
    return _answer(asset, cache_control, if_none_match)
