"""The search engine the library calls: exact-substring search over the derived index, kept in step
with the store by its change sequence, with ranking, facets, exact snippets, the paywall and quick lookup.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from sucai.kept import Kept
from sucai.model import Document, FreeFacts, Hit, SearchResult, Suggestion
from sucai.search.index import (
    ALL_FIELDS,
    BULK_HEAP,
    LOCK_WAIT_S,
    SYNC_HEAP,
    Fields,
    IndexBusy,
    Loaded,
    SearchIndex,
    Writers,
    body_query,
    fields_for,
    node_name,
)
from sucai.search.query import AnyOf, Filter, ParsedQuery, Phrase, parse
from sucai.search.ranking import ranked_page
from sucai.search.result_cache import ResultCache
from sucai.search.snippets import MAX_SNIPPETS, matcher_for, snippets_and_paragraphs
from sucai.search.suggest import suggest
from sucai.search.tokens import phrase_query
from sucai.store.base import Store
from sucai.store.bodies import DocumentText
from sucai.store.changelog import ChangesCompacted
from sucai.store.free_facts import shown_free_facts

FETCH_BATCH = 500  # documents read from the store at a time while applying changes
REBUILD_COMMIT_S = 5.0  # an empty index being built shows its progress to searches this often
BULK_BACKLOG = 2000  # changes behind: index with the larger, two-thread writer
HOLD_HEAP = 15_000_000  # tantivy's smallest writer: held only to keep other processes from committing
FACET_SIZE = 1000  # buckets per facet: far above any real genre/year/tag count, so counts are exact
DOC_CACHE_CHARS = 16_000_000  # characters of recently shown documents kept in memory (~32 MB; ~5,000 documents)
_Occur = tantivy.Occur


# -- compiling a parsed query (never user text) into engine queries ------------------------------
# Every query is compiled over the fields the viewer may read (index.fields_for): for a viewer without
# member access, phrases, facets and filters use the free fields only, so the answer is the one a
# library without the member-only text would give.
def atom_query(schema: tantivy.Schema, atom: Phrase | Filter, fields: Fields = ALL_FIELDS) -> tantivy.Query:
    if isinstance(atom, Phrase):
        return body_query(schema, atom.text, fields)
    if atom.field == "title":
        return phrase_query(schema, "title", atom.value)
    if atom.field == "year":
        return tantivy.Query.range_query(
            schema, fields.year, tantivy.FieldType.Integer, atom.year_from, atom.year_to
        )
    return tantivy.Query.term_query(schema, fields.facet(atom.field), atom.value)


def alternatives_query(schema: tantivy.Schema, alt: AnyOf, fields: Fields = ALL_FIELDS) -> tantivy.Query:
    if len(alt.atoms) == 1:
        return atom_query(schema, alt.atoms[0], fields)
    return tantivy.Query.boolean_query([(_Occur.Should, atom_query(schema, a, fields)) for a in alt.atoms])


def match_query(schema: tantivy.Schema, parsed: ParsedQuery, fields: Fields = ALL_FIELDS) -> tantivy.Query:
    """Which documents match: every AND clause, none of the exclusions."""
    clauses = [(_Occur.Must, alternatives_query(schema, alt, fields)) for alt in parsed.must]
    clauses += [(_Occur.MustNot, alternatives_query(schema, alt, fields)) for alt in parsed.must_not]
    return tantivy.Query.boolean_query(clauses)


# -- hits ------------------------------------------------------------------------------------------
class HitBuilder:
    """Ranked documents of one query as hits: exact snippets and paragraphs from what the viewer may see.

    The engine found the document in text the viewer may read, so its snippets come from there too. A hit
    is `locked` when the document has a member-only part the viewer may not read (its lock notice
    invites to join); year and genre are then those of the free text."""

    def __init__(self, parsed: ParsedQuery, paid_visible: bool, snippets: bool = True) -> None:
        self.parsed = parsed
        self.paid_visible = paid_visible
        self.snippets = MAX_SNIPPETS if snippets else 0
        self.matcher = matcher_for(tuple(parsed.phrases()))
        self.title_matcher = matcher_for(tuple(parsed.title_phrases()))

    def hit(self, doc: DocumentText, score: float) -> Hit:
        year, genre = doc.year, doc.genre
        locked = not self.paid_visible and doc.has_paid
        if locked:
            free = shown_free_facts(doc.free_facts, True) or FreeFacts()
            year, genre = free.year, free.genre
        matches = self.matcher.blocks(self.matcher.haystack(doc), include_paid=self.paid_visible)
        snippets, paragraphs = snippets_and_paragraphs(self.matcher, matches, snippets=self.snippets)
        return Hit(
            id=doc.id, title=doc.title, score=score, year=year, genre=genre,
            title_html=self.title_matcher.highlight(doc.title), snippets=snippets, paragraphs=paragraphs,
            locked=locked,
        )


def count_and_facets(
    searcher: tantivy.Searcher, match: tantivy.Query, fields: Fields = ALL_FIELDS
) -> tuple[int, dict[str, dict[str, int]]]:
    """The exact number of matching documents and genre / year / tag counts over all of them, in one pass
    (facets from the fields the viewer may read: the free text's for a viewer without member access)."""
    aggs: dict[str, Any] = {
        name: {"terms": {"field": fields.facet(name), "size": FACET_SIZE, "segment_size": FACET_SIZE}}
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
        self._docs: Kept[DocumentText] = Kept(max_chars, weigh=lambda doc: len(doc.text))
        self.hits = self.misses = 0

    def get(self, ids: Sequence[int]) -> dict[int, DocumentText]:
        found = {i: doc for i in ids if (doc := self._docs.get(i)) is not None}
        missing = [i for i in ids if i not in found]
        self.hits, self.misses = self.hits + len(found), self.misses + len(missing)
        fetched = {d.id: d for d in self.store.document_texts(missing)} if missing else {}
        for doc_id, doc in fetched.items():
            self._docs.put(doc_id, doc)
        return found | fetched

    def forget(self, ids: Sequence[int] | None = None) -> None:
        if ids is None:
            self._docs.clear()
        for i in ids or ():
            self._docs.forget(i)


class SearchEngine:
    """Exact-substring search over a store, through a derived index in `index_dir`."""

    def __init__(self, store: Store, index_dir: Path, catch_up: bool = True) -> None:
        """catch_up=False: open the index as it is and leave catching up to a follower (search/follower.py)."""
        self.store = store
        self.index = SearchIndex(Path(index_dir))
        self._lock = threading.RLock()
        self.doc_cache = DocumentCache(store)
        self.answers = ResultCache()
        # Counting and facets need a pass over every match; the engine releases the GIL for it, so it
        # runs beside the top-k search and the snippets instead of after them.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sucai-count")
        self.building = False  # a rebuild is under way (the index answers from what it holds meanwhile)
        if catch_up:
            self.sync()
            self.check_count()

    # -- keeping in step with the store ------------------------------------------------------------
    def sync(self) -> int:
        """Apply the store's changes since the index's sequence number; returns how many were applied."""
        with self._lock:
            target = self.store.last_seq()
            position = self.index.applied_position()
            applied = position.seq
            if position != self.index.loaded.position:  # another process committed (or rebuilt)
                self.index.reload()
                self.doc_cache.forget()
            if applied == target:
                return 0
            try:
                # An index ahead of the store belongs to another (or a restored) library; one behind what the
                # log still holds must start over; an empty one is built faster from the documents themselves.
                if applied > target or applied < self.store.compacted_seq() or (applied == 0 and target > BULK_BACKLOG):
                    self.rebuild()
                    return 0
                try:
                    return self._apply_changes(target - applied)
                except ChangesCompacted:  # compacted while we read: start over from the documents
                    self.rebuild()
                    return 0
            except IndexBusy:
                return 0  # another process is applying these very changes

    def _apply_changes(self, backlog: int) -> int:
        applied_count = 0
        heap, threads = (BULK_HEAP, 2) if backlog > BULK_BACKLOG else (SYNC_HEAP, 1)
        touched: list[int] = []
        with self.index.writers(heap, threads) as writers:
            seq = self.index.applied_seq()  # re-read under the writer lock
            target = seq + backlog  # no further: a steady stream of writes must not hold back the commit
            while seq < target and (changes := self.store.changes_since(seq)):
                ids = list(dict.fromkeys(c.doc_id for c in changes))
                self._replace(writers, ids)
                touched += ids
                applied_count += len(changes)
                seq = changes[-1].seq
            self.index.commit(writers, seq)
        self.doc_cache.forget(touched)
        self._report(seq)
        return applied_count

    def _report(self, seq: int) -> None:
        """Record in the store how far this index is (the log is compacted only past every index)."""
        self.store.report_position(node_name(self.index.path), seq, "")

    def _replace(self, writers: Writers, ids: Sequence[int]) -> None:
        """Make the index hold the store's current version of each document (or nothing): idempotent."""
        self.index.delete(writers, ids)
        for start in range(0, len(ids), FETCH_BATCH):
            for doc in self.store.documents(ids[start : start + FETCH_BATCH]):
                if doc.duplicate_of is None:
                    self._add(writers, doc)

    def _add(self, writers: Writers, doc: Document) -> None:
        self.index.add(writers, doc)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Throw the index away and index every stored document again; returns how many.

        An index that was empty shows what is built so far every REBUILD_COMMIT_S (a new node serves at once);
        until the end it records position 0, so an interrupted build is redone, never taken as complete."""
        with self._lock, self.index.writers(BULK_HEAP, threads=2) as writers:
            self.building = True
            try:
                seq = self.store.last_seq()  # changes after this are applied again by the next sync
                total = self.store.count_documents()
                partial = self.index.applied_seq() == 0
                self.index.clear(writers)
                done, shown = 0, time.monotonic()
                for doc in self.store.iter_documents():
                    self._add(writers, doc)
                    done += 1
                    if progress is not None:
                        progress(done, total)
                    if partial and time.monotonic() - shown > REBUILD_COMMIT_S:
                        self.index.commit(writers, 0)
                        shown = time.monotonic()
                self.index.commit(writers, seq)
                self.doc_cache.forget()
            finally:
                self.building = False
        self._report(seq)
        return done

    @contextmanager
    def commits_held(self) -> Iterator[int]:
        """While this holds, nothing commits to the index, so tantivy merges and deletes no file: neither this
        process (the lock sync and rebuild take) nor another sharing the folder (the writers, taken empty and
        dropped uncommitted). Yields the position the committed index reflects; IndexBusy after LOCK_WAIT_S
        (a build holds the lock for a minute: the caller is answered rather than kept waiting)."""
        if not self._lock.acquire(timeout=LOCK_WAIT_S):
            raise IndexBusy("the index is being written")
        try:
            with self.index.writers(HOLD_HEAP):
                yield self.index.applied_seq()
        finally:
            self._lock.release()

    def check_count(self) -> None:
        """Self-heal at start-up: an index that disagrees with a quiet store is rebuilt."""
        seq = self.store.last_seq()
        count = self.store.count_documents()
        if seq == self.store.last_seq() == self.index.applied_seq() and count != self.index.num_docs():
            self.rebuild()

    # -- searching ---------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Raised whenever what a search sees may have changed (a commit, a reload): answers of an older
        generation may be out of date."""
        return self.index.generation

    @property
    def loaded(self) -> Loaded:
        """The position and generation the readers hold, read together."""
        return self.index.loaded

    def search(
        self, query: str, *, limit: int = 20, offset: int = 0, paid_visible: bool = True, snippets: bool = True
    ) -> SearchResult:
        """Every document containing the query's phrases exactly, ranked, this page with its paragraph hits and
        (unless `snippets` is false: the web page shows paragraphs only) snippets."""
        started = time.perf_counter()
        key = (self.index.generation, query, paid_visible, limit, offset, snippets)
        if (kept := self.answers.get(key)) is not None:
            return dataclasses.replace(kept, took_ms=(time.perf_counter() - started) * 1000)
        parsed = parse(query)
        schema = self.index.schema
        searcher = self.index.searcher()
        fields = fields_for(paid_visible)
        match = match_query(schema, parsed, fields)
        counting = self._pool.submit(count_and_facets, searcher, match, fields)
        scored = ranked_page(searcher, schema, parsed, match, limit, offset)  # search/ranking.py
        docs = self.doc_cache.get([doc_id for _score, doc_id in scored])
        builder = HitBuilder(parsed, paid_visible, snippets)
        hits = [builder.hit(docs[doc_id], score) for score, doc_id in scored if doc_id in docs]
        total, facets = counting.result()
        result = SearchResult(
            query=query, total=total, hits=hits, offset=offset, limit=limit, facets=facets,
            took_ms=(time.perf_counter() - started) * 1000,
        )
        self.answers.put(key, result)
        return result

    def suggest(self, prefix: str, limit: int = 10, paid_visible: bool = True) -> list[Suggestion]:
        """As-you-type suggestions over titles and outline headings, pinyin initials included."""
        index = self.index
        paid = index.lookup_searcher(paid=True) if paid_visible else None
        return suggest(index.lookup_schema, index.lookup_searcher(), paid, prefix, limit=limit)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.doc_cache.forget()

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
