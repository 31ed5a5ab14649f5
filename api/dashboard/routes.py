"""GET /dashboard and its assets. No token here: the page signs in itself (api.md, "Operations")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response

from api.dashboard.assets import Asset, catalogue

router = APIRouter(include_in_schema=False)

POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""The browser itself refuses anything from another host."""

PAGE_CACHE = "no-cache"
VERSIONED_CACHE = "public, max-age=31536000, immutable"


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


@router.get("/dashboard")
def dashboard_page(
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The page; hash routes (`#/cases/{id}`) and filters (the query string) run in the browser."""
    response = _answer(catalogue().page, PAGE_CACHE, if_none_match)
    response.headers["Content-Security-Policy"] = POLICY
    return response


@router.get("/dashboard/assets/{version}/{path:path}")
def dashboard_asset(
    version: str,
    path: str,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A script, style sheet or icon; cached for good when the URL names the current version."""
    current = catalogue()
    asset = current.files.get(path)
    if asset is None:
        raise HTTPException(status_code=404, detail=f"no dashboard asset {path!r}")
    cache_control = VERSIONED_CACHE if version == current.version else PAGE_CACHE
    return _answer(asset, cache_control, if_none_match)
