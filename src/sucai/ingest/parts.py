"""A text's parts as splitting finds them (each document's lines and title, the collection around them), and
what makes a line a title: shared by the compilation splitter and the speaker splitter."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sucai.ingest.structure import chinese_number, is_closing, is_salutation_line, markdown_heading, numbering_at
from sucai.model import Line

_COUNT = re.compile(
    r"[\s\u3000]*[（(【\[]?[\s\u3000]*(?:等?(?:[0-9０-９]+|[一二三四五六七八九十两]+)[\s\u3000]*篇(?:范文)?"
    r"|合集|汇编|大全|精选|范文)[\s\u3000]*[）)】\]]?[\s\u3000]*$"
)

@dataclass(frozen=True)
class Part:
    """One document's lines: its own title line (None = inherits the collection title) and body."""

    title: str | None
    lines: list[Line]
    start: int  # index in the input of the part's first line (its title line, if it has one)
    end: int
    speaker: str = ""  # on a page of remarks by several speakers: who spoke, and as what
    role: str = ""


@dataclass(frozen=True)
class Split:
    collection_title: str | None
    parts: list[Part]
    collection: str | None = None  # the compilation's own title when the text holds several documents


def strip_count(title: str) -> str:
    """A collection title without its count: "……发言材料四篇" -> "……发言材料"."""
    stripped = title
    while True:
        shorter = _COUNT.sub("", stripped)
        if shorter == stripped or not shorter:
            return stripped
        stripped = shorter


# A compilation's own numbering of its pieces, on a line of its own or before a title: "【篇一】", "篇二：",
# "范文3", "第四篇", "（材料五）". Never a heading's numbering ("一、", "1.", "（一）"): those stay.
_PIECE_NUMBER = "[一二三四五六七八九十0-9０-９]{1,3}"
_PIECE_MARKER = re.compile(
    rf"[\s\u3000]*(?:[【\[（(]?[\s\u3000]*(?:篇|范文|材料|文章)[\s\u3000]*(?P<a>{_PIECE_NUMBER})[\s\u3000]*"
    rf"[】\]）)]?|[【\[（(]?第(?P<b>{_PIECE_NUMBER})篇[】\]）)]?)[\s\u3000]*[:：、.．]?[\s\u3000]*"
)


def is_piece_marker(text: str) -> bool:
    """A line that only numbers the next piece of a compilation ("【篇一】", "第二篇", "范文三")."""
    return bool(text.strip()) and _PIECE_MARKER.fullmatch(text) is not None


def piece_number(text: str) -> int | None:
    """The number of the compilation's piece a line (a marker, or a title after one) names, if it names one."""
    m = _PIECE_MARKER.match(text)
    if m is None:
        return None
    mark = m.group("a") or m.group("b")
    return int(unicodedata.normalize("NFKC", mark)) if mark[0].isdigit() else (chinese_number(mark) or None)


def without_piece_marker(text: str) -> str:
    """A title without the compilation's number before it ("篇一：在…的讲话" -> "在…的讲话")."""
    m = _PIECE_MARKER.match(text)
    return text[m.end() :] if m and m.end() and text[m.end() :].strip() else text


def title_text(text: str) -> str:
    """A title line as a title (markdown heading marks taken off)."""
    md = markdown_heading(text)
    return md[1] if md else text


def is_title_like(text: str) -> bool:
    """Short, no sentence punctuation, not a numbered heading, salutation or closing."""
    text = title_text(text)
    if not 2 <= len(text) <= 60 or text[-1] in "：:，,、":
        return False
    if any(ch in "。！？；!?;" for ch in text):
        return False
    return numbering_at(text) is None and not is_salutation_line(text) and not is_closing(text)


_OPENERS, _CLOSERS = "“‘《（(「『【", "”’》）)」』】"
_SENTENCE_ENDS, _CLAUSE_BREAKS = "。！？!?", "，；：、,;:"


def opening_words(text: str, most: int) -> str:
    """A title made of a text's opening words: its first sentence when that fits in `most` characters, else up
    to the last clause break that does; never cut inside a quotation or brackets (an ellipsis marks a hard cut)."""
    depth, last_break = 0, 0
    for i, ch in enumerate(text[: most + 1]):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in _SENTENCE_ENDS and i > 0:
            return text[:i].strip()
        elif depth == 0 and ch in _CLAUSE_BREAKS and i > 0:
            last_break = i
    if len(text) <= most:
        return text.strip()
    return text[:last_break].strip() if last_break else text[: most - 1].strip() + "…"
