"""The derived index: two tantivy indexes fed our own tokens, and the store sequence number they reflect.

    index_dir/main/     one engine document per stored document (body, title, genre, tag, year)
    index_dir/lookup/   one engine document per title or outline heading (quick lookup)
    index_dir/state.json  {"format", "seq"}: written atomically after both commits

A crash between a commit and the state write only makes the next sync apply some changes again, and
applying is idempotent: every document (and its lookup entries) is deleted by id before it is added.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from sucai.model import Document
from sucai.normalize import normalize
from sucai.search.tokens import char_tokens, document_tokens, phrase_terms, single_char_pattern, token_safe

FORMAT = 3  # bump when a schema or the tokens change: an index of another format is rebuilt
STATE_FILE = "state.json"
SYNC_HEAP = 64_000_000
BULK_HEAP = 256_000_000
LOCK_WAIT_S = 10.0


class IndexBusy(Exception):
    """Another process holds the index writer for longer than we wait; it applies the changes."""


def main_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", indexed=True, fast=True)
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    # Each character alone, counted but without positions: a one-character query is one term here
    # (over `body` it would be the union of every bigram the character starts).
    sb.add_text_field("chars", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("title", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("genre", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_text_field("tag", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    return sb.build()





def to_engine_document(doc: Document) -> tantivy.Document:
    """One stored document as the engine indexes it (duplicates never get here)."""
    assert doc.id is not None
    out = tantivy.Document()
    out.add_integer("id", doc.id)
    normalized = [normalize(b.text) for b in doc.blocks]
    out.add_text("body", document_tokens(normalized))
    out.add_text("chars", char_tokens(normalized))
    out.add_text("title", document_tokens([normalize(doc.title)]))
    if doc.genre:
        out.add_text("genre", doc.genre)
    for tag in dict.fromkeys(doc.tags):
        out.add_text("tag", tag)
    if doc.year is not None:
        out.add_integer("year", doc.year)
    return out


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


def phrase_query(schema: tantivy.Schema, field: str, text: str) -> tantivy.Query:
    """Exact substring of one paragraph of `field` (a field of our tokens); text already normalised."""
    if len(text) == 1:
        return tantivy.Query.regex_query(schema, field, single_char_pattern(text))
    pairs = phrase_terms(text)
    if len(pairs) == 1:
        return tantivy.Query.term_query(schema, field, pairs[0][1])
    words: list[str | tuple[int, str]] = [*pairs]
    return tantivy.Query.phrase_query(schema, field, words)


def body_query(schema: tantivy.Schema, text: str) -> tantivy.Query:
    """Exact substring of one paragraph of a document's text; text already normalised."""
    if len(text) == 1:
        return tantivy.Query.term_query(schema, "chars", token_safe(text))
    return phrase_query(schema, "body", text)


def _acquire_writer(index: tantivy.Index, heap: int, threads: int) -> tantivy.IndexWriter:
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            return index.writer(heap, threads)
        except ValueError as exc:  # LockBusy: another process (or thread) is writing
            if "LockBusy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise IndexBusy(str(exc)) from exc
            time.sleep(0.02)


@dataclass
class Writers:
    """The two writers of one sync or rebuild; they commit together."""

    main: tantivy.IndexWriter
    lookup: tantivy.IndexWriter


class SearchIndex:
    """The derived index in a directory, with the store sequence number it reflects."""

    def __init__(self, path: Path) -> None:
        from sucai.search.suggest import lookup_schema

        self.path = Path(path)
        self.schema = main_schema()
        self.lookup_schema = lookup_schema()
        self._open_or_create()
        self.loaded_seq = self.applied_seq()

    # -- opening -------------------------------------------------------------------------------
    def _open_or_create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        if self._read_state().get("format") != FORMAT:
            self._reset_directory()
        try:
            self._open()
        except (ValueError, OSError):  # unreadable (e.g. written by another tantivy version): start over
            self._reset_directory()
            self._open()

    def _open(self) -> None:
        for sub in ("main", "lookup"):
            (self.path / sub).mkdir(exist_ok=True)
        self.main = tantivy.Index(self.schema, str(self.path / "main"), reuse=True)
        self.lookup = tantivy.Index(self.lookup_schema, str(self.path / "lookup"), reuse=True)

    def _reset_directory(self) -> None:
        """An index of another format (or none): start empty, applied sequence 0."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)
        self._write_state(0)

    # -- state -----------------------------------------------------------------------------------
    def _read_state(self) -> dict[str, Any]:
        try:
            data = json.loads((self.path / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def applied_seq(self) -> int:
        """The store sequence number the committed index reflects (re-read: another process may sync)."""
        seq = self._read_state().get("seq", 0)
        return seq if isinstance(seq, int) else 0

    def _write_state(self, seq: int) -> None:
        tmp = self.path / (STATE_FILE + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"format": FORMAT, "seq": seq}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / STATE_FILE)

    # -- writing ---------------------------------------------------------------------------------
    @contextmanager
    def writers(self, heap: int = SYNC_HEAP, threads: int = 1) -> Iterator[Writers]:
        """The one pair of writers, held only while applying changes so that other processes can sync too."""
        main = _acquire_writer(self.main, heap, threads)
        try:
            lookup = _acquire_writer(self.lookup, max(heap // 4, 15_000_000), 1)
        except BaseException:
            main.rollback()
            main.wait_merging_threads()
            raise
        try:
            yield Writers(main, lookup)
        except BaseException:
            main.rollback()
            lookup.rollback()
            raise
        finally:
            main.wait_merging_threads()
            lookup.wait_merging_threads()

    def delete(self, writers: Writers, doc_ids: Iterable[int]) -> None:
        for doc_id in doc_ids:
            writers.main.delete_documents_by_query(tantivy.Query.term_query(self.schema, "id", doc_id))
            writers.lookup.delete_documents_by_query(tantivy.Query.term_query(self.lookup_schema, "doc", doc_id))

    def commit(self, writers: Writers, seq: int) -> None:
        """Commit both writers' changes, then record the sequence they bring the index to."""
        writers.main.commit()
        writers.lookup.commit()
        self._write_state(seq)
        self.reload()

    def reload(self) -> None:
        self.main.reload()
        self.lookup.reload()
        self.loaded_seq = self.applied_seq()

    def clear(self, writers: Writers) -> None:
        writers.main.delete_all_documents()
        writers.lookup.delete_all_documents()

    # -- reading ---------------------------------------------------------------------------------
    def searcher(self) -> tantivy.Searcher:
        return self.main.searcher()

    def lookup_searcher(self) -> tantivy.Searcher:
        return self.lookup.searcher()

    def num_docs(self) -> int:
        return int(self.searcher().num_docs)
