"""The phrase bank (金句): striking sentences worth reusing, extracted from a document. A pure function.

Two kinds:
- "parallel": three or more items of one length, one after another, separated by 、 or ，, that share a
  beginning or an ending (以学铸魂、以学增智、以学正风、以学促干; 公正用权、依法用权、为民用权、廉洁用权);
  the last item may be one character longer when it is a whole item sharing a two-character beginning
  (一边读、一边想、一边对照);
- "quote": a quotation in “ ” introduced by 指出, 强调, 说 … or with a citation (see originality.quotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from sucai.model import Document
from sucai.originality.quotes import is_introduced, quotation_pairs

MIN_ITEMS = 3
ITEM_CHARS = (3, 12)  # shortest and longest item of a parallel run
QUOTE_CHARS = (8, 150)  # shortest and longest quotation kept
_ITEM = re.compile(r"[\u3400-\u9fff]+")
_JOINERS = "、，"
_FUNCTION = "的了对为把在到是和与及将从向于就并"


@dataclass(frozen=True)
class Phrase:
    text: str
    kind: str  # "parallel" or "quote"
    doc_id: int | None
    block: int  # index of the block in Document.blocks


def _shared_edges(items: list[str]) -> tuple[int, int]:
    """Length of the beginning and of the ending all items share."""
    first = items[0]
    prefix = next((i for i in range(len(first)) if any(it[i] != first[i] for it in items)), len(first))
    suffix = next((i for i in range(len(first)) if any(it[-1 - i] != first[-1 - i] for it in items)), len(first))
    return prefix, suffix


def _is_parallel(items: list[str]) -> bool:
    if len({len(it) for it in items}) != 1 or len(set(items)) != len(items):
        return False
    prefix, suffix = _shared_edges(items)
    return (prefix > 0 or suffix > 0) and prefix + suffix < len(items[0])


def _joined(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    return right.start() == left.end() + 1 and text[left.end()] in _JOINERS


def _trim_ok(items: list[str], before: str, trimmed_last: bool) -> bool:
    """A cut item needs evidence for the cut. A first item taken from the end of a longer chunk (`before` is
    the character ahead of it, "" when uncut): a shared beginning (努力做到|以学铸魂), or a function word
    before it and none starting it (正确的|世界观; not 深化了|对共产党执政规律). A last item taken from the
    start of one: a shared ending or a two-character beginning (以学促干|方面; not 总体布|局)."""
    prefix, suffix = _shared_edges(items)
    first_ok = not before or prefix > 0 or (before in _FUNCTION and items[0][0] not in _FUNCTION)
    # A cut after a single varying character would keep half a word (一边读、一边想、一边对|照检查).
    return first_ok and (not trimmed_last or suffix > 0 or (prefix > 1 and len(items[0]) - prefix >= 2))


def _whole_longer_tail(items: list[str], following: str) -> bool:
    """Whether a whole chunk one character longer than the items ends the run (一边读、一边想、一边对照):
    it shares their beginning of two or more characters, which leaves each item a varying part."""
    size = len(items[0])
    if len(following) != size + 1 or following in items:
        return False
    prefix, _ = _shared_edges(items)
    shared = next((i for i in range(prefix) if following[i] != items[0][i]), prefix)
    return 2 <= shared == prefix < size


def _run_at(text: str, chunks: list[re.Match[str]], i: int) -> tuple[int, int, int] | None:
    """The parallel run whose first item ends chunk i, as (start, end, next chunk index), if there is one.

    The second item sets the length; the first item may be the tail of a longer chunk and the last the
    head of one (see _trim_ok)."""
    if i + 1 >= len(chunks) or not _joined(text, chunks[i], chunks[i + 1]):
        return None
    size = len(chunks[i + 1].group(0))
    if not ITEM_CHARS[0] <= size <= ITEM_CHARS[1] or len(chunks[i].group(0)) < size:
        return None
    items = [chunks[i].group(0)[-size:], chunks[i + 1].group(0)]
    before = chunks[i].group(0)[-size - 1] if len(chunks[i].group(0)) > size else ""
    if not _is_parallel(items) or not _trim_ok(items, before, False):
        return None
    j, end = i + 1, chunks[i + 1].end()
    while j + 1 < len(chunks) and _joined(text, chunks[j], chunks[j + 1]):
        following = chunks[j + 1].group(0)
        if len(items) >= MIN_ITEMS - 1 and _whole_longer_tail(items, following):
            items, j, end = [*items, following], j + 1, chunks[j + 1].end()
            break  # a longer item closes the run
        trimmed_last = len(following) > size
        candidate = [*items, following[:size]]
        if len(following) < size or not _is_parallel(candidate) or not _trim_ok(candidate, before, trimmed_last):
            break
        items = candidate
        j, end = j + 1, chunks[j + 1].start() + size
        if trimmed_last:
            break  # the run ends inside this chunk
    if len(items) < MIN_ITEMS:
        return None
    return chunks[i].end() - size, end, j + 1


def _runs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each maximal parallel run in one block of text."""
    chunks = list(_ITEM.finditer(text))
    if len(chunks) < MIN_ITEMS:
        return []
    sizes = [m.end() - m.start() for m in chunks]
    joined = [_joined(text, a, b) for a, b in pairwise(chunks)]
    runs = []
    i = 0
    while i < len(chunks):
        if not _may_start_run(sizes, joined, i):  # cheap necessary conditions, checked before the full test
            i += 1
            continue
        found = _run_at(text, chunks, i)
        if found is None:
            i += 1
            continue
        runs.append(found[:2])
        i = found[2]
    return runs


def _may_start_run(sizes: list[int], joined: list[bool], i: int) -> bool:
    """Whether chunks i, i+1, i+2 could hold the first three items of a run (see _run_at): joined, the
    middle one of an item's length, the others at least as long."""
    if i + 2 >= len(sizes) or not (joined[i] and joined[i + 1]):
        return False
    size = sizes[i + 1]
    return ITEM_CHARS[0] <= size <= ITEM_CHARS[1] and sizes[i] >= size and sizes[i + 2] >= size


def _quotes(text: str) -> list[str]:
    found = []
    for line in text.split("\n"):
        for open_at, close_at in quotation_pairs(line):
            inner = line[open_at + 1 : close_at]
            if QUOTE_CHARS[0] <= len(inner) <= QUOTE_CHARS[1] and is_introduced(line, open_at, close_at):
                found.append(inner)
    return found


def extract_phrases(doc: Document) -> list[Phrase]:
    """The document's parallel runs and introduced quotations, in order, each text once (a run that is also
    quoted is one entry), and no run that is part of a longer run of the document (以学铸魂、以学增智、以学正风
    within …、以学促干) unless only the shorter one is free.

    A phrase found in a free block is kept there even when a member-only block has it first, so the
    free entries are those the free text alone would give (a viewer without access sees only those)."""
    chosen: dict[str, tuple[int, Phrase]] = {}  # text: (order found, phrase)
    for index, block in enumerate(doc.blocks):
        if block.kind == "title":
            continue
        found = [("parallel", block.text[s:e]) for s, e in _runs(block.text)]
        found += [("quote", q) for q in _quotes(block.text)]
        for kind, text in found:
            first = chosen.get(text)
            if first is None or (doc.blocks[first[1].block].paid and not block.paid):
                chosen[text] = (len(chosen) + index * 1_000_000, Phrase(text, kind, doc.id, index))
    phrases = [phrase for _order, phrase in sorted(chosen.values(), key=lambda item: item[0])]
    return _without_parts(doc, phrases)


def _without_parts(doc: Document, phrases: list[Phrase]) -> list[Phrase]:
    """The phrases but those inside a longer phrase of the same kind that is at least as visible (a free
    part of a member-only run stays: free viewers see only free entries)."""

    def covers(longer: Phrase, part: Phrase) -> bool:
        visible = not doc.blocks[longer.block].paid or doc.blocks[part.block].paid
        return longer.kind == part.kind and len(longer.text) > len(part.text) and part.text in longer.text and visible

    return [p for p in phrases if not any(covers(o, p) for o in phrases)]
