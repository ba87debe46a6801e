"""The `sucai` command: a thin layer over the Library; every command also speaks --json."""

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
from sucai.cli_render import (
    console,
    count,
    print_document,
    print_ingest_report,
    print_list,
    print_search,
    progress_bar,
)
from sucai.library import Library, open_library
from sucai.model import User, to_dict
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


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or .zip archives.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    again: Annotated[bool, typer.Option(
        "--again", help="Take back files already stored, with the documents deleted from them.")] = False,
) -> None:
    """Read, clean, split, structure and store documents; non-zero exit when any file failed."""
    from sucai.ingest.pipeline import count_inputs

    with _library(db, as_json) as lib:
        total = count_inputs([str(p) for p in paths])
        bar = progress_bar(err, disable=as_json)
        with bar:
            task = bar.add_task("ingest", total=total)
            report = lib.ingest(
                paths, progress=lambda done, origin: bar.update(task, completed=done, description=origin[-40:]),
                again=again,
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
    with _library(db, as_json) as lib:
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
    with _library(db, as_json) as lib:
        doc = lib.document(doc_id, _viewer(lib, as_user))
        _emit(as_json, document_json(doc), lambda: print_document(doc))


# A query may start with "-" (an exclusion, "-党课 以学铸魂"): words that are no option of the command are
# query words, not "No such option" errors; `sucai search -- -x` works too.
@app.command(context_settings={"ignore_unknown_options": True})
def search(
    words: Annotated[list[str], typer.Argument(
        help='Terms (AND), "phrases", -exclude, A OR B, genre: year: tag: title: (quoted or as several words)',
        metavar="QUERY")],
    db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None,
    limit: Annotated[int, typer.Option(help="Hits per page.")] = 20,
    offset: Annotated[int, typer.Option(help="Skip this many hits.")] = 0,
) -> None:
    """Exact-substring search: every document containing the phrase, ranked, with highlighted snippets."""
    query = " ".join(words)
    with _library(db, as_json) as lib:
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
    fmt: Annotated[str, typer.Option("--format", help="docx, txt, md or pptx (slides from the outline).")] = "docx",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: title).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
    db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None,
) -> None:
    """Download a document (traced to the account that exported it); never overwrites without --force."""
    from sucai.export import safe_filename

    with _library(db, as_json) as lib:
        viewer = _viewer(lib, as_user)
        target = output or Path(safe_filename(lib.document(doc_id, viewer).title, fmt))
        if target.exists() and not force:  # checked before the download spends quota
            raise _exists(target)
        data, _filename, _media = lib.export(doc_id, fmt, viewer)
        try:
            with target.open("wb" if force else "xb") as fh:  # "x": a file made meanwhile is not clobbered
                fh.write(data)
        except FileExistsError:
            raise _exists(target) from None
        except OSError as exc:
            raise errors.InputError(f"{target}: cannot write it ({exc.strerror or exc})") from exc
        _emit(as_json, {"path": str(target), "bytes": len(data)}, lambda: err.print(f"wrote {escape(str(target))}"))


def _exists(target: Path) -> errors.InputError:
    return errors.InputError(f"{target} already exists; not overwritten (add --force to replace it)")


@app.command()
def reindex(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Re-parse every stored source file and rebuild the search index from the store."""
    with _library(db, as_json) as lib:
        bar = progress_bar(err, disable=as_json)
        with bar:
            task = bar.add_task("reindex", total=None)
            indexed = lib.reindex(progress=lambda done, total: bar.update(task, completed=done, total=total))
        _emit(as_json, {"indexed": indexed}, lambda: err.print(f"indexed {count(indexed, 'document')}"))


@app.command()
def delete(
    doc_id: Annotated[int, typer.Argument(help="Document id.")], db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Delete a document (it leaves search at once)."""
    with _library(db, as_json) as lib:
        lib.delete(doc_id)
        _emit(as_json, {"deleted": doc_id}, lambda: err.print(f"deleted {doc_id}"))


def main() -> None:
    app()


# The other command groups register themselves on `app`.
from sucai import cli_codes, cli_desk, cli_service, cli_users, cli_web  # noqa: E402, F401
