"""Quick lookup (快速查找): as-you-type suggestions over titles and outline headings.

Every title and heading is a document of the lookup index (kept with the main index, in the same sync),
tokenised like the text: bigrams of its normal form (any fragment matches exactly) and bigrams of its
pinyin initials (`ztjy` -> 主题教育). Typed full pinyin (`zhutijiao`) is split into syllables, looked up
by their initials and checked syllable by syllable. Titles rank first, then entries that start with
what was typed, then BM25 (shorter entries first). Nothing is held in memory, so opening is instant.

Pinyin is per character (the most common reading of each hanzi, from pypinyin), so a polyphonic
character in an unusual reading is found only under its common one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import tantivy

from sucai.model import Document, Suggestion
from sucai.normalize import normalize
from sucai.search.tokens import document_tokens, phrase_query, token_safe

TITLE_BOOST = 1000.0
PREFIX_BOOST = 100.0
PREFIX_CHARS = 8  # prefixes indexed per entry (typed text longer than this gets no prefix bonus)
CANDIDATES = 4  # entries fetched per suggestion wanted (duplicates and pinyin checks drop some)
_Occur = tantivy.Occur
_LETTERS = re.compile(r"[a-z]+")
_NOT_INITIAL = re.compile(r"[^a-z0-9\n]")


@dataclass(frozen=True)
class Heading:
    """A quick-lookup entry: a document's title (block -1) or one of its outline headings."""

    doc_id: int
    block: int
    paid: bool
    text: str


def document_heads(doc: Document) -> list[Heading]:
    assert doc.id is not None
    heads = [Heading(doc.id, -1, False, doc.title)] if doc.title.strip() else []
    heads += [Heading(doc.id, i, b.paid, b.text) for i, b in enumerate(doc.blocks) if b.kind == "heading"]
    return heads


@lru_cache(maxsize=1)
def _syllable_table() -> dict[int, str]:
    """Each common hanzi's most common reading, without tone."""
    from pypinyin import Style, lazy_pinyin

    chars = [chr(cp) for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF)) for cp in range(lo, hi + 1)]
    readings = lazy_pinyin(chars, style=Style.NORMAL, errors=lambda _c: "-")
    return {ord(c): r for c, r in zip(chars, readings, strict=True) if r and r.isascii() and r.isalpha()}


@lru_cache(maxsize=1)
def _initial_table() -> dict[int, str]:
    return {cp: r[0] for cp, r in _syllable_table().items()}


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    return frozenset(_syllable_table().values())


def initials(normalized: str) -> str:
    """One letter per hanzi (its reading's first), ASCII letters and digits kept, the rest dropped."""
    return _NOT_INITIAL.sub("", normalized.translate(_initial_table()))


def syllables_of(normalized: str) -> list[str]:
    """The syllable per character that `initials` keeps, aligned with it."""
    table = _syllable_table()
    out: list[str] = []
    for ch in normalized:
        reading = table.get(ord(ch))
        if reading:
            out.append(reading)
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
    return out


def segmentations(letters: str, limit: int = 4) -> list[list[str]]:
    """Ways to read typed letters as whole pinyin syllables, the last possibly a prefix of one."""
    known = _syllables()
    found: list[list[str]] = []

    def walk(rest: str, acc: list[str]) -> None:
        if len(found) >= limit:
            return
        if any(s.startswith(rest) for s in known):
            found.append([*acc, rest])
        for cut in range(min(6, len(rest) - 1), 0, -1):
            if rest[:cut] in known:
                walk(rest[cut:], [*acc, rest[:cut]])

    walk(letters, [])
    return [seg for seg in found if len(seg) > 1 or len(letters) > 1]


def _spells(syllables: list[str], seg: list[str]) -> bool:
    if len(syllables) != len(seg):
        return False
    whole = all(a == b for a, b in zip(syllables[:-1], seg[:-1], strict=True))
    return whole and syllables[-1].startswith(seg[-1])


def spells_somewhere(normalized: str, seg: list[str]) -> bool:
    """Whether the entry's syllables spell the segmentation at some position."""
    inits, syllables = initials(normalized), syllables_of(normalized)
    key = "".join(s[0] for s in seg)
    pos = inits.find(key)
    while pos >= 0:
        if _spells(syllables[pos : pos + len(seg)], seg):
            return True
        pos = inits.find(key, pos + 1)
    return False


# -- the lookup index ----------------------------------------------------------------------------------
def lookup_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("doc", stored=True, indexed=True, fast=True)
    sb.add_integer_field("block", stored=True)
    sb.add_integer_field("paid", indexed=True)
    sb.add_integer_field("title", indexed=True)
    sb.add_bytes_field("text", stored=True)
    sb.add_text_field("chars", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("letters", tokenizer_name="whitespace", index_option="position")
    # Prefixes, space-separated in one value (normal forms and initials hold no ASCII whitespace).
    sb.add_text_field("starts", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("lstarts", tokenizer_name="whitespace", index_option="basic")
    return sb.build()


def lookup_documents(heads: Iterable[Heading]) -> list[tantivy.Document]:
    """One engine document per title or heading."""
    out: list[tantivy.Document] = []
    for h in heads:
        norm = normalize(h.text)
        letters = initials(norm)
        doc = tantivy.Document()
        doc.add_integer("doc", h.doc_id)
        doc.add_integer("block", h.block)
        doc.add_integer("paid", int(h.paid))
        doc.add_integer("title", int(h.block < 0))
        doc.add_bytes("text", h.text.encode("utf-8"))
        doc.add_text("chars", document_tokens([norm]))
        doc.add_text("letters", document_tokens([letters]))
        safe = token_safe(norm)
        doc.add_text("starts", " ".join(safe[:n] for n in range(1, min(len(safe), PREFIX_CHARS) + 1)))
        doc.add_text("lstarts", " ".join(letters[:n] for n in range(2, min(len(letters), PREFIX_CHARS) + 1)))
        out.append(doc)
    return out


@dataclass(frozen=True)
class _Found:
    score: float
    doc_id: int
    block: int
    text: str


def _ranked(schema: tantivy.Schema, match: tantivy.Query, start_field: str, typed: str) -> tantivy.Query:
    clauses = [
        (_Occur.Must, match),
        (_Occur.Should, tantivy.Query.const_score_query(tantivy.Query.term_query(schema, "title", 1), TITLE_BOOST)),
    ]
    if len(typed) <= PREFIX_CHARS:
        prefix = tantivy.Query.term_query(schema, start_field, typed)
        clauses.append((_Occur.Should, tantivy.Query.const_score_query(prefix, PREFIX_BOOST)))
    return tantivy.Query.boolean_query(clauses)


def _run(searcher: tantivy.Searcher, query: tantivy.Query, limit: int) -> list[_Found]:
    found: list[_Found] = []
    for score, addr in searcher.search(query, limit, count=False).hits:
        stored = searcher.doc(addr)
        text = bytes(stored.get_first("text") or b"").decode("utf-8")
        doc_id, block = stored.get_first("doc"), stored.get_first("block")
        found.append(_Found(float(score), int(doc_id or 0), int(block or 0), text))
    return found


def suggest(
    schema: tantivy.Schema, free: tantivy.Searcher, paid: tantivy.Searcher | None, prefix: str, limit: int = 10
) -> list[Suggestion]:
    """Titles and headings containing what was typed (or its pinyin), best first, one per distinct text.

    Titles and free headings are one index (`free`), member-only headings another (`paid`): a viewer without
    member access is answered from the first alone (paid=None), so nothing of the member-only headings (not
    even their share of the ranking statistics) reaches them. A member's suggestions merge both."""
    typed = normalize(prefix)
    if not typed or limit <= 0:
        return []
    found = _lookup(schema, free, typed, limit * CANDIDATES)
    if paid is not None:
        found += _lookup(schema, paid, typed, limit * CANDIDATES)
    return _distinct(found, limit)


def _lookup(schema: tantivy.Schema, searcher: tantivy.Searcher, typed: str, wanted: int) -> list[_Found]:
    """The entries of one lookup index matching what was typed (text, then pinyin initials and syllables)."""
    found = _run(searcher, _ranked(schema, phrase_query(schema, "chars", typed), "starts", typed), wanted)
    if _LETTERS.fullmatch(typed) and len(typed) >= 2:
        initials_query = phrase_query(schema, "letters", typed)
        found += _run(searcher, _ranked(schema, initials_query, "lstarts", typed), wanted)
        found += _full_pinyin(searcher, schema, typed, wanted)
    return found


def _full_pinyin(searcher: tantivy.Searcher, schema: tantivy.Schema, typed: str, wanted: int) -> list[_Found]:
    """Entries whose syllables spell the typed letters: found by their initials, then checked."""
    found: list[_Found] = []
    for seg in segmentations(typed):
        if all(len(s) == 1 for s in seg):
            continue  # plain initials: already looked up
        key = "".join(s[0] for s in seg)
        query = _ranked(schema, phrase_query(schema, "letters", key), "lstarts", key)
        found += [f for f in _run(searcher, query, wanted * 4) if spells_somewhere(normalize(f.text), seg)]
    return found


def _distinct(found: list[_Found], limit: int) -> list[Suggestion]:
    out: list[Suggestion] = []
    seen: set[str] = set()
    for f in sorted(found, key=lambda f: (-f.score, len(f.text), f.doc_id, f.block)):
        if f.text not in seen:
            seen.add(f.text)
            out.append(Suggestion(f.text, "title" if f.block < 0 else "heading", f.doc_id))
            if len(out) >= limit:
                break
    return out
