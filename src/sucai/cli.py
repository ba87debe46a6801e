"""The `sucai` command: a thin layer over the Library; every command also speaks --json."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sucai import access, errors
from sucai.cli_render import print_document, print_ingest_report, print_list, print_search
from sucai.library import Library, open_library
from sucai.model import User, to_dict
from sucai.settings import Settings

app = typer.Typer(help="素材库 sucai: a material library for Chinese official writing.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users, tiers and API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
err = Console(stderr=True)

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


@contextmanager
def _library(db: str | None) -> Iterator[Library]:
    try:
        lib = open_library(settings=Settings.from_env(db=db))
    except errors.SucaiError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(_exit_code(exc)) from exc
    try:
        yield lib
    except errors.SucaiError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(_exit_code(exc)) from exc
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


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or .zip archives.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read, clean, split, structure and store documents; non-zero exit when any file failed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sucai.ingest.pipeline import count_inputs

    with _library(db) as lib:
        total = count_inputs([str(p) for p in paths])
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=err, transient=True, disable=as_json)
        with bar:
            task = bar.add_task("ingest", total=total)
            report = lib.ingest(
                paths, progress=lambda done, origin: bar.update(task, completed=done, description=origin[-40:])
            )
        _emit(as_json, _ingest_json(report), lambda: print_ingest_report(report))
        if report.failed:
            raise typer.Exit(1)


def _ingest_json(report: Any) -> dict[str, Any]:
    return {
        "documents": to_dict(report.documents),
        "skipped": to_dict(report.skipped),
        "failed": to_dict(report.failed),
    }


@app.command("list")
def list_documents(
    db: DbOption = None, as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="How many.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many.")] = 0,
) -> None:
    """List documents, newest first."""
    with _library(db) as lib:
        total, docs = lib.list_documents(offset=offset, limit=limit)
        obj = {
            "total": total,
            "documents": [
                {"id": d.id, "title": d.title, "source": d.source, "year": d.year, "genre": d.genre, "chars": d.chars}
                for d in docs
            ],
        }
        _emit(as_json, obj, lambda: print_list(total, docs))


def document_json(doc: Any) -> dict[str, Any]:
    """The `show` object of DESIGN.md (also served at /api/documents/{id})."""
    return {
        "id": doc.id, "title": doc.title, "year": doc.year, "genre": doc.genre, "tags": doc.tags,
        "source": doc.source, "duplicate_of": doc.duplicate_of,
        "blocks": [{"kind": b.kind, "level": b.level, "text": b.text, "paid": b.paid} for b in doc.blocks],
        "outline": [{"level": o.level, "text": o.text, "block": o.block} for o in doc.outline],
        "placeholders": [to_dict(p) for p in doc.placeholders],
        "removed": [to_dict(r) for r in doc.removed],
        "repairs": [to_dict(r) for r in doc.repairs],
        "locked": doc.locked,
    }


@app.command()
def show(
    doc_id: Annotated[int, typer.Argument(help="Document id.")],
    db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None,
) -> None:
    """Show one document: metadata, outline and blocks (member-only blocks only for those with access)."""
    with _library(db) as lib:
        doc = lib.document(doc_id, _viewer(lib, as_user))
        _emit(as_json, document_json(doc), lambda: print_document(doc))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Terms (AND), "phrases", -exclude, A OR B, genre: year: tag: title:')],
    db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None,
    limit: Annotated[int, typer.Option(help="Hits per page.")] = 20,
    offset: Annotated[int, typer.Option(help="Skip this many hits.")] = 0,
) -> None:
    """Exact-substring search: every document containing the phrase, ranked, with highlighted snippets."""
    with _library(db) as lib:
        res = lib.search(query, limit=limit, offset=offset, viewer=_viewer(lib, as_user))
        obj = {
            "query": res.query, "total": res.total,
            "hits": [{"id": h.id, "title": h.title, "score": h.score, "snippets": h.snippets, "locked": h.locked}
                     for h in res.hits],
        }
        _emit(as_json, obj, lambda: print_search(res))


@app.command()
def export(
    doc_id: Annotated[int, typer.Argument(help="Document id.")],
    fmt: Annotated[str, typer.Option("--format", help="docx, txt or md.")] = "docx",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: title).")] = None,
    db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None,
) -> None:
    """Download a document (traced to the account that exported it)."""
    with _library(db) as lib:
        data, filename, _media = lib.export(doc_id, fmt, _viewer(lib, as_user))
        target = output or Path(filename)
        target.write_bytes(data)
        _emit(as_json, {"path": str(target), "bytes": len(data)}, lambda: err.print(f"wrote {target}"))


@app.command()
def reindex(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Re-parse every stored source file and rebuild the search index from the store."""
    with _library(db) as lib:
        count = lib.reindex()
        _emit(as_json, {"indexed": count}, lambda: err.print(f"indexed {count} documents"))


@app.command()
def delete(
    doc_id: Annotated[int, typer.Argument(help="Document id.")], db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Delete a document (it leaves search at once)."""
    with _library(db) as lib:
        lib.delete(doc_id)
        _emit(as_json, {"deleted": doc_id}, lambda: err.print(f"deleted {doc_id}"))


def main() -> None:
    app()


# The other command groups register themselves on `app`.
from sucai import cli_desk, cli_inbox, cli_users, cli_web  # noqa: E402, F401
