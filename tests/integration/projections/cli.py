"""`project` and `rebuild` as the `tongjie` command runs them, for tests in other processes."""

from __future__ import annotations

import typer

from api.cli.views import project, rebuild

app = typer.Typer(add_completion=False)
app.command()(project)
app.command()(rebuild)

if __name__ == "__main__":
    app()
