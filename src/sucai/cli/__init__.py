"""The `sucai` command (typer): a thin layer over the Library; every command also speaks --json.

Each module registers its commands on the one `app` of cli/common.py; importing them here builds the command.
"""

from __future__ import annotations

from sucai.cli import codes, desk, library, render, service, users, web  # noqa: F401 - they register commands
from sucai.cli.common import app

__all__ = ["app", "main"]

# `sucai --help` lists the library's commands first, then the desk's, then running the service.
ORDER = ("ingest", "list", "show", "search", "export", "delete", "reindex", "check", "lint", "polish", "outline",
         "phrases", "trace", "serve", "demo", "watch", "publish")


def _rank(command: object) -> int:
    name = getattr(command, "name", None) or getattr(getattr(command, "callback", None), "__name__", "")
    return ORDER.index(name) if name in ORDER else len(ORDER)


app.registered_commands.sort(key=_rank)


def main() -> None:
    app()
