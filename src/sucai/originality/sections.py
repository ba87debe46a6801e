"""A draft's level-1 sections, for per-section figures: by 一、 headings, else （一）, else 第一，.

Text before the first heading is the section "（开头）"; a draft without headings is one section "（全文）".
"""

from __future__ import annotations

from dataclasses import dataclass

from sucai.ingest.structure import numbering_at, sentence_end

OPENING, WHOLE = "（开头）", "（全文）"
_LEVEL1_SCHEMES = ("cn", "cn-paren", "ordinal", "part")  # in order of preference
_INDENT = " \t\u3000"
_MAX_HEADING = 40


@dataclass(frozen=True)
class Section:
    heading: str
    start: int
    end: int


def _numbered_lines(text: str) -> list[tuple[str, int, str]]:
    """(scheme, offset of the line's text, line text) of every line that starts with a heading number."""
    found: list[tuple[str, int, str]] = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.lstrip(_INDENT)
        numbering = numbering_at(stripped)
        if numbering is not None:
            found.append((numbering.scheme, offset + len(line) - len(stripped), stripped.rstrip()))
        offset += len(line) + 1
    return found


def _heading_text(line: str) -> str:
    """A run-in heading is its first sentence; a long one is cut."""
    end = sentence_end(line)
    head = (line[:end] if end else line).rstrip("。！？!?")
    return head if len(head) <= _MAX_HEADING else head[: _MAX_HEADING - 1] + "…"


def sections(text: str) -> list[Section]:
    """The draft cut at its level-1 headings, covering all of it."""
    numbered = _numbered_lines(text)
    schemes = {scheme for scheme, _, _ in numbered}
    level1 = next((s for s in _LEVEL1_SCHEMES if s in schemes), None)
    heads = [(offset, line) for scheme, offset, line in numbered if scheme == level1]
    if not heads:
        return [Section(WHOLE, 0, len(text))]
    result: list[Section] = []
    if text[: heads[0][0]].strip():
        result.append(Section(OPENING, 0, heads[0][0]))
    for i, (offset, line) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        result.append(Section(_heading_text(line), offset, end))
    if result[0].start > 0:  # leading blank lines belong to the first section
        result[0] = Section(result[0].heading, 0, result[0].end)
    return result
