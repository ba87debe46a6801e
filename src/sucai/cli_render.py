"""Human-readable output of the CLI (the --json output is the dataclasses themselves)."""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table

from sucai.model import Document, DocumentSummary, IngestReport, SearchResult

out = Console()


def print_ingest_report(report: IngestReport) -> None:
    for doc in report.documents:
        dup = f" [yellow](duplicate of {doc.duplicate_of})[/yellow]" if doc.duplicate_of else ""
        out.print(f"[green]stored[/green] #{doc.id} {doc.title} ({doc.chars} chars) ← {doc.source}{dup}")
    for skipped in report.skipped:
        out.print(f"[yellow]skipped[/yellow] {skipped.path}: {skipped.reason}")
    for failed in report.failed:
        out.print(f"[red]failed[/red] {failed.path}: {failed.error}")
    dups = sum(1 for d in report.documents if d.duplicate_of)
    out.print(
        f"{len(report.documents)} documents stored ({dups} duplicates), "
        f"{len(report.skipped)} skipped, {len(report.failed)} failed"
    )


def print_list(total: int, docs: list[DocumentSummary]) -> None:
    table = Table("id", "title", "year", "genre", "chars", "source", title=f"{total} documents")
    for d in docs:
        table.add_row(str(d.id), d.title, str(d.year or ""), d.genre or "", str(d.chars), d.source)
    out.print(table)


def print_document(doc: Document) -> None:
    out.print(f"[bold]{doc.title}[/bold]  #{doc.id}  {doc.year or ''} {doc.genre or ''} {' '.join(doc.tags)}")
    if doc.outline:
        out.print("[bold]提纲[/bold]")
        for item in doc.outline:
            out.print("  " * item.level + item.text)
    out.print()
    for block in doc.blocks[1:] if doc.blocks and doc.blocks[0].kind == "title" else doc.blocks:
        style = "bold" if block.kind == "heading" else ""
        mark = "[magenta]¥[/magenta] " if block.paid else ""
        out.print(f"{mark}[{style}]{block.text}[/{style}]" if style else f"{mark}{block.text}", highlight=False)
    if doc.locked:
        out.print(f"[yellow]（另有 {doc.locked} 段会员内容未显示）[/yellow]")


def _marks_to_rich(html: str) -> str:
    import html as html_lib

    text = html.replace("<mark>", "\x01").replace("</mark>", "\x02")
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", text)).replace("[", r"\[")
    return text.replace("\x01", "[reverse]").replace("\x02", "[/reverse]")


def print_search(res: SearchResult) -> None:
    out.print(f"{res.total} documents contain {res.query!r} ({res.took_ms:.1f} ms)")
    for hit in res.hits:
        lock = " [yellow]🔒 会员内容[/yellow]" if hit.locked else ""
        out.print(f"[bold]#{hit.id} {hit.title}[/bold]{lock}")
        for snippet in hit.snippets:
            out.print("   " + _marks_to_rich(snippet), highlight=False)
