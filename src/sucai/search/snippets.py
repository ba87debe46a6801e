"""Exact highlighting from our own matching: find each phrase in the normalised paragraph, map the spans
back to the original text through the normalisation's offset map, and mark every occurrence whole.

Output is HTML-escaped text whose only markup is <mark>…</mark>.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sucai.model import Block, ParagraphHit
from sucai.normalize import normalize, normalize_char, normalize_with_offsets, original_span

SNIPPET_CHARS = 80
SNIPPET_LEAD = 24  # characters of context before the first match
PARAGRAPH_CHARS = 160
MAX_SNIPPETS = 3
MAX_PARAGRAPHS = 10
ELLIPSIS = "…"

Span = tuple[int, int]


@dataclass(frozen=True)
class BlockMatch:
    """One paragraph the viewer may see, with the query phrases it contains."""

    block: int
    text: str
    phrases: frozenset[str]


def _class_of(chars: list[str]) -> str:
    """A regex character class for the given (sorted) characters, as ranges."""
    parts: list[str] = []
    i = 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        parts.append(re.escape(chars[i]) if i == j else f"{re.escape(chars[i])}-{re.escape(chars[j])}")
        i = j + 1
    return "[" + "".join(parts) + "]"


@dataclass(frozen=True)
class _Folding:
    """The normalisation seen backwards: for each normal character, the original characters that become it."""

    sources: dict[str, list[str]]  # normal char -> other original chars mapping to it
    ignorable: str  # character class of what normalisation deletes (spaces, zero-width)
    expanding: re.Pattern[str]  # characters whose normal form is longer than one character


@lru_cache(maxsize=1)
def _folding() -> _Folding:
    sources: dict[str, list[str]] = {}
    deleted: list[str] = []
    expanding: list[str] = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        image = normalize_char(ch)
        if image == ch:
            continue
        if not image:
            deleted.append(ch)
        elif len(image) == 1:
            sources.setdefault(image, []).append(ch)
        else:
            expanding.append(ch)
    return _Folding(sources, _class_of(deleted), re.compile(_class_of(expanding)))


@lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Matches, in original text, every place whose normal form is the phrase (overlaps included).

    Exact for text without expanding characters (see needs_offsets): normal form is then char by char."""
    folding = _folding()
    classes = []
    for ch in phrase:
        chars = sorted({*folding.sources.get(ch, []), *([ch] if normalize_char(ch) == ch else [])})
        classes.append(_class_of(chars) if chars else "(?!)")
    return re.compile("(?=(" + f"{folding.ignorable}*".join(classes) + "))")


def needs_offsets(text: str) -> bool:
    """Whether the text holds a character whose normal form is several characters (the slow, exact path)."""
    return _folding().expanding.search(text) is not None


def contains(text: str, phrase: str) -> bool:
    """Whether normalize(text) contains the (normalised) phrase."""
    if needs_offsets(text):
        return phrase in normalize(text)
    return phrase_pattern(phrase).search(text) is not None


def find_all(haystack: str, needle: str) -> list[Span]:
    """Every occurrence of needle, overlapping ones included."""
    spans: list[Span] = []
    start = haystack.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = haystack.find(needle, start + 1)
    return spans


def merge(spans: Sequence[Span]) -> list[Span]:
    """Sorted spans with overlapping or touching ones joined, so a mark never nests or splits."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def spans_in(text: str, phrases: Iterable[str]) -> list[Span]:
    """Original-text spans of every occurrence of the phrases in one paragraph."""
    if not needs_offsets(text):
        return merge([m.span(1) for p in phrases for m in phrase_pattern(p).finditer(text)])
    normalized, offsets = normalize_with_offsets(text)
    return merge([original_span(offsets, s, e) for p in phrases for s, e in find_all(normalized, p)])


def _presence(texts: Sequence[str], phrases: Sequence[str]) -> list[frozenset[str]]:
    """For each paragraph, the phrases its normal form contains (regexes on the original text)."""
    if needs_offsets("\x00".join(texts)):  # rare: normalise each paragraph and test plainly
        return [frozenset(p for p in phrases if p in n) for n in map(normalize, texts)]
    searches = [(p, phrase_pattern(p).search) for p in phrases]
    return [frozenset(p for p, search in searches if search(text)) for text in texts]


def match_blocks(
    blocks: Sequence[Block], phrases: Sequence[str], include_paid: bool, title: str = ""
) -> list[BlockMatch]:
    """The paragraphs (that the viewer may see) containing any phrase, in document order.

    A title block repeating the document's title is left out: the hit's title shows it highlighted."""
    visible = [(i, b) for i, b in enumerate(blocks) if include_paid or not b.paid]
    presence = _presence([b.text for _i, b in visible], phrases)
    return [
        BlockMatch(i, b.text, present)
        for (i, b), present in zip(visible, presence, strict=True)
        if present and not (b.kind == "title" and normalize(b.text) == normalize(title))
    ]


def mark(text: str, spans: Sequence[Span], start: int = 0, end: int | None = None) -> str:
    """text[start:end] HTML-escaped, with <mark> around the spans (clipped to the window)."""
    end = len(text) if end is None else end
    out: list[str] = [ELLIPSIS] if start > 0 else []
    pos = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out)


def window(text: str, spans: Sequence[Span], size: int) -> tuple[int, int]:
    """A window of about `size` characters that starts a little before the first span and never cuts a span."""
    if not spans:
        return 0, min(len(text), size)
    first_start, first_end = spans[0]
    start = max(0, min(first_start - SNIPPET_LEAD, len(text) - size))
    end = max(first_end, min(len(text), start + size))
    for s, e in spans:
        if s < end < e:
            end = e
    return start, end


def snippet(match: BlockMatch, size: int = SNIPPET_CHARS) -> str:
    spans = spans_in(match.text, match.phrases)
    start, end = window(match.text, spans, size)
    return mark(match.text, spans, start, end)


def _snippet_blocks(matches: Sequence[BlockMatch], limit: int) -> set[int]:
    """Up to `limit` paragraphs for snippets, first those covering phrases not yet shown, then in order."""
    chosen: set[int] = set()
    shown: set[str] = set()
    for m in matches:
        if len(chosen) < limit and not m.phrases <= shown:
            chosen.add(m.block)
            shown |= m.phrases
    for m in matches:
        if len(chosen) >= limit:
            break
        chosen.add(m.block)
    return chosen


def snippets_and_paragraphs(
    matches: Sequence[BlockMatch], snippets: int = MAX_SNIPPETS, paragraphs: int = MAX_PARAGRAPHS
) -> tuple[list[str], list[ParagraphHit]]:
    """Snippets (short windows, from different paragraphs) and paragraph hits, each paragraph matched once."""
    for_snippets = _snippet_blocks(matches, snippets)
    shorts: list[str] = []
    hits: list[ParagraphHit] = []
    for n, m in enumerate(matches):
        if m.block not in for_snippets and n >= paragraphs:
            continue
        spans = spans_in(m.text, m.phrases)
        if m.block in for_snippets:
            shorts.append(mark(m.text, spans, *window(m.text, spans, SNIPPET_CHARS)))
        if n < paragraphs:
            hits.append(ParagraphHit(m.block, mark(m.text, spans, *window(m.text, spans, PARAGRAPH_CHARS))))
    return shorts, hits


def highlight(text: str, phrases: Sequence[str]) -> str:
    """Whole text (a title), escaped, every phrase occurrence marked."""
    return mark(text, spans_in(text, phrases))
