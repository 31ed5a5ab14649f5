"""The dashboard's files, read once from the package and served from memory.

Asset URLs carry a version (a hash of every file), so browsers may cache them for good and a new
release is fetched at once; the page itself is always revalidated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}

VERSION_MARK = "{{assets}}"
"""Where the page's template puts the versioned asset prefix."""


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


@dataclass(frozen=True)
class Catalogue:
    version: str
    page: Asset
    files: dict[str, Asset]


def _asset(name: str, body: bytes) -> Asset:
    suffix = name[name.rfind(".") :]
    digest = hashlib.sha256(body).hexdigest()[:16]
    return Asset(body=body, content_type=CONTENT_TYPES[suffix], etag=f'"{digest}"')


def _walk(folder: Traversable, prefix: str = "") -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            found.update(_walk(entry, name + "/"))
        elif name[name.rfind(".") :] in CONTENT_TYPES and name != "index.html":
            found[name] = entry.read_bytes()
    return found


@cache
def catalogue() -> Catalogue:
    """Every asset by its path under the static folder, and the page pointing at this version."""
    return catalogue_of("api.dashboard", "/dashboard/assets")


def catalogue_of(package: str, prefix: str) -> Catalogue:
    """The catalogue of a package's `static/` folder, its assets served under `prefix`."""
    static = resources.files(package) / "static"
    raw = _walk(static)
    hasher = hashlib.sha256()
    for name in sorted(raw):
        hasher.update(name.encode() + b"\0" + raw[name] + b"\0")
    version = hasher.hexdigest()[:12]
    template = (static / "index.html").read_text(encoding="utf-8")
    page = template.replace(VERSION_MARK, f"{prefix}/{version}")
    return Catalogue(
        version=version,
        page=_asset("index.html", page.encode()),
        files={name: _asset(name, body) for name, body in raw.items()},
    )
