"""The derived index: a tantivy index fed our own tokens, plus the store sequence number it has applied.

The applied sequence lives in `state.json`, written atomically after each tantivy commit, so a crash
between the two only makes the next sync apply some changes again; applying is idempotent (every
document is deleted by id before it is added).
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
from sucai.search.tokens import document_tokens

FORMAT = 1  # bump when the schema or the tokens change: an index of another format is rebuilt
STATE_FILE = "state.json"
SYNC_HEAP = 64_000_000
BULK_HEAP = 256_000_000
LOCK_WAIT_S = 10.0


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", indexed=True, fast=True)
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("title", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("genre", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_text_field("tag", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    # Title and outline headings for quick lookup, loaded into memory once.
    sb.add_text_field("heads", stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


@dataclass(frozen=True)
class Heading:
    """A quick-lookup entry kept in the index: a title (block -1) or an outline heading."""

    doc_id: int
    block: int
    paid: bool
    text: str


def document_heads(doc: Document) -> list[Heading]:
    assert doc.id is not None
    heads = [Heading(doc.id, -1, False, doc.title)] if doc.title.strip() else []
    heads += [Heading(doc.id, i, b.paid, b.text) for i, b in enumerate(doc.blocks) if b.kind == "heading"]
    return heads


def to_engine_document(doc: Document) -> tantivy.Document:
    """One stored document as the engine indexes it (duplicates never get here)."""
    assert doc.id is not None
    out = tantivy.Document()
    out.add_integer("id", doc.id)
    out.add_text("body", document_tokens(normalize(b.text) for b in doc.blocks))
    out.add_text("title", document_tokens([normalize(doc.title)]))
    if doc.genre:
        out.add_text("genre", doc.genre)
    for tag in dict.fromkeys(doc.tags):
        out.add_text("tag", tag)
    if doc.year is not None:
        out.add_integer("year", doc.year)
    heads = [[h.block, int(h.paid), h.text] for h in document_heads(doc)]
    out.add_text("heads", json.dumps(heads, ensure_ascii=False, separators=(",", ":")))
    return out


def heads_from_stored(doc_id: int, stored: str) -> list[Heading]:
    return [Heading(doc_id, block, bool(paid), text) for block, paid, text in json.loads(stored)]


class IndexBusy(Exception):
    """Another process holds the index writer for longer than we wait; it applies the changes."""


class SearchIndex:
    """The tantivy index in a directory, with the store sequence number it reflects."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.schema = build_schema()
        self._index = self._open_or_create()
        self.loaded_seq = self.applied_seq()

    # -- opening -------------------------------------------------------------------------------
    def _open_or_create(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        state = self._read_state()
        if state.get("format") != FORMAT or not tantivy.Index.exists(str(self.path)):
            self._reset_directory()
        try:
            return tantivy.Index(self.schema, str(self.path), reuse=True)
        except (ValueError, OSError):  # unreadable (a crash mid-write of another engine version): start over
            self._reset_directory()
            return tantivy.Index(self.schema, str(self.path), reuse=True)

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
    def writer(self, heap: int = SYNC_HEAP, threads: int = 1) -> Iterator[tantivy.IndexWriter]:
        """The one writer, held only while applying changes so that other processes can sync too."""
        writer = self._acquire_writer(heap, threads)
        try:
            yield writer
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()

    def _acquire_writer(self, heap: int, threads: int) -> tantivy.IndexWriter:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                return self._index.writer(heap, threads)
            except ValueError as exc:  # LockBusy: another process (or thread) is writing
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise IndexBusy(str(exc)) from exc
                time.sleep(0.02)

    def delete(self, writer: tantivy.IndexWriter, doc_ids: Iterable[int]) -> None:
        for doc_id in doc_ids:
            writer.delete_documents_by_query(tantivy.Query.term_query(self.schema, "id", doc_id))

    def commit(self, writer: tantivy.IndexWriter, seq: int) -> None:
        """Commit the writer's changes, then record the sequence they bring the index to."""
        writer.commit()
        self._write_state(seq)
        self.reload()

    def reload(self) -> None:
        self._index.reload()
        self.loaded_seq = self.applied_seq()

    def clear(self, writer: tantivy.IndexWriter) -> None:
        writer.delete_all_documents()

    # -- reading ---------------------------------------------------------------------------------
    def searcher(self) -> tantivy.Searcher:
        return self._index.searcher()

    def num_docs(self) -> int:
        return int(self.searcher().num_docs)

    def iter_heads(self) -> Iterator[Heading]:
        """Every document's quick-lookup entries, from the stored field."""
        searcher = self.searcher()
        total = int(searcher.num_docs)
        if not total:
            return
        hits = searcher.search(tantivy.Query.all_query(), total, count=False).hits
        addresses = [addr for _score, addr in hits]
        ids = searcher.fast_field_values("id", addresses)
        for doc_id, addr in zip(ids, addresses, strict=True):
            stored = searcher.doc(addr).get_first("heads")
            if doc_id is not None and stored:
                yield from heads_from_stored(int(doc_id), stored)
