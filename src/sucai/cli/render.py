"""Human-readable output of the CLI (the --json output is the dataclasses themselves)."""

from __future__ import annotations

import re

from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sucai.model import Document, DocumentSummary, IngestReport, SearchResult, TraceInfo

# Piped output is not wrapped: a console that is no terminal would wrap every line at 80 columns.
PIPE_WIDTH = 10_000


class _Console(Console):
    """A console that lays out for the terminal, and for a pipe or file as wide as a line needs."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        return size if self.is_terminal else ConsoleDimensions(PIPE_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


def console(stderr: bool = False) -> Console:
    return _Console(stderr=stderr, soft_wrap=True)


out = console()


def count(n: int, noun: str) -> str:
    """'1 document', '2 documents'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def progress_bar(where: Console, disable: bool = False) -> Progress:
    """A transient progress bar on stderr: what is being done, a bar, done/total and the time taken."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=where, transient=True, disable=disable)


def print_ingest_report(report: IngestReport) -> None:
    for doc in report.documents:
        dup = f" [yellow](duplicate of {doc.duplicate_of})[/yellow]" if doc.duplicate_of else ""
        where = escape(doc.source)
        out.print(f"[green]stored[/green] #{doc.id} {escape(doc.title)} ({doc.chars} chars) ← {where}{dup}")
    for skipped in report.skipped:
        out.print(f"[yellow]skipped[/yellow] {escape(skipped.path)}: {escape(skipped.reason)}")
    for failed in report.failed:
        out.print(f"[red]failed[/red] {escape(failed.path)}: {escape(failed.error)}")
    dups = sum(1 for d in report.documents if d.duplicate_of)
    out.print(
        f"{count(len(report.documents), 'document')} stored ({count(dups, 'duplicate')}), "
        f"{len(report.skipped)} skipped, {len(report.failed)} failed"
    )


def print_list(total: int, docs: list[DocumentSummary]) -> None:
    table = Table("id", "title", "year", "genre", "chars", "source", title=count(total, "document"))
    for d in docs:
        table.add_row(str(d.id), d.title, str(d.year or ""), d.genre or "", str(d.chars), d.source)
    out.print(table)


def print_document(doc: Document) -> None:
    facts = f"{doc.year or ''} {doc.genre or ''} {' '.join(doc.tags)}"
    out.print(f"[bold]{escape(doc.title)}[/bold]  #{doc.id}  {escape(facts)}")
    if doc.outline:
        out.print("[bold]提纲[/bold]")
        for item in doc.outline:
            out.print("  " * item.level + item.text, markup=False)
    out.print()
    for block in doc.blocks[1:] if doc.blocks and doc.blocks[0].kind == "title" else doc.blocks:
        style = "bold" if block.kind == "heading" else ""
        mark = "[magenta]¥[/magenta] " if block.paid else ""
        text = escape(block.text)  # a [bracket] in the text is text, not console markup
        out.print(f"{mark}[{style}]{text}[/{style}]" if style else f"{mark}{text}", highlight=False)
    if doc.locked:
        out.print(f"[yellow]（另有 {doc.locked} 段会员内容未显示）[/yellow]")


def _marks_to_rich(html: str) -> str:
    import html as html_lib

    text = html.replace("<mark>", "\x01").replace("</mark>", "\x02")
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", text)).replace("[", r"\[")
    return text.replace("\x01", "[reverse]").replace("\x02", "[/reverse]")


def print_search(res: SearchResult) -> None:
    verb = "contains" if res.total == 1 else "contain"
    out.print(f"{count(res.total, 'document')} {verb} {res.query!r} ({res.took_ms:.1f} ms)", highlight=False)
    for hit in res.hits:
        lock = " [yellow]🔒 会员内容[/yellow]" if hit.locked else ""
        out.print(f"[bold]#{hit.id} {escape(hit.title)}[/bold]{lock}")
        for snippet in hit.snippets:
            out.print("   " + _marks_to_rich(snippet), highlight=False)


def print_trace(info: TraceInfo) -> None:
    """Who downloaded the file, when, and which document(s) it holds."""
    ids = info.document if isinstance(info.document, list) else [info.document]
    which = ("document" if len(ids) == 1 else "documents") + " " + ", ".join(f"#{i}" for i in ids)
    out.print(f"downloaded by {info.user} at {info.time}: {which}", markup=False, highlight=False)
    if info.altered:
        out.print("  the text was changed after the download (内容在下载后被改动)", markup=False, highlight=False)
