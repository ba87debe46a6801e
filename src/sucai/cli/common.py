"""What every `sucai` command shares: the app, the common options, opening the library, errors as exit codes
and `--json` output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from sucai import access, errors
from sucai.cli.render import (
    console,
)
from sucai.library import Library, open_library
from sucai.model import User
from sucai.settings import Settings

app = typer.Typer(help="素材库 sucai: a material library for Chinese official writing.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users, tiers and API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
err = console(stderr=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Library: a SQLite path or postgresql:// URL ($SUCAI_DB).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
AsOption = Annotated[str | None, typer.Option("--as", help="Read as this user (default: the operator).")]

# One place maps the exception tree to exit codes.
EXIT_CODES: dict[type[errors.SucaiError], int] = {
    errors.InputError: 2,
    errors.QueryError: 2,
    errors.NotFound: 3,
    errors.AccessDenied: 4,
    errors.TraceError: 5,
    errors.StoreError: 6,
}


def _exit_code(exc: errors.SucaiError) -> int:
    for kind, code in EXIT_CODES.items():
        if isinstance(exc, kind):
            return code
    return 1


def _fail(exc: errors.SucaiError, as_json: bool) -> typer.Exit:
    """Report an error (a JSON object on stdout with --json, else a line on stderr); the exit to raise."""
    code = _exit_code(exc)
    if as_json:
        sys.stdout.write(json.dumps({"error": str(exc), "exit_code": code}, ensure_ascii=False) + "\n")
    else:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
    return typer.Exit(code)


def _new_sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file opening the library would create, or None when it exists (or is not a file)."""
    if settings.db.startswith(("postgresql://", "postgres://")) or settings.db == ":memory:":
        return None
    path = Path(settings.db.removeprefix("sqlite:///"))
    return None if path.exists() else path


def open_announced(settings: Settings) -> Library:
    """Open the library; when that creates its file, say where (once, on stderr): without SUCAI_DB every
    command would otherwise make ./library.db silently wherever it is run."""
    created = _new_sqlite_file(settings)
    lib = open_library(settings=settings)
    if created is not None:
        err.print(f"新建素材库 created a new library: {escape(str(created.resolve()))} "
                  "(choose another with --db or SUCAI_DB)", highlight=False)
    return lib


@contextmanager
def _library(db: str | None, as_json: bool = False) -> Iterator[Library]:
    try:
        lib = open_announced(Settings.from_env(db=db))
    except errors.SucaiError as exc:
        raise _fail(exc, as_json) from exc
    try:
        yield lib
    except errors.SucaiError as exc:
        raise _fail(exc, as_json) from exc
    finally:
        lib.close()


def _viewer(lib: Library, name: str | None) -> User:
    if name is None:
        return access.OPERATOR
    if name == "guest":
        return access.GUEST
    return lib.user(name)


def _emit(as_json: bool, obj: Any, human: Callable[[], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
    else:
        human()
