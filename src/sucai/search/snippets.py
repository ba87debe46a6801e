"""Exact highlighting from our own matching: find each phrase in the normalised paragraph, map the spans
back to the original text through the normalisation's offset map, and mark every occurrence whole.

Output is HTML-escaped text whose only markup is <mark>…</mark>.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from sucai.model import ParagraphHit
from sucai.normalize import char_class, normalize, normalize_char, normalize_with_offsets, original_span, shifts_offsets
from sucai.store.bodies import DocumentText

SNIPPET_CHARS = 80
SNIPPET_LEAD = 24  # characters of context before the first match
PARAGRAPH_CHARS = 160
MAX_SNIPPETS = 3
MAX_PARAGRAPHS = 5  # paragraph hits listed per document (the page stays readable)
ELLIPSIS = "…"
FEW_VARIANTS = 16

Span = tuple[int, int]


@dataclass(frozen=True)
class BlockMatch:
    """One paragraph the viewer may see, with the query phrases it contains."""

    block: int
    text: str
    phrases: frozenset[str]
    literal: bool = False  # known to hold no variant, deletable or expanding character


@lru_cache(maxsize=1)
def _sources() -> dict[str, list[str]]:
    """The normalisation seen backwards: for each normal character, the other original characters that
    become it alone."""
    sources: dict[str, list[str]] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        image = normalize_char(ch)
        if image != ch and len(image) == 1:
            sources.setdefault(image, []).append(ch)
    return sources


def _variants(ch: str) -> list[str]:
    """The other original characters whose normal form is ch (學 for 学, ， for ,)."""
    return _sources().get(ch, [])


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


class Matcher:
    """Finds a query's (normalised) phrases in original text, exactly as in its normal form.

    Most paragraphs contain no character that could match a phrase other than literally (a variant
    such as 學 for 学, ， for ,): there plain `in` and `find` are exact and need no normalising. Text
    without deletable or expanding characters normalises one char to one char, so spans found in its
    normal form are spans of the original; only the rest needs the offset map."""

    def __init__(self, phrases: Sequence[str]) -> None:
        self.phrases = list(phrases)
        variants = sorted({c for p in self.phrases for ch in set(p) for c in _variants(ch)})
        # A few variants: `in` per character (a vectorised scan) beats a regex class (a step per character).
        self._variant_chars = variants if len(variants) <= FEW_VARIANTS else []
        self._variants = char_class(map(ord, variants)) if len(variants) > FEW_VARIANTS else None

    def literal(self, text: str, shifts: bool | None = None) -> bool:
        """Whether plain substring search is exact for this text (`shifts`: shifts_offsets(text), if known)."""
        if shifts_offsets(text) if shifts is None else shifts:
            return False
        if self._variants is not None:
            return self._variants.search(text) is None
        return not any(v in text for v in self._variant_chars)

    def spans(self, text: str, phrases: Iterable[str], literal: bool = False) -> list[Span]:
        """Original-text spans of every occurrence of the phrases."""
        if literal or self.literal(text):
            return merge([span for p in phrases for span in find_all(text, p)])
        if not shifts_offsets(text):
            normalized = normalize(text)  # one char for one char: the same offsets
            return merge([span for p in phrases for span in find_all(normalized, p)])
        normalized, offsets = normalize_with_offsets(text)
        return merge([original_span(offsets, s, e) for p in phrases for s, e in find_all(normalized, p)])

    def haystack(self, doc: DocumentText) -> Haystack:
        """Where to look for this query's phrases in a document: its text, or its normal form when a
        variant or a shifting character makes plain search inexact. Worked out once per hit."""
        if self.literal(doc.text, doc.shifts):
            return Haystack(doc, doc.text, doc.starts, literal=True)
        return Haystack(doc, *_normal_form(doc), literal=False)

    def blocks(self, hay: Haystack, include_paid: bool, enough: int = MAX_PARAGRAPHS) -> list[BlockMatch]:
        """The paragraphs the viewer may see that contain a phrase, in document order: for each phrase the
        first `enough` of them, which hold the first `enough` overall and every phrase's first paragraph
        (all that snippets and paragraph hits show).

        A title block repeating the document's title is left out: the hit's title shows it highlighted."""
        doc, text, starts, literal = hay.doc, hay.text, hay.starts, hay.literal

        def shown(i: int) -> bool:
            return doc.shown(i, include_paid)

        chosen = set().union(*(_first_blocks(text, starts, p, shown, enough) for p in self.phrases))
        matches = []
        for i in sorted(chosen):
            normal = text[starts[i] : starts[i + 1]]
            present = frozenset(p for p in self.phrases if p in normal)
            matches.append(BlockMatch(i, doc.block(i), present, literal))
        return matches

    def highlight(self, text: str) -> str:
        """Whole text (a title), escaped, every phrase occurrence marked."""
        return mark(text, self.spans(text, self.phrases))


@dataclass(frozen=True)
class Haystack:
    """A document's text as a query searches it, with the block boundaries in that text."""

    doc: DocumentText
    text: str
    starts: tuple[int, ...]
    literal: bool  # the document's own text (plain `find` is exact there), not its normal form


def _normal_form(doc: DocumentText) -> tuple[str, tuple[int, ...]]:
    """The document's text in normal form with its block boundaries (normalising is char by char, so
    the whole text's normal form is its blocks' normal forms concatenated)."""
    normal = normalize(doc.text)
    if not doc.shifts:  # one char for one char: the same boundaries
        return normal, doc.starts
    return normal, tuple(accumulate((len(normalize(doc.block(i))) for i in range(len(doc))), initial=0))


def _first_blocks(
    text: str, starts: Sequence[int], phrase: str, allowed: Callable[[int], bool], enough: int
) -> set[int]:
    """The first `enough` allowed blocks containing the phrase, one `find` per block found
    (block i is text[starts[i]:starts[i + 1]]).

    An occurrence across a block boundary is no match (blocks are paragraphs): the search goes on
    from the next character."""
    found: set[int] = set()
    pos = text.find(phrase)
    while pos >= 0 and len(found) < enough:
        i = bisect_right(starts, pos) - 1
        end = starts[i + 1]
        if pos + len(phrase) > end:
            pos = text.find(phrase, pos + 1)
            continue
        if allowed(i):
            found.add(i)
        pos = text.find(phrase, end)
    return found


_HTML_SPECIAL = re.compile("[&<>\"']")


def _plain(piece: str) -> str:
    return piece


def mark(text: str, spans: Sequence[Span], start: int = 0, end: int | None = None) -> str:
    """text[start:end] HTML-escaped, with <mark> around the spans (clipped to the window)."""
    end = len(text) if end is None else end
    escape = html.escape if _HTML_SPECIAL.search(text, start, end) else _plain
    out: list[str] = [ELLIPSIS] if start > 0 else []
    pos = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [escape(text[pos:s]), "<mark>", escape(text[s:e]), "</mark>"]
        pos = e
    out.append(escape(text[pos:end]))
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
    return _outside_numbers(text, start, end)


_DIGITS = frozenset("0123456789０１２３４５６７８９")
_NUMBER_JOINERS = frozenset("年月日号.．:：/-—%％")


def _in_number(text: str, i: int) -> bool:
    """Whether text[i] belongs to a number or a date: a digit, or 年 月 . : % … right after a digit."""
    ch = text[i]
    return ch in _DIGITS or (ch in _NUMBER_JOINERS and i > 0 and text[i - 1] in _DIGITS)


def _outside_numbers(text: str, start: int, end: int) -> tuple[int, int]:
    """The window widened so that it neither starts nor ends inside a number or a date: a snippet that
    begins "…3年5月" misquotes 2023年5月."""
    while 0 < start < len(text) and _in_number(text, start) and _in_number(text, start - 1):
        start -= 1
    while 0 < end < len(text) and _in_number(text, end) and _in_number(text, end - 1):
        end += 1
    return start, end


@lru_cache(maxsize=256)
def matcher_for(phrases: tuple[str, ...]) -> Matcher:
    """One Matcher per phrase set (a query's), reused for every hit."""
    return Matcher(phrases)


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
    matcher: Matcher, matches: Sequence[BlockMatch], snippets: int = MAX_SNIPPETS,
    paragraphs: int = MAX_PARAGRAPHS,
) -> tuple[list[str], list[ParagraphHit]]:
    """Snippets (short windows, from different paragraphs) and paragraph hits, each paragraph matched once."""
    for_snippets = _snippet_blocks(matches, snippets)
    shorts: list[str] = []
    hits: list[ParagraphHit] = []
    for n, m in enumerate(matches):
        if m.block not in for_snippets and n >= paragraphs:
            continue
        spans = matcher.spans(m.text, m.phrases, m.literal)
        if m.block in for_snippets:
            shorts.append(mark(m.text, spans, *window(m.text, spans, SNIPPET_CHARS)))
        if n < paragraphs:
            hits.append(ParagraphHit(m.block, mark(m.text, spans, *window(m.text, spans, PARAGRAPH_CHARS))))
    return shorts, hits
