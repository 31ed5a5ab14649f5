"""Render the case file's page and the agreement's: jinja2 templates that escape every value.

A page loads nothing: its style is inline and allowed by its hash alone, and no script runs
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

from api.casefile.agreement_view import agreement_view
from api.casefile.view import case_file_view
from application.audit_dto import CaseFile

HERE = Path(__file__).parent


def _style(name: str) -> tuple[str, str]:
    """A page's inline style, and the CSP source that allows it alone (its hash)."""
    css = (HERE / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return css, f"'sha256-{digest}'"


def _policy(style_source: str) -> str:
    return (
        f"default-src 'none'; style-src {style_source}; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


CSS, _CASE_FILE_STYLE = _style("case_file.css")
AGREEMENT_CSS, AGREEMENT_STYLE_SOURCE = _style("agreement.css")
"""The agreement's style as a CSP source: the workbench, which shows the agreement it fetched
in a tab of its own (which keeps the workbench's policy), allows it too."""
CONTENT_SECURITY_POLICY = _policy(_CASE_FILE_STYLE)
AGREEMENT_SECURITY_POLICY = _policy(AGREEMENT_STYLE_SOURCE)


@cache
def _template(name: str) -> Template:
    environment = Environment(
        loader=FileSystemLoader(HERE),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(name)


def render_case_file(file: CaseFile, zone: tzinfo, names: Mapping[str, str]) -> str:
    return _template("case_file.html").render(css=CSS, **case_file_view(file, zone, names))


def render_agreement(file: CaseFile, zone: tzinfo, names: Mapping[str, str]) -> str:
    """The 调解协议书 of a case resolved with a written agreement (`Audit.agreement`)."""
    view = agreement_view(file, zone, names)
    return _template("agreement.html").render(css=AGREEMENT_CSS, **view)
