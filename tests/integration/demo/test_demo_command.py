"""`tongjie demo` as a user runs it: tokens printed once, written only when asked, errors in one
line with exit code 2 and nothing recorded."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from api.bootstrap import build_application, build_views
from api.cli.demo_loader import load_demo_if_empty
from demo import DemoOptions
from infrastructure.settings import Settings
from tests.integration.demo.histories import (
    Histories,
    data,
    read_histories,
    replay_by_command,
)


def tongjie(url: str, *args: str, hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGJIE_DATABASE_URL": url, "PYTHONHASHSEED": hash_seed}
    return subprocess.run(
        [sys.executable, "-m", "api.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def stored_events(url: str) -> int:
    app = build_application(Settings(database_url=url))
    try:
        return app.store.recorder.max_notification_id() or 0
    finally:
        app.close()


def test_demo_prints_tokens_once_and_writes_them_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    tokens_file = tmp_path / "tokens.txt"
    done = tongjie(url, "demo", "--cases", "40", "--tokens-file", str(tokens_file))
    assert done.returncode == 0, done.stderr
    printed = {
        line.split()[0]: line.split()[1] for line in done.stdout.splitlines() if " tj_" in line
    }
    assert {"admin", "supervisor", "auditor"} <= set(printed)
    assert len(printed) == 6
    rows = [line.split("\t") for line in tokens_file.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["login", "role", "mediator", "name", "token"]
    assert len(rows) == 1 + 303
    assert stat.S_IMODE(tokens_file.stat().st_mode) == 0o600
    written = {row[0]: row for row in rows[1:]}
    app = build_application(Settings(database_url=url))
    try:
        for login, token in printed.items():
            assert written[login][4] == token
        for login, role, mediator, _, token in rows[1:]:
            actor = app.users.authenticate(token)
            assert (actor.login, actor.role.value, actor.mediator) == (
                login,
                role,
                mediator or None,
            )
    finally:
        app.close()

    before = stored_events(url)
    again = tongjie(url, "demo", "--cases", "40")
    assert again.returncode == 2
    assert again.stderr.startswith("tongjie: error: the store already holds data")
    assert stored_events(url) == before
    assert load_demo_if_empty(Settings(database_url=url)) is False
    assert "without loading the demo" in capsys.readouterr().out
    assert stored_events(url) == before


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--year", "2999"), "year"),
        (("--as-of", "2999-01-01"), "as_of"),
        (("--cases", "0"), "--cases"),
    ],
)
def test_bad_options_record_nothing(tmp_path: Path, args: tuple[str, ...], field: str) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    done = tongjie(url, "demo", *args)
    assert done.returncode == 2
    assert done.stderr.startswith("tongjie: error:")
    assert field in done.stderr
    assert stored_events(url) == 0


def test_an_unwritable_tokens_file_is_refused_before_loading(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    done = tongjie(url, "demo", "--tokens-file", str(tmp_path / "missing" / "tokens.txt"))
    assert done.returncode == 2
    assert "--tokens-file" in done.stderr
    assert stored_events(url) == 0


def test_the_same_seed_gives_the_same_data_in_any_process(tmp_path: Path) -> None:
    """Nothing depends on the process (its hash seed, its clock): only on seed and day."""
    urls = [f"sqlite:///{tmp_path / f'{n}.db'}" for n in (1, 2)]
    for n, url in enumerate(urls, start=1):
        done = tongjie(url, "demo", "--cases", "30", "--as-of", "2026-11-02", hash_seed=str(n))
        assert done.returncode == 0, done.stderr
    first, second = (histories_of(url) for url in urls)
    assert business_data(first) == business_data(second)
    assert len(first.cases) > 30
    for events in first.cases.values():  # on 2 November the overdue ones had short deadlines
        replay_by_command(events)


def histories_of(url: str) -> Histories:
    app = build_application(Settings(database_url=url))
    try:
        return read_histories(app.store)
    finally:
        app.close()


def business_data(histories: Histories) -> tuple[dict[Any, Any], dict[Any, Any], list[Any]]:
    cases = {key: [data(e) for e in events] for key, events in histories.cases.items()}
    mediators = {code: data(e) for code, e in histories.mediators.items()}
    users = sorted((u.login, u.name, u.role, u.mediator) for u in histories.users)
    return cases, mediators, users


def test_serve_demo_brings_the_views_up_to_the_demo_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server's first answers count the whole demo, not the part its views had read."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}")
    assert load_demo_if_empty(settings, DemoOptions(cases=40)) is True
    assert "views up to date" in capsys.readouterr().out
    head = stored_events(settings.database_url)
    app = build_application(settings)
    views = build_views(settings, app)
    try:
        assert views.engine.positions() == dict.fromkeys(views.engine.views, head)
    finally:
        views.close()
        app.close()
