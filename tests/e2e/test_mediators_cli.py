"""`tongjie mediators add --category` and `tongjie mediators list`: the categories a mediator
takes, from the command line on the server (a real process, on SQLite)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli_settings import run

M1 = ["mediators", "add", "m1", "--name", "张调解", "--organisation", "room-1"]


def test_a_mediator_added_with_categories_lists_them(tmp_path: Path) -> None:
    store = {"TONGJIE_DATABASE_URL": f"sqlite:///{tmp_path / 'tongjie.db'}"}
    org = ["orgs", "add", "room-1", "--name", "东湖街道通解室", "--kind", "street_room"]
    assert run(tmp_path, [*org, "--street", "东湖街道"], **store).returncode == 0
    added = run(
        tmp_path,
        [*M1, "--category", "other", "--category", "family"],
        **store,
    )
    assert added.returncode == 0, added.stderr
    every = run(
        tmp_path,
        ["mediators", "add", "m2", "--name", "李调解", "--organisation", "room-1"],
        **store,
    )
    assert every.returncode == 0, every.stderr
    listed = run(tmp_path, ["mediators", "list"], **store)
    assert listed.returncode == 0, listed.stderr
    cells = [
        [cell.strip() for cell in line.strip("│ ").split("│")]
        for line in listed.stdout.splitlines()
        if line.startswith("│")
    ]
    rows = {row[0]: row for row in cells}
    assert rows["m1"][-1] == "family other"
    assert rows["m2"][-1] == "all"
    wrong = run(
        tmp_path,
        [
            "mediators",
            "add",
            "m3",
            "--name",
            "王",
            "--organisation",
            "room-1",
            "--category",
            "nope",
        ],
        **store,
    )
    assert wrong.returncode == 2
