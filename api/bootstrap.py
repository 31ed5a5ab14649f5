"""The one composition root: settings in, a wired application out. Nothing connects at import."""

from __future__ import annotations

from application.tongjie import Tongjie
from infrastructure.settings import Settings
from infrastructure.transcodings import domain_transcodings


def build_application(settings: Settings) -> Tongjie:
    return Tongjie(settings.persistence_env(), domain_transcodings(), settings.zone)
