"""`sucai ingest|list|show|search|export|reindex|delete`: the library's documents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from sucai import errors
from sucai.cli.common import AsOption, DbOption, JsonOption, _emit, _library, _viewer, app, err
from sucai.cli.render import (
    count,
    print_document,
    print_ingest_report,
    print_list,
    print_search,
    progress_bar,
)
from sucai.views import document_json, documents_json, ingest_json, search_json


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
        _emit(as_json, ingest_json(report), lambda: print_ingest_report(report))
        if report.failed:
            raise typer.Exit(1)


@app.command("list")
def list_documents(
    db: DbOption = None, as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="How many.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many.")] = 0,
) -> None:
    """List documents, newest first."""
    with _library(db, as_json) as lib:
        total, docs = lib.list_documents(offset=offset, limit=limit)
        _emit(as_json, documents_json(total, docs), lambda: print_list(total, docs))


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
    mistyped = [w for w in words if re.fullmatch(r"--[A-Za-z][\w-]*(=.*)?", w)]
    if mistyped:  # a query term starts with one minus (an exclusion); two make an option, misspelt
        raise typer.BadParameter(f"no such option: {mistyped[0]} (see sucai search --help)", param_hint="QUERY")
    query = " ".join(words)
    with _library(db, as_json) as lib:
        res = lib.search(query, limit=limit, offset=offset, viewer=_viewer(lib, as_user))
        _emit(as_json, search_json(res), lambda: print_search(res))


@app.command()
def export(
    doc_id: Annotated[int, typer.Argument(help="Document id.")],
    fmt: Annotated[str, typer.Option("--format", help="docx, txt, md, pptx (slides) or pdf.")] = "docx",
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
