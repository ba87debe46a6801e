"""The derived index: three tantivy indexes fed our own tokens, and the store sequence number they reflect.

    index_dir/main/     one engine document per stored document: its free and its member-only text in
                        fields of their own, the title, and the facts (genre, tag, year) of the whole
                        text beside those of the free text
    index_dir/lookup/   one engine document per title or free outline heading (quick lookup)
    index_dir/paid_lookup/  one per member-only heading (quick lookup for members)
    index_dir/state.json  {"format", "seq", "epoch"}: written atomically after the commits; the epoch is new
                        whenever the index is emptied, so (epoch, seq) names one content of the index

Every answer to a viewer without member access is computed from the free fields and the free lookup
alone: the same query on a library whose member-only text was deleted finds the same documents with the
same BM25 statistics (document counts, term frequencies, field lengths), so totals, ranking and facets
carry nothing of the member-only text. A member's phrase matches in the free or the member-only field
(a phrase never spans two blocks, and a block is wholly free or wholly member-only).

A crash between a commit and the state write only makes the next sync apply some changes again, and
applying is idempotent: every document (and its lookup entries) is deleted by id before it is added.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from sucai.model import Document
from sucai.normalize import normalize
from sucai.search.suggest import document_heads, lookup_documents, lookup_schema
from sucai.search.tokens import char_tokens, document_tokens, phrase_query, token_safe
from sucai.store.free_facts import shown_free_facts

FORMAT = 4  # bump when a schema or the tokens change: an index of another format is rebuilt
NODE_FILE = "node"
STATE_FILE = "state.json"
SYNC_HEAP = 64_000_000
BULK_HEAP = 256_000_000
LOCK_WAIT_S = 10.0


class IndexBusy(Exception):
    """Another process holds the index writer for longer than we wait; it applies the changes."""


@dataclass(frozen=True)
class Position:
    """Which content the committed index holds: the store change it reflects, within the build it belongs to
    (`epoch`, new whenever the index is emptied: a rebuild may end at a sequence number seen before)."""

    epoch: str
    seq: int


@dataclass(frozen=True)
class Loaded:
    """What this process's readers hold: the position read before they reloaded, and the generation (raised by
    every reload, so answers of an older one may be out of date). One object, replaced whole, so that a
    reader of both never pairs one reload's position with another's generation."""

    position: Position
    generation: int


@dataclass(frozen=True)
class Fields:
    """The field names one kind of viewer searches: free text only, or free and member-only text."""

    bodies: tuple[str, ...]
    chars: tuple[str, ...]
    genre: str
    tag: str
    year: str

    def facet(self, name: str) -> str:
        """The field holding the facet `name` (genre, tag, year) for this viewer."""
        return {"genre": self.genre, "tag": self.tag, "year": self.year}[name]


FREE_FIELDS = Fields(("free_body",), ("free_chars",), "free_genre", "free_tag", "free_year")
ALL_FIELDS = Fields(("free_body", "paid_body"), ("free_chars", "paid_chars"), "genre", "tag", "year")


def fields_for(paid_visible: bool) -> Fields:
    return ALL_FIELDS if paid_visible else FREE_FIELDS


def main_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", indexed=True, fast=True)
    for part in ("free", "paid"):
        sb.add_text_field(f"{part}_body", tokenizer_name="whitespace", index_option="position")
        # Each character alone, counted but without positions: a one-character query is one term here
        # (over a body field it would be the union of every bigram the character starts).
        sb.add_text_field(f"{part}_chars", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("title", tokenizer_name="whitespace", index_option="position")
    for prefix in ("", "free_"):
        sb.add_text_field(f"{prefix}genre", tokenizer_name="raw", index_option="basic", fast=True)
        sb.add_text_field(f"{prefix}tag", tokenizer_name="raw", index_option="basic", fast=True)
        sb.add_integer_field(f"{prefix}year", indexed=True, fast=True)
    return sb.build()


def to_engine_document(doc: Document) -> tantivy.Document:
    """One stored document as the engine indexes it (duplicates never get here)."""
    assert doc.id is not None
    out = tantivy.Document()
    out.add_integer("id", doc.id)
    for part, paid in (("free", False), ("paid", True)):
        normalized = [normalize(b.text) for b in doc.blocks if b.paid == paid]
        if normalized:
            out.add_text(f"{part}_body", document_tokens(normalized))
            out.add_text(f"{part}_chars", char_tokens(normalized))
    out.add_text("title", document_tokens([normalize(doc.title)]))
    free = shown_free_facts(doc.free_facts, doc.has_paid)
    _add_facts(out, "", doc.genre, doc.tags, doc.year)
    if free is None:
        _add_facts(out, "free_", doc.genre, doc.tags, doc.year)
    else:
        _add_facts(out, "free_", free.genre, free.tags, free.year)
    return out


def _add_facts(out: tantivy.Document, prefix: str, genre: str | None, tags: list[str], year: int | None) -> None:
    if genre:
        out.add_text(f"{prefix}genre", genre)
    for tag in dict.fromkeys(tags):
        out.add_text(f"{prefix}tag", tag)
    if year is not None:
        out.add_integer(f"{prefix}year", year)


def body_query(schema: tantivy.Schema, text: str, fields: Fields = ALL_FIELDS) -> tantivy.Query:
    """Exact substring of one paragraph of the text the fields hold; text already normalised."""
    if len(text) == 1:
        queries = [tantivy.Query.term_query(schema, name, token_safe(text)) for name in fields.chars]
    else:
        queries = [phrase_query(schema, name, text) for name in fields.bodies]
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


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
    """The writers of one sync or rebuild; they commit together."""

    main: tantivy.IndexWriter
    lookup: tantivy.IndexWriter
    paid_lookup: tantivy.IndexWriter

    def all(self) -> tuple[tantivy.IndexWriter, ...]:
        return (self.main, self.lookup, self.paid_lookup)


class SearchIndex:
    """The derived index in a directory, with the store sequence number it reflects."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.schema = main_schema()
        self.lookup_schema = lookup_schema()
        self._new_epoch: str | None = None  # set by clear(): the next commit starts a new epoch
        position = self.applied_position()  # before opening, for the reason reload() gives
        self._open_or_create()
        self.loaded = Loaded(position, 0)

    @property
    def loaded_seq(self) -> int:
        return self.loaded.position.seq

    @property
    def generation(self) -> int:
        return self.loaded.generation

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
        for sub in ("main", "lookup", "paid_lookup"):
            (self.path / sub).mkdir(exist_ok=True)
        self.main = tantivy.Index(self.schema, str(self.path / "main"), reuse=True)
        self.lookup = tantivy.Index(self.lookup_schema, str(self.path / "lookup"), reuse=True)
        self.paid_lookup = tantivy.Index(self.lookup_schema, str(self.path / "paid_lookup"), reuse=True)

    def _reset_directory(self) -> None:
        """An index of another format (or none): start empty, applied sequence 0."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)
        self._new_epoch = secrets.token_hex(8)
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
        return self.applied_position().seq

    def applied_position(self) -> Position:
        state = self._read_state()
        seq, epoch = state.get("seq", 0), state.get("epoch", "")
        return Position(epoch if isinstance(epoch, str) else "", seq if isinstance(seq, int) else 0)

    def _write_state(self, seq: int) -> None:
        """Record the position; the epoch carries on, unless the index was emptied since the last commit."""
        epoch = self._new_epoch or self.applied_position().epoch or secrets.token_hex(8)
        # A temporary name of its own per process and thread: two writers never replace each other's file.
        tmp = self.path / f"{STATE_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"format": FORMAT, "seq": seq, "epoch": epoch}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / STATE_FILE)
        self._new_epoch = None

    # -- writing ---------------------------------------------------------------------------------
    @contextmanager
    def writers(self, heap: int = SYNC_HEAP, threads: int = 1) -> Iterator[Writers]:
        """The one set of writers, held only while applying changes so that other processes can sync too."""
        held: list[tantivy.IndexWriter] = []
        try:
            held.append(_acquire_writer(self.main, heap, threads))
            held.append(_acquire_writer(self.lookup, max(heap // 4, 15_000_000), 1))
            held.append(_acquire_writer(self.paid_lookup, 15_000_000, 1))
        except BaseException:
            for writer in held:
                writer.rollback()
                writer.wait_merging_threads()
            raise
        writers = Writers(*held)
        try:
            yield writers
        except BaseException:
            for writer in held:
                writer.rollback()
            raise
        finally:
            for writer in held:
                writer.wait_merging_threads()

    def delete(self, writers: Writers, doc_ids: Iterable[int]) -> None:
        for doc_id in doc_ids:
            writers.main.delete_documents_by_query(tantivy.Query.term_query(self.schema, "id", doc_id))
            by_doc = tantivy.Query.term_query(self.lookup_schema, "doc", doc_id)
            writers.lookup.delete_documents_by_query(by_doc)
            writers.paid_lookup.delete_documents_by_query(by_doc)

    def add(self, writers: Writers, doc: Document) -> None:
        """Index one stored document: its engine document and its lookup entries (member-only headings apart)."""
        writers.main.add_document(to_engine_document(doc))
        heads = document_heads(doc)
        for entry in lookup_documents([h for h in heads if not h.paid]):
            writers.lookup.add_document(entry)
        for entry in lookup_documents([h for h in heads if h.paid]):
            writers.paid_lookup.add_document(entry)

    def commit(self, writers: Writers, seq: int) -> None:
        """Commit every writer's changes, then record the sequence they bring the index to."""
        for writer in writers.all():
            writer.commit()
        self._write_state(seq)
        self.reload()

    def reload(self) -> None:
        """See the latest commit. The position is read before the readers reload, so it never claims more
        than they hold: read after, a commit by another process landing in between was recorded as seen
        while the readers missed it, and nothing reloaded again until the next commit (answers kept for
        this generation would have shown, until then, text that commit had made member-only)."""
        position = self.applied_position()
        self.main.reload()
        self.lookup.reload()
        self.paid_lookup.reload()
        self.loaded = Loaded(position, self.loaded.generation + 1)

    def clear(self, writers: Writers) -> None:
        """Empty the index (committed by the caller, which records a new epoch)."""
        for writer in writers.all():
            writer.delete_all_documents()
        self._new_epoch = secrets.token_hex(8)

    # -- reading ---------------------------------------------------------------------------------
    def searcher(self) -> tantivy.Searcher:
        return self.main.searcher()

    def lookup_searcher(self, paid: bool = False) -> tantivy.Searcher:
        """The quick-lookup entries of titles and free headings, or (paid) of member-only headings."""
        return (self.paid_lookup if paid else self.lookup).searcher()

    def num_docs(self) -> int:
        return int(self.searcher().num_docs)


def new_node_name(prefix: str = "") -> str:
    """A name for the store's `nodes` table that no other node takes: the host and a random part."""
    return f"{prefix}{socket.gethostname()}-{secrets.token_hex(4)}"


def node_name(index_dir: Path) -> str:
    """This index's name in the store's `nodes` table, made once and kept beside the index."""
    path = Path(index_dir) / NODE_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    name = new_node_name()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{NODE_FILE}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(name, encoding="utf-8")
    try:
        path.hardlink_to(tmp)  # the first process to name the node wins; the others read its name
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()
