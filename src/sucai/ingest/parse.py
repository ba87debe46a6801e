"""Decoded text -> finished Documents (no ids, no storage): clean, lines, split, structure, classify,
placeholders.

    docs = parse_text(text, source="a.txt")                      # a compilation gives several documents
    docs = parse_text(rec["content"], source="x.jsonl#3", title_hint=rec["title"], year_hint=2024)

Each document records the removals and repairs that fell within its part of the text; a removal between
two documents goes to the one before it, so a trailing advertisement is recorded on the last document.

A document with member-only blocks also gets its free facts (model.FreeFacts): year, genre and tags
classified from its title and free blocks alone, the repairs that fell in free lines (or the title line),
and its free characters, so that a viewer without member access learns nothing the free text does not say.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sucai.ingest.classify import Classification, classify_normalized, title_year
from sucai.ingest.clean import Cleaned, Rules, clean_text, count_repairs, load_rules, repair_text
from sucai.ingest.dedupe import body_key
from sucai.ingest.lines import lines_with_offsets
from sucai.ingest.page import credit_year, finish_documents
from sucai.ingest.parts import Part, opening_words, strip_count
from sucai.ingest.placeholders import find_placeholders
from sucai.ingest.split import split_documents
from sucai.ingest.structure import build_blocks, is_salutation_line
from sucai.model import Document, FreeFacts, Line, Removal, Repair
from sucai.normalize import PARAGRAPH_SEP, normalize

_CJK = re.compile(r"[\u3400-\u9fff]")
_FALLBACK_TITLE_CHARS = 30


def parse_text(
    text: str,
    *,
    source: str,
    title_hint: str | None = None,
    year_hint: int | None = None,
    rules: Rules | None = None,
) -> list[Document]:
    """The documents in a decoded text; [] when it holds no text (after advertisements are removed)."""
    if not text.strip():
        return []
    rules = rules if rules is not None else load_rules()
    cleaned = clean_text(text, rules)
    lines, offsets = lines_with_offsets(cleaned.text)
    if not lines:
        return []
    hint_repairs: list[Repair] = []
    if title_hint:
        title_hint, hint_repairs = repair_text(title_hint, rules)
    split = split_documents(lines, title_hint=title_hint)
    year_hint = year_hint if year_hint is not None else credit_year(cleaned)  # a page's own date (发布时间：…)
    inherited = strip_count(split.collection_title) if split.collection_title else None
    # a document of a compilation that names no year of its own has the collection's
    collection_year = title_year(normalize(inherited)) if inherited else None
    documents = []
    for part in split.parts:
        title = part.title or inherited or _fallback_title(source, part)
        documents.append(_document(part, title, source, rules, years=(year_hint, collection_year)))
    starts = [offsets[p.start] for p in split.parts]
    free_lines = _free_lines(lines, split.parts)
    _attribute(documents, starts, cleaned, hint_repairs, lambda offset: free_lines[_owner(offsets, offset)])
    return finish_documents(documents, split, starts, cleaned)  # page facts; stub pages refused (StubPage)


def _free_lines(lines: list[Line], parts: list[Part]) -> list[bool]:
    """Per line, whether a viewer without member access reads it: a free line, or a document's title line
    (titles are public even when the paywall opened before them)."""
    free = [not line.paid for line in lines]
    for part in parts:
        if part.title is not None and part.start < len(free):
            free[part.start] = True
    return free


def _document(
    part: Part, title: str, source: str, rules: Rules, *, years: tuple[int | None, int | None]
) -> Document:
    """One document; `years` = (the year given with the text, the year of the collection title)."""
    # The title is the document's public face (lists, search results, feeds): never member-only.
    blocks, outline = build_blocks(title, part.lines)
    body = [normalize(b.text) for b in blocks if b.kind != "title"]
    norm_body = PARAGRAPH_SEP.join(body)  # = normalize_paragraphs(non-title block texts)
    year_hint, collection_year = years

    def classify(body_text: str) -> Classification:
        return classify_normalized(
            normalize(title), body_text, year_hint=year_hint, topics=rules.topics, collection_year=collection_year
        )

    facts = classify(norm_body)
    free_facts = None
    if any(b.paid for b in blocks):
        free = classify(PARAGRAPH_SEP.join(normalize(b.text) for b in blocks if b.kind != "title" and not b.paid))
        free_facts = FreeFacts(free.year, free.genre, free.tags, [], sum(len(b.text) for b in blocks if not b.paid))
    return Document(
        id=None,
        title=title,
        blocks=blocks,
        outline=outline,
        source=source,
        year=facts.year,
        genre=facts.genre,
        tags=facts.tags,
        placeholders=find_placeholders(blocks),
        body_sha256=body_key(normalize(title), body),
        free_facts=free_facts,
    )


def _fallback_title(source: str, part: Part) -> str:
    """No title anywhere: the file name if it says something, else the opening words of the text."""
    stem = Path(source.split("#", 1)[0]).stem
    if _CJK.search(stem):
        return stem
    texts = [line.text for line in part.lines if not is_salutation_line(line.text)]
    first = texts[0] if texts else stem
    return opening_words(first, _FALLBACK_TITLE_CHARS) or stem or "无标题"


def _attribute(
    documents: list[Document], starts: list[int], cleaned: Cleaned, hint: list[Repair],
    is_free: Callable[[int], bool],
) -> None:
    """Give each removal and repair to the document whose part of the text it fell in (and count the repairs
    that fell in text a viewer without member access reads: `is_free(offset)`)."""
    removed: list[list[Removal]] = [[] for _ in documents]
    repaired: list[list[tuple[str, str]]] = [[] for _ in documents]
    free_repaired: list[list[tuple[str, str]]] = [[] for _ in documents]
    for offset, removal in cleaned.removed:
        removed[_owner(starts, offset)].append(removal)
    for offset, found, replaced in cleaned.repaired:
        owner = _owner(starts, offset)
        repaired[owner].append((found, replaced))
        if is_free(offset):
            free_repaired[owner].append((found, replaced))
    for k, doc in enumerate(documents):
        doc.removed = removed[k]
        doc.repairs = count_repairs(repaired[k])
        if doc.free_facts is not None:
            doc.free_facts = replace(doc.free_facts, repairs=count_repairs(free_repaired[k]))
    if hint:  # the title given with the text: public
        first = documents[0]
        first.repairs = _merge_repairs(hint, first.repairs)
        if first.free_facts is not None:
            first.free_facts = replace(first.free_facts, repairs=_merge_repairs(hint, first.free_facts.repairs))


def _owner(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _merge_repairs(first: list[Repair], second: list[Repair]) -> list[Repair]:
    counts: dict[tuple[str, str], int] = {}
    for repair in [*first, *second]:
        key = (repair.found, repair.replaced)
        counts[key] = counts.get(key, 0) + repair.count
    return [Repair(found, replaced, n) for (found, replaced), n in counts.items()]
