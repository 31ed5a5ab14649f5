"""The README's sessions, run verbatim: its shell blocks, in order, in one bash, in an empty
folder, against the server they start on their own port. If the README's commands break, this
fails; so does a session that reaches another server than its own."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = ("A session with curl", "A supervisor's figures", "An auditor's session")
"""The README's sections whose shell blocks make one session (the others start the demo)."""
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def session_blocks(readme: str) -> list[str]:
    sections = re.split(r"^## ", readme, flags=re.MULTILINE)
    found = {section.split("\n", 1)[0]: section for section in sections}
    missing = [title for title in SESSIONS if title not in found]
    assert not missing, f"the README has no section {missing}"
    return [block for title in SESSIONS for block in BLOCK.findall(found[title])]


def test_the_session_blocks_are_found() -> None:
    blocks = session_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) == 3
    assert blocks[0].startswith("export TONGJIE_DATABASE_URL=")
    assert blocks[-1].rstrip().endswith("# the session's server stops")


@pytest.mark.slow  # a server, a dozen commands: about 20 s
def test_the_readmes_sessions_run_verbatim(tmp_path: Path) -> None:
    script = tmp_path / "session.sh"
    blocks = session_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    script.write_text("set -e\n" + "\n".join(blocks), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGJIE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    process = subprocess.Popen(
        ["bash", str(script)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its server too, stopped below whatever happens
    )
    try:
        out, _ = process.communicate(timeout=240)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    assert process.returncode == 0, out
    year = re.search(r'"number":"(\d{4})-000001"', out)
    assert year is not None, out
    assert "is the session's own server" in out
    assert out.count('"status":"resolved"') >= 2, out  # the board, by number and by street
    assert "VALID: case " in out
    assert re.search(r"VALID: \d+ events checked", out), out
    assert '"valid":true' in out
    assert "RegistrationCorrected" not in out
    assert "Resolved" in out  # the history's table
    assert re.search(r"VALID: \d+ parts checked", out), out  # the archive, offline
    spreadsheet = (tmp_path / "类别.csv").read_bytes().decode("utf-8")
    assert spreadsheet.startswith("\ufeff类别,受理,结案,调解成功,")
    assert "家事,1,1,1," in spreadsheet
    case_file = (tmp_path / "case-file.html").read_text(encoding="utf-8")
    assert f"{year.group(1)}-000001" in case_file
    assert "家事 · 邻里纠纷" in case_file
