"""The search engine the library calls: exact-substring search over the derived index, kept in step
with the store by its change sequence, with ranking, facets, exact snippets, the paywall and quick lookup.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy

from sucai.model import Document, Hit, SearchResult, Suggestion
from sucai.search.index import (
    BULK_HEAP,
    SYNC_HEAP,
    IndexBusy,
    SearchIndex,
    Writers,
    body_query,
    document_heads,
    phrase_query,
    to_engine_document,
)
from sucai.search.query import AnyOf, Filter, ParsedQuery, Phrase, parse
from sucai.search.snippets import Haystack, Matcher, matcher_for, snippets_and_paragraphs
from sucai.search.suggest import lookup_documents, suggest
from sucai.store.base import Store
from sucai.store.bodies import DocumentText

TITLE_BOOST = 1_000_000.0  # added once per phrase found in the title: title matches always rank first
FETCH_BATCH = 500  # documents read from the store at a time while applying changes
BULK_BACKLOG = 2000  # changes behind: index with the larger, two-thread writer
FACET_SIZE = 1000  # buckets per facet: far above any real genre/year/tag count, so counts are exact
DOC_CACHE_CHARS = 16_000_000  # characters of recently shown documents kept in memory (~32 MB; ~5,000 documents)
_Occur = tantivy.Occur


# -- compiling a parsed query (never user text) into engine queries ------------------------------
def atom_query(schema: tantivy.Schema, atom: Phrase | Filter) -> tantivy.Query:
    if isinstance(atom, Phrase):
        return body_query(schema, atom.text)
    if atom.field == "title":
        return phrase_query(schema, "title", atom.value)
    if atom.field == "year":
        return tantivy.Query.range_query(
            schema, "year", tantivy.FieldType.Integer, atom.year_from, atom.year_to
        )
    return tantivy.Query.term_query(schema, atom.field, atom.value)


def alternatives_query(schema: tantivy.Schema, alt: AnyOf) -> tantivy.Query:
    if len(alt.atoms) == 1:
        return atom_query(schema, alt.atoms[0])
    return tantivy.Query.boolean_query([(_Occur.Should, atom_query(schema, a)) for a in alt.atoms])


def match_query(schema: tantivy.Schema, parsed: ParsedQuery) -> tantivy.Query:
    """Which documents match: every AND clause, none of the exclusions."""
    clauses = [(_Occur.Must, alternatives_query(schema, alt)) for alt in parsed.must]
    clauses += [(_Occur.MustNot, alternatives_query(schema, alt)) for alt in parsed.must_not]
    return tantivy.Query.boolean_query(clauses)


def ranked_query(schema: tantivy.Schema, parsed: ParsedQuery, match: tantivy.Query) -> tantivy.Query:
    """The match, scored by BM25, plus a constant far above it for each phrase the title contains."""
    boosts = [
        (_Occur.Should, tantivy.Query.const_score_query(phrase_query(schema, "title", p), TITLE_BOOST))
        for p in parsed.phrases()
    ]
    return tantivy.Query.boolean_query([(_Occur.Must, match), *boosts]) if boosts else match


# -- hits ------------------------------------------------------------------------------------------
def matches_in_free_text(parsed: ParsedQuery, hay: Haystack, matcher: Matcher) -> bool:
    """Whether the query matches using only the blocks every viewer may read (filters are metadata)."""
    return all(
        any(isinstance(a, Filter) or matcher.in_free_text(a.text, hay) for a in alt.atoms) for alt in parsed.must
    )


class HitBuilder:
    """Ranked documents of one query as hits: exact snippets and paragraphs from what the viewer may see."""

    def __init__(self, parsed: ParsedQuery, paid_visible: bool) -> None:
        self.parsed = parsed
        self.paid_visible = paid_visible
        self.matcher = matcher_for(tuple(parsed.phrases()))
        self.title_matcher = matcher_for(tuple(parsed.title_phrases()))

    def hit(self, doc: DocumentText, score: float) -> Hit:
        base: dict[str, Any] = {
            "id": doc.id, "title": doc.title, "score": score, "year": doc.year, "genre": doc.genre,
            "title_html": self.title_matcher.highlight(doc.title),
        }
        hay = self.matcher.haystack(doc)
        if not self.paid_visible and doc.has_paid and not matches_in_free_text(self.parsed, hay, self.matcher):
            return Hit(**base, locked=True)
        matches = self.matcher.blocks(hay, include_paid=self.paid_visible)
        snippets, paragraphs = snippets_and_paragraphs(self.matcher, matches)
        return Hit(**base, snippets=snippets, paragraphs=paragraphs)


def count_and_facets(searcher: tantivy.Searcher, match: tantivy.Query) -> tuple[int, dict[str, dict[str, int]]]:
    """The exact number of matching documents and genre / year / tag counts over all of them, in one pass."""
    aggs: dict[str, Any] = {
        name: {"terms": {"field": name, "size": FACET_SIZE, "segment_size": FACET_SIZE}}
        for name in ("genre", "year", "tag")
    }
    aggs["total"] = {"value_count": {"field": "id"}}
    result = searcher.aggregate(match, aggs)
    facets = {
        name: {str(b["key"]): int(b["doc_count"]) for b in result.get(name, {}).get("buckets", [])}
        for name in ("genre", "year", "tag")
    }
    return int(result.get("total", {}).get("value") or 0), facets


class DocumentCache:
    """Recently shown documents, up to a budget of characters (ids are never reused, so an entry is only
    dropped when its document changes). Results of frequent queries share many documents: a hit here
    saves the store read, and the document's offset check (DocumentText.shifts) is already done."""

    def __init__(self, store: Store, max_chars: int = DOC_CACHE_CHARS) -> None:
        self.store = store
        self.max_chars = max_chars
        self._docs: OrderedDict[int, DocumentText] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, ids: Sequence[int]) -> dict[int, DocumentText]:
        with self._lock:
            found = {i: self._docs[i] for i in ids if i in self._docs}
            for i in found:
                self._docs.move_to_end(i)
        missing = [i for i in ids if i not in found]
        self.hits, self.misses = self.hits + len(found), self.misses + len(missing)
        fetched = {d.id: d for d in self.store.document_texts(missing)} if missing else {}
        with self._lock:
            for doc_id, doc in fetched.items():
                self._put(doc_id, doc)
            while self._chars > self.max_chars and self._docs:
                self._chars -= len(self._docs.popitem(last=False)[1].text)
        return found | fetched

    def _put(self, doc_id: int, doc: DocumentText) -> None:
        old = self._docs.pop(doc_id, None)
        self._chars += len(doc.text) - (len(old.text) if old else 0)
        self._docs[doc_id] = doc

    def forget(self, ids: Sequence[int] | None = None) -> None:
        with self._lock:
            if ids is None:
                self._docs.clear()
                self._chars = 0
            for i in ids or ():
                old = self._docs.pop(i, None)
                self._chars -= len(old.text) if old else 0


class SearchEngine:
    """Exact-substring search over a store, through a derived index in `index_dir`."""

    def __init__(self, store: Store, index_dir: Path) -> None:
        self.store = store
        self.index = SearchIndex(Path(index_dir))
        self._lock = threading.RLock()
        self.doc_cache = DocumentCache(store)
        # Counting and facets need a pass over every match; the engine releases the GIL for it, so it
        # runs beside the top-k search and the snippets instead of after them.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sucai-count")
        self.sync()
        self._check_count()

    # -- keeping in step with the store ------------------------------------------------------------
    def sync(self) -> int:
        """Apply the store's changes since the index's sequence number; returns how many were applied."""
        with self._lock:
            target = self.store.last_seq()
            applied = self.index.applied_seq()
            if applied != self.index.loaded_seq:  # another process committed
                self.index.reload()
                self.doc_cache.forget()
            if applied == target:
                return 0
            if applied > target:  # the index belongs to another (or a restored) library
                self.rebuild()
                return 0
            try:
                return self._apply_changes(target - applied)
            except IndexBusy:
                return 0  # another process is applying these very changes

    def _apply_changes(self, backlog: int) -> int:
        applied_count = 0
        heap, threads = (BULK_HEAP, 2) if backlog > BULK_BACKLOG else (SYNC_HEAP, 1)
        touched: list[int] = []
        with self.index.writers(heap, threads) as writers:
            seq = self.index.applied_seq()  # re-read under the writer lock
            while changes := self.store.changes_since(seq):
                ids = list(dict.fromkeys(c.doc_id for c in changes))
                self._replace(writers, ids)
                touched += ids
                applied_count += len(changes)
                seq = changes[-1].seq
            self.index.commit(writers, seq)
        self.doc_cache.forget(touched)
        return applied_count

    def _replace(self, writers: Writers, ids: Sequence[int]) -> None:
        """Make the index hold the store's current version of each document (or nothing): idempotent."""
        self.index.delete(writers, ids)
        for start in range(0, len(ids), FETCH_BATCH):
            for doc in self.store.documents(ids[start : start + FETCH_BATCH]):
                if doc.duplicate_of is None:
                    self._add(writers, doc)

    def _add(self, writers: Writers, doc: Document) -> None:
        writers.main.add_document(to_engine_document(doc))
        for entry in lookup_documents(document_heads(doc)):
            writers.lookup.add_document(entry)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Throw the index away and index every stored document again; returns how many."""
        with self._lock, self.index.writers(BULK_HEAP, threads=2) as writers:
            seq = self.store.last_seq()  # changes after this are applied again by the next sync
            total = self.store.count_documents()
            self.index.clear(writers)
            done = 0
            for doc in self.store.iter_documents():
                self._add(writers, doc)
                done += 1
                if progress is not None:
                    progress(done, total)
            self.index.commit(writers, seq)
            self.doc_cache.forget()
        return done

    def _check_count(self) -> None:
        """Self-heal at start-up: an index that disagrees with a quiet store is rebuilt."""
        seq = self.store.last_seq()
        count = self.store.count_documents()
        if seq == self.store.last_seq() == self.index.applied_seq() and count != self.index.num_docs():
            self.rebuild()

    # -- searching ---------------------------------------------------------------------------------
    def search(
        self, query: str, *, limit: int = 20, offset: int = 0, paid_visible: bool = True
    ) -> SearchResult:
        """Every document containing the query's phrases exactly, ranked, this page with snippets."""
        started = time.perf_counter()
        parsed = parse(query)
        schema = self.index.schema
        searcher = self.index.searcher()
        match = match_query(schema, parsed)
        counting = self._pool.submit(count_and_facets, searcher, match)
        found = searcher.search(ranked_query(schema, parsed, match), max(limit, 1), count=False, offset=offset)
        scored = found.hits[:limit] if limit > 0 else []
        ids = searcher.fast_field_values("id", [addr for _score, addr in scored])
        docs = self.doc_cache.get([int(i) for i in ids if i is not None])
        builder = HitBuilder(parsed, paid_visible)
        hits = [
            builder.hit(docs[int(i)], float(score))
            for (score, _addr), i in zip(scored, ids, strict=True)
            if i is not None and int(i) in docs
        ]
        total, facets = counting.result()
        return SearchResult(
            query=query, total=total, hits=hits, offset=offset, limit=limit, facets=facets,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    def suggest(self, prefix: str, limit: int = 10, paid_visible: bool = True) -> list[Suggestion]:
        """As-you-type suggestions over titles and outline headings, pinyin initials included."""
        return suggest(self.index, prefix, limit=limit, paid_visible=paid_visible)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.doc_cache.forget()

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
