"""Render the case file's page: a jinja2 template that escapes every value it is given.

The page loads nothing: its style is inline and allowed by its hash alone, and no script runs
(the Content-Security-Policy below), so text a user typed into a case can never act on it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import tzinfo
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from api.casefile.view import case_file_view
from application.audit_dto import CaseFile

HERE = Path(__file__).parent
CSS = (HERE / "case_file.css").read_text(encoding="utf-8")
_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii")
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@cache
def _template() -> Template:
    environment = Environment(
        loader=FileSystemLoader(HERE),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("case_file.html")


def render_case_file(file: CaseFile, zone: tzinfo, names: Mapping[str, str]) -> str:
    return _template().render(css=CSS, **case_file_view(file, zone, names))
