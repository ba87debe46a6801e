"""What a heading says without its numbering, and its lead phrase: shared by outlines, slides and polishing."""

from __future__ import annotations

import re

from sucai.ingest.structure import numbering_at

_SENTENCE_END = re.compile(r"[。；！？;!?]")
_FIRST_STOP = re.compile(r"[，。；：！？,;:!?]")
_CLAUSE_END = re.compile(r"[，,、]")


def strip_numbering(text: str) -> str:
    """The heading's words: every leading number taken off (（一）一是选题要准 -> 选题要准)."""
    text = text.strip(" \u3000\t")
    while (numbering := numbering_at(text)) is not None and numbering.end < len(text):
        text = text[numbering.end :].lstrip(" \u3000\t")
    return text


def lead_phrase(text: str, max_chars: int) -> str:
    """A heading or sentence shortened to its lead: numbering off, cut at its first full stop and, still
    longer than `max_chars`, at the last comma within it (else cut hard, with an ellipsis)."""
    text = strip_numbering(" ".join(text.split()))
    end = _SENTENCE_END.search(text)
    if end and end.start() > 0:
        text = text[: end.start()]
    if len(text) <= max_chars:
        return text
    commas = [m.start() for m in _CLAUSE_END.finditer(text, 0, max_chars + 1) if m.start() >= max_chars // 3]
    return text[: commas[-1]] if commas else text[: max_chars - 1] + "…"


def first_words(words: str) -> str:
    """A heading's words up to its first punctuation: what a parallel run shares (以学铸魂，把…), and what makes
    two headings the same point."""
    stop = _FIRST_STOP.search(words)
    return words[: stop.start()] if stop else words
