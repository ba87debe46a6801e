"""What the desk page shows about a draft: placeholders to fill, lint and check reports laid over the text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sucai.compose.polish import PolishReport
from sucai.library import Library
from sucai.model import CheckReport, Document, Line, LintReport, User

COLOURS = 6  # source colours in the check report (classes src0..src5 in sucai.css)
RULE_LABELS = {
    "placeholder": "占位符", "obfuscation": "变形词", "numbering-gap": "编号跳号", "numbering-repeat": "编号重复",
    "numbering-order": "编号层级", "halfwidth-punct": "半角标点", "unpaired": "符号不成对", "doubled-char": "重复字",
    "long-sentence": "长句", "outdated": "过时提法",
}


@dataclass(frozen=True)
class Segment:
    text: str
    cls: str = ""  # CSS class of a marked span, "" for plain text
    title: str = ""
    href: str = ""


def save_version(
    lib: Library, viewer: User, draft_id: int, title: str, body: str, version: int | None
) -> dict[str, Any]:
    """A full save: against the version the form loaded (EditConflict when stale), or unconditionally when
    the client sent none (an older form, a script). Returns the page's new `version`."""
    if version is None:
        lib.store.save_draft(viewer.id, draft_id, title, body)
        return {"version": lib.store.draft_state(viewer.id, draft_id)[2]}
    return {"version": lib.store.update_draft(viewer.id, draft_id, title, body, version)}


def segments(text: str, marks: list[tuple[int, int, Segment]]) -> list[Segment]:
    """The text cut at the marks (start, end, how to show it); overlaps keep the earlier mark."""
    result: list[Segment] = []
    pos = 0
    for start, end, mark in sorted(marks, key=lambda m: (m[0], -m[1])):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        if start > pos:
            result.append(Segment(text[pos:start]))
        result.append(Segment(text[start:end], mark.cls, mark.title, mark.href))
        pos = end
    if pos < len(text):
        result.append(Segment(text[pos:]))
    return result


def lint_view(text: str, report: LintReport) -> dict[str, Any]:
    marks = [(p.start, p.end, Segment("", "lint", f"{p.message} → {p.suggestion}")) for p in report.problems]
    problems = [
        {"problem": p, "excerpt": text[p.start : p.end], "label": RULE_LABELS.get(p.rule, p.rule)}
        for p in report.problems
    ]
    return {"problems": problems, "segments": segments(text, marks)}


def check_view(text: str, report: CheckReport) -> dict[str, Any]:
    colour = {s.id: i % COLOURS for i, s in enumerate(report.sources)}
    titles = {s.id: s.title for s in report.sources}
    marks = [
        (s.start, s.end, Segment("", f"src{colour.get(s.source_id, 0)}" + (" quoted" if s.quoted else ""),
                                 f"复制自《{titles.get(s.source_id, s.source_id)}》", f"/d/{s.source_id}"))
        for s in report.spans
    ]
    sources = [{"source": s, "colour": colour[s.id]} for s in report.sources]
    return {"report": report, "sources": sources, "segments": segments(text, marks)}


def draft_export(lib: Library, viewer: User, title: str, body: str, fmt: str = "docx") -> tuple[bytes, str, str]:
    """The draft as a GB/T 9704 .docx (or its PDF) or as slides, traced to its writer (a draft is the user's
    own: no quota)."""
    from sucai.export import TraceMark, export_document

    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    mark = TraceMark(viewer.name, viewer.id, at, (), 0)
    return export_document(draft_document(title, body), fmt, mark, lib.secret())


POLISH_LABELS = {"parallel": "对仗", "filler": "赘词", "repeat": "重复", "weak-opening": "开头", "split": "长句",
                 "phrase": "金句"}


def polish_view(report: PolishReport) -> dict[str, Any]:
    """Each suggestion with its label and the words around it, for the apply buttons."""
    return {"edits": [{"edit": e, "label": POLISH_LABELS.get(e.rule, e.rule)} for e in report.edits]}


def draft_document(title: str, body: str) -> Document:
    """The draft as a Document, its headings and levels found as ingest finds them (one line, one block)."""
    from sucai.ingest.structure import build_blocks

    lines = [Line(line.strip()) for line in body.splitlines() if line.strip()]
    blocks, outline = build_blocks(title, lines)
    return Document(id=None, title=title, blocks=blocks, outline=outline)
