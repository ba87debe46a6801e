"""`sucai check`, `sucai lint`, `sucai phrases`, `sucai trace`: the writing desk and download tracing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sucai.cli.common import AsOption, DbOption, JsonOption, _emit, _library, _viewer, app
from sucai.cli.render import out, print_trace
from sucai.errors import InputError
from sucai.model import to_dict
from sucai.views import phrases_json

DraftArgument = Annotated[Path, typer.Argument(help="A draft: .txt, .md or .docx.")]


def read_draft(path: Path) -> str:
    """A draft's text, decoded like any ingested file."""
    from sucai.ingest.limits import Limits
    from sucai.ingest.readers import read
    from sucai.store.base import StoredFile

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    data = path.read_bytes()
    fmt = path.suffix.lower().lstrip(".") or "txt"
    texts = read(StoredFile(str(path), "", data, fmt), Limits())
    return "\n".join(t.text for t in texts)


@app.command()
def check(draft: DraftArgument, db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None) -> None:
    """Originality check (查重) of a draft against the whole library (with --as, as that user may read it)."""
    with _library(db) as lib:
        report = lib.check(read_draft(draft), _viewer(lib, as_user))

        def human() -> None:
            out.print(
                f"总文字复制比 {report.copy_ratio:.1%}  去除引用文献复制比 {report.copy_ratio_excluding_quotes:.1%}"
                f"  单篇最大文字复制比 {report.max_single_source_ratio:.1%}"
            )
            out.print(f"{report.copied_chars} of {report.chars} characters copied")
            for src in report.sources:
                out.print(f"  #{src.id} {src.title}: {src.copied_chars} chars")

        obj = {
            "chars": report.chars, "copied_chars": report.copied_chars, "copy_ratio": report.copy_ratio,
            "copy_ratio_excluding_quotes": report.copy_ratio_excluding_quotes,
            "max_single_source_ratio": report.max_single_source_ratio,
            "sources": to_dict(report.sources), "spans": to_dict(report.spans), "sections": to_dict(report.sections),
        }
        _emit(as_json, obj, human)


@app.command()
def lint(draft: DraftArgument, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Lint a draft for official writing: placeholders, numbering, punctuation, quotes, wording."""
    with _library(db) as lib:
        text = read_draft(draft)
        report = lib.lint(text)

        def human() -> None:
            for p in report.problems:
                out.print(f"{p.start}-{p.end} [{p.rule}] {p.message} → {p.suggestion}  「{text[p.start:p.end]}」")
            out.print(f"{len(report.problems)} problems")

        _emit(as_json, {"problems": to_dict(report.problems)}, human)


@app.command()
def phrases(
    text: Annotated[str, typer.Argument(help="Text the phrase contains, taken literally (none: all).")] = "",
    kind: Annotated[str | None, typer.Option("--kind", help="parallel (排比) or quote (引语).")] = None,
    db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None,
    limit: Annotated[int, typer.Option(help="How many.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many.")] = 0,
) -> None:
    """The phrase bank (金句): parallel runs and quotations from the library, with their sources."""
    with _library(db) as lib:
        total, hits = lib.phrases(text, kind=kind, viewer=_viewer(lib, as_user), limit=limit, offset=offset)

        def human() -> None:
            for hit in hits:
                out.print(f"[{hit.kind}] {hit.text}  ← #{hit.doc_id} {hit.title}", markup=False, highlight=False)
            out.print(f"{len(hits)} of {total} phrases")

        _emit(as_json, phrases_json(total, hits), human)


@app.command()
def trace(
    file: Annotated[Path, typer.Argument(help="A downloaded .docx, .txt, .md or .zip.")],
    db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Name the account and time a downloaded file was exported for (verifies the signature)."""
    with _library(db) as lib:
        if not file.is_file():
            raise InputError(f"{file}: no such file")
        info = lib.trace(file.read_bytes())
        _emit(as_json, to_dict(info), lambda: print_trace(info))


@app.command()
def polish(draft: DraftArgument, db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None) -> None:
    """Polishing (润笔): parallel headings, repeated fillers, weak openings, long sentences, 金句 by topic."""
    with _library(db, as_json) as lib:
        report = lib.polish(read_draft(draft), _viewer(lib, as_user))

        def human() -> None:
            for e in report.edits:
                change = "" if e.replacement is None else f" → “{e.replacement}”"
                out.print(f"第 {e.start + 1} 字 [{e.rule}] {e.message}{change}", highlight=False)

        _emit(as_json, {"edits": to_dict(report.edits)}, human)


@app.command()
def outline(
    topic: Annotated[str, typer.Argument(help="Topic words, e.g. '主题教育 研讨发言 调查研究'.")],
    db: DbOption = None, as_json: JsonOption = False, as_user: AsOption = None,
) -> None:
    """Outline first: an outline for a topic from the best-matching documents' headings, with sources."""
    with _library(db, as_json) as lib:
        proposal = lib.propose_outline(topic, _viewer(lib, as_user))
        _emit(as_json, {"topic": proposal.topic, "text": proposal.as_text(), "sections": to_dict(proposal.sections)},
              lambda: out.print(proposal.as_text() or "没有找到带提纲的相关材料。", highlight=False))
