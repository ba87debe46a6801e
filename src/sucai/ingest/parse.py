"""Decoded text -> finished Documents (no ids, no storage): clean, lines, split, structure, classify,
placeholders.

    docs = parse_text(text, source="a.txt")                      # a compilation gives several documents
    docs = parse_text(rec["content"], source="x.jsonl#3", title_hint=rec["title"], year_hint=2024)

Each document records the removals and repairs that fell within its part of the text; a removal between
two documents goes to the one before it, so a trailing advertisement is recorded on the last document.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from pathlib import Path

from sucai.ingest.classify import classify_normalized, title_year
from sucai.ingest.clean import Cleaned, Rules, clean_text, count_repairs, load_rules, repair_text
from sucai.ingest.lines import lines_with_offsets
from sucai.ingest.placeholders import find_placeholders
from sucai.ingest.split import Part, split_documents, strip_count
from sucai.ingest.structure import build_blocks, is_salutation_line
from sucai.model import Document, Removal, Repair
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
    inherited = strip_count(split.collection_title) if split.collection_title else None
    # a document of a compilation that names no year of its own has the collection's
    collection_year = title_year(normalize(inherited)) if inherited else None
    documents = []
    for part in split.parts:
        title = part.title or inherited or _fallback_title(source, part)
        documents.append(_document(part, title, source, rules, years=(year_hint, collection_year)))
    starts = [offsets[p.start] for p in split.parts]
    _attribute(documents, starts, cleaned, hint_repairs)
    return documents


def _document(
    part: Part, title: str, source: str, rules: Rules, *, years: tuple[int | None, int | None]
) -> Document:
    """One document; `years` = (the year given with the text, the year of the collection title)."""
    # The title is the document's public face (lists, search results, feeds): never member-only.
    blocks, outline = build_blocks(title, part.lines)
    body = [normalize(b.text) for b in blocks if b.kind != "title"]
    norm_body = PARAGRAPH_SEP.join(body)  # = normalize_paragraphs(non-title block texts)
    year_hint, collection_year = years
    facts = classify_normalized(
        normalize(title), norm_body, year_hint=year_hint, topics=rules.topics, collection_year=collection_year
    )
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
        body_sha256=hashlib.sha256(norm_body.encode("utf-8")).hexdigest(),
    )


def _fallback_title(source: str, part: Part) -> str:
    """No title anywhere: the file name if it says something, else the opening words of the text."""
    stem = Path(source.split("#", 1)[0]).stem
    if _CJK.search(stem):
        return stem
    texts = [line.text for line in part.lines if not is_salutation_line(line.text)]
    first = texts[0] if texts else stem
    cut = min((i for i in (first.find(p) for p in "。！？：，") if i > 0), default=len(first))
    return first[: min(cut, _FALLBACK_TITLE_CHARS)].strip() or stem or "无标题"


def _attribute(documents: list[Document], starts: list[int], cleaned: Cleaned, hint: list[Repair]) -> None:
    """Give each removal and repair to the document whose part of the text it fell in."""
    removed: list[list[Removal]] = [[] for _ in documents]
    repaired: list[list[tuple[str, str]]] = [[] for _ in documents]
    for offset, removal in cleaned.removed:
        removed[_owner(starts, offset)].append(removal)
    for offset, found, replaced in cleaned.repaired:
        repaired[_owner(starts, offset)].append((found, replaced))
    for k, doc in enumerate(documents):
        doc.removed = removed[k]
        doc.repairs = count_repairs(repaired[k])
    if hint:
        documents[0].repairs = _merge_repairs(hint, documents[0].repairs)


def _owner(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _merge_repairs(first: list[Repair], second: list[Repair]) -> list[Repair]:
    counts: dict[tuple[str, str], int] = {}
    for repair in [*first, *second]:
        key = (repair.found, repair.replaced)
        counts[key] = counts.get(key, 0) + repair.count
    return [Repair(found, replaced, n) for (found, replaced), n in counts.items()]
