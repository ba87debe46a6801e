"""The Store in portable SQL. Backends supply a connection, transactions and a dialect; nothing else."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sucai.errors import NotFound, StoreError
from sucai.model import (
    TIERS,
    Block,
    Document,
    DocumentSummary,
    OutlineItem,
    PhraseHit,
    Placeholder,
    Removal,
    Repair,
    User,
)
from sucai.store.base import SCOPE_WHOLE, Fingerprint, FingerprintArrays, FingerprintHit, StoredFile
from sucai.store.bodies import DocumentText, pack, unpack
from sucai.store.cursor import Cursor
from sucai.store.free_facts import dump_free_facts, free_facts_of, load_free_facts

if TYPE_CHECKING:
    from sucai.compose.phrases import Phrase
from sucai.store.activity import Activity
from sucai.store.changelog import ChangeLog, number_changes
from sucai.store.codes import MembershipCodes
from sucai.store.fingerprint_scope import MERGE_FINGERPRINT_LOG
from sucai.store.originals import AlreadyStored
from sucai.store.page_facts import dump_page, load_page
from sucai.store.schema import MIGRATIONS, Dialect, render
from sucai.store.state import USER_COLUMNS, SharedState, end_sessions, user_from_row

_DOC_COLUMNS = (
    "id, title, source, year, genre, tags, outline, placeholders, removed, repairs, "
    "source_sha256, body_sha256, duplicate_of, created_at, chars, free_facts, page"
)
_SUMMARY_COLUMNS = "id, title, source, year, genre, chars, tags, created_at, duplicate_of, free_facts"
_CHUNK = 500  # ids per IN (...) list: well under both backends' parameter limits
# Substring match on both backends; LOWER on both sides because SQLite's LIKE ignores ASCII case and
# PostgreSQL's does not. The pattern is always a parameter, escaped by like_pattern().
_PHRASE_LIKE = "LOWER(p.text) LIKE LOWER(?) ESCAPE '\\'"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with % _ and the escape character taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class TxState:
    """An open transaction: how deeply joined, and the changes it will number when it ends."""

    def __init__(self) -> None:
        self.depth = 0
        self.write = False
        self.changes: list[tuple[int, str]] = []


class SqlStore(SharedState, ChangeLog, MembershipCodes, Activity):
    """Store implementation shared by SQLite and PostgreSQL."""

    url: str
    dialect: Dialect
    parallel_writes = False  # one connection shared by threads (SQLite)
    # Statements that move the fingerprint log into the lookup table: two suffice for one writer at a time.
    _merge_statements: tuple[str, ...] = (MERGE_FINGERPRINT_LOG, "DELETE FROM fingerprint_log")

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._shared_tx = TxState()

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Cursor]:
        """One transaction; nested calls join the outer one (a file's rows are stored all or nothing).

        write=False: only reads, which on SQLite neither wait for nor block another process's writer.
        Changes logged inside are numbered last, just before the commit (store/changelog.py)."""
        with self._serial():
            tx = self._tx()
            if tx.depth:
                if write and not tx.write:  # on PostgreSQL reads run outside a transaction
                    raise StoreError("a write cannot join a read-only transaction")
                tx.depth += 1
                try:
                    yield self._joined_cursor()
                finally:
                    tx.depth -= 1
                return
            tx.depth, tx.write, tx.changes = 1, write, []
            try:
                with self._outer_transaction(write) as cur:
                    yield cur
                    number_changes(cur, tx.changes)
            finally:
                tx.depth, tx.changes = 0, []

    def _log_change(self, doc_id: int, op: str) -> None:
        """Record that a document was added (or rewritten) or deleted, for the indexes that follow the store."""
        self._tx().changes.append((doc_id, op))

    # -- backend hooks -------------------------------------------------------------------------
    def _serial(self) -> AbstractContextManager[object]:
        """Held for a whole transaction: one connection shared by threads (SQLite) takes turns."""
        return self._lock

    def _tx(self) -> TxState:
        """The calling thread's transaction state (one for all threads when they take turns)."""
        return self._shared_tx

    def _outer_transaction(self, write: bool) -> AbstractContextManager[Cursor]:
        """Begin a transaction; commit when the block ends, roll back when it raises."""
        raise NotImplementedError

    def _joined_cursor(self) -> Cursor:
        """A cursor inside the transaction already open."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- helpers --------------------------------------------------------------------------------
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.transaction(write=False) as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def migrate(self) -> None:
        with self.transaction() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
            cur.execute("SELECT MAX(version) FROM schema_migrations")
            row = cur.fetchone()
        done = int(row[0]) if row and row[0] is not None else 0
        for version, statements in enumerate(MIGRATIONS, start=1):
            if version <= done:
                continue
            with self.transaction() as cur:
                for step in statements:
                    if isinstance(step, str):
                        cur.execute(render(step, self.dialect))
                    else:
                        step(cur)
                cur.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))

    # -- files and documents ------------------------------------------------------------------
    def has_file(self, sha256: str) -> bool:
        return bool(self.stored_files([sha256]))

    def stored_files(self, sha256s: Sequence[str]) -> set[str]:
        wanted = list(dict.fromkeys(sha256s))
        if not wanted:
            return set()
        marks = ", ".join("?" * len(wanted))
        return {str(r[0]) for r in self._rows(f"SELECT sha256 FROM files WHERE sha256 IN ({marks})", wanted)}

    def add_file(
        self, file: StoredFile, documents: Sequence[Document], fingerprints: Sequence[Sequence[Fingerprint]],
        phrases: Sequence[Sequence[Phrase]] | None = None,
    ) -> list[int]:
        with self.transaction() as cur:
            # Another writer may store the same bytes at once: the second waits for the first, then is told.
            cur.execute(
                "INSERT INTO files (origin, sha256, fmt, data, added_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (sha256) DO NOTHING RETURNING id",
                (file.origin, file.sha256, file.fmt, file.data, now_iso()),
            )
            row = cur.fetchone()
            if row is None:
                raise AlreadyStored(f"{file.origin}: already stored (same bytes)")
            file_id = int(row[0])
            return [
                self._add_document(
                    cur, file_id, ordinal, doc, fingerprints[ordinal] if ordinal < len(fingerprints) else [],
                    phrases[ordinal] if phrases is not None else None,
                )
                for ordinal, doc in enumerate(documents)
            ]

    def replace_file_documents(
        self, sha256: str, documents: Sequence[Document], fingerprints: Sequence[Sequence[Fingerprint]]
    ) -> list[int]:
        """Re-parse support: a file's documents replaced in place, keeping their ids (links and traces hold).

        A document the operator deleted stays deleted (its place in the file is recorded); its id is left out."""
        with self.transaction() as cur:
            file_id = self._file_id(cur, sha256)
            cur.execute("SELECT ordinal, id FROM documents WHERE file_id = ?", (file_id,))
            old = {int(o): int(i) for o, i in cur.fetchall()}
            cur.execute("SELECT ordinal FROM deleted_documents WHERE file_id = ?", (file_id,))
            gone = {int(r[0]) for r in cur.fetchall()}
            ids: list[int] = []
            for ordinal, doc in enumerate(documents):
                if ordinal in gone:
                    continue
                prints = fingerprints[ordinal] if ordinal < len(fingerprints) else []
                if ordinal in old:
                    ids.append(self._rewrite_document(cur, old.pop(ordinal), doc, prints))
                else:
                    ids.append(self._add_document(cur, file_id, ordinal, doc, prints))
            for extra in old.values():
                self._delete_in(cur, extra)
            return ids

    def restore_file(
        self, sha256: str, documents: Sequence[Document], fingerprints: Sequence[Sequence[Fingerprint]]
    ) -> list[int]:
        """`ingest --again`: a stored file taken back whole, its deleted documents too (under new ids)."""
        with self.transaction() as cur:
            cur.execute("DELETE FROM deleted_documents WHERE file_id = ?", (self._file_id(cur, sha256),))
            return self.replace_file_documents(sha256, documents, fingerprints)

    def _file_id(self, cur: Cursor, sha256: str) -> int:
        cur.execute("SELECT id FROM files WHERE sha256 = ?", (sha256,))
        row = cur.fetchone()
        if row is None:
            raise NotFound(f"no stored file with sha256 {sha256}")
        return int(row[0])

    def _original_for(self, cur: Cursor, body_sha256: str, other_than: int | None = None) -> int | None:
        """The stored original with this body (another than `other_than`, when rewriting a document)."""
        sql = "SELECT id FROM documents WHERE body_sha256 = ? AND duplicate_of IS NULL"
        params: list[Any] = [body_sha256]
        if other_than is not None:
            sql += " AND id <> ?"
            params.append(other_than)
        cur.execute(sql + " ORDER BY id LIMIT 1", params)
        row = cur.fetchone()
        return int(row[0]) if row else None

    def _add_document(
        self, cur: Cursor, file_id: int, ordinal: int, doc: Document, prints: Sequence[Fingerprint],
        phrases: Sequence[Phrase] | None = None,
    ) -> int:
        # One original per body (a unique index): stored as the original unless one exists (or another
        # writer's commits first), then as its duplicate. Most documents are originals: one statement.
        for _attempt in range(3):
            duplicate_of = None
            doc_id = self._insert_document(cur, file_id, ordinal, doc, None)
            if doc_id is not None:
                break
            duplicate_of = self._original_for(cur, doc.body_sha256)
            if duplicate_of is not None:  # (None: the original was deleted meanwhile; try as the original)
                doc_id = self._insert_document(cur, file_id, ordinal, doc, duplicate_of)
                break
        else:
            raise StoreError(f"could not store {doc.title!r}: its body kept changing hands")
        assert doc_id is not None  # a duplicate's insert has no conflict clause: it returns its id
        if duplicate_of is None:
            self._insert_content(cur, doc_id, doc, prints, phrases)
        return doc_id

    def _insert_content(
        self, cur: Cursor, doc_id: int, doc: Document, prints: Sequence[Fingerprint],
        phrases: Sequence[Phrase] | None = None,
    ) -> None:
        """What only an original owns: blocks, phrases, fingerprints, and its place in the search index."""
        self._insert_blocks(cur, doc_id, doc.blocks)
        self._insert_phrases(cur, doc_id, doc, phrases)
        cur.executemany(
            "INSERT INTO fingerprint_log (hash, doc_id, pos, scope) VALUES (?, ?, ?, ?)",
            [(fp.hash, doc_id, fp.pos, fp.scope) for fp in prints],
        )
        self._log_change(doc_id, "add")

    def _rewrite_document(self, cur: Cursor, doc_id: int, doc: Document, prints: Sequence[Fingerprint]) -> int:
        self._delete_fingerprints(cur, doc_id)  # first: it reads the blocks
        for table in ("bodies", "phrases"):
            cur.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        duplicate_of = self._original_for(cur, doc.body_sha256, other_than=doc_id)
        cur.execute(
            "UPDATE documents SET title = ?, source = ?, year = ?, genre = ?, tags = ?, outline = ?,"
            " placeholders = ?, removed = ?, repairs = ?, body_sha256 = ?, duplicate_of = ?, chars = ?,"
            " free_facts = ?, page = ? WHERE id = ?",
            (
                doc.title, doc.source, doc.year, doc.genre, _dump(doc.tags), _dump(doc.outline),
                _dump(doc.placeholders), _dump(doc.removed), _dump(doc.repairs), doc.body_sha256, duplicate_of,
                doc.chars, dump_free_facts(free_facts_of(doc)), dump_page(doc), doc_id,
            ),
        )
        if duplicate_of is None:
            self._insert_content(cur, doc_id, doc, prints)
        else:  # it became a copy of another document: its own copies now point there too
            cur.execute("UPDATE documents SET duplicate_of = ? WHERE duplicate_of = ?", (duplicate_of, doc_id))
            self._log_change(doc_id, "delete")
        return doc_id

    def _insert_document(
        self, cur: Cursor, file_id: int, ordinal: int, doc: Document, duplicate_of: int | None
    ) -> int | None:
        """The new document's id; None when it was to be an original and another with its body exists."""
        if_first = " ON CONFLICT (body_sha256) WHERE duplicate_of IS NULL DO NOTHING" if duplicate_of is None else ""
        cur.execute(
            "INSERT INTO documents (file_id, ordinal, title, source, year, genre, tags, outline, placeholders,"
            " removed, repairs, source_sha256, body_sha256, duplicate_of, chars, created_at, free_facts, page)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?){if_first} RETURNING id",
            (
                file_id, ordinal, doc.title, doc.source, doc.year, doc.genre, _dump(doc.tags),
                _dump(doc.outline), _dump(doc.placeholders), _dump(doc.removed), _dump(doc.repairs),
                doc.source_sha256, doc.body_sha256, duplicate_of, doc.chars, doc.created_at or now_iso(),
                dump_free_facts(free_facts_of(doc)), dump_page(doc),
            ),
        )
        row = cur.fetchone()
        return int(row[0]) if row else None

    def _insert_blocks(self, cur: Cursor, doc_id: int, blocks: Sequence[Block]) -> None:
        cur.execute("INSERT INTO bodies (doc_id, layout, text) VALUES (?, ?, ?)", (doc_id, *pack(blocks)))

    def _insert_phrases(self, cur: Cursor, doc_id: int, doc: Document, phrases: Sequence[Phrase] | None) -> None:
        """The document's phrase bank rows (extracted here unless the caller did it, e.g. in a worker)."""
        if phrases is None:
            from sucai.compose.phrases import extract_phrases

            phrases = extract_phrases(doc)
        cur.executemany(
            "INSERT INTO phrases (doc_id, block, kind, text, paid) VALUES (?, ?, ?, ?, ?)",
            [(doc_id, p.block, p.kind, p.text, int(doc.blocks[p.block].paid)) for p in phrases],
        )

    def files(self) -> Iterator[StoredFile]:
        ids = [r[0] for r in self._rows("SELECT id FROM files ORDER BY id")]
        for file_id in ids:
            rows = self._rows("SELECT origin, sha256, data, fmt FROM files WHERE id = ?", (file_id,))
            if rows:
                origin, sha, data, fmt = rows[0]
                yield StoredFile(origin=origin, sha256=sha, data=bytes(data), fmt=fmt)

    def find_body(self, body_sha256: str) -> int | None:
        rows = self._rows(
            "SELECT id FROM documents WHERE body_sha256 = ? AND duplicate_of IS NULL ORDER BY id", (body_sha256,)
        )
        return int(rows[0][0]) if rows else None

    def originals_of(self, ids: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        with self.transaction(write=False) as cur:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                marks = ", ".join("?" * len(chunk))
                cur.execute(
                    f"SELECT id, duplicate_of FROM documents WHERE id IN ({marks}) AND duplicate_of IS NOT NULL", chunk
                )
                found.update((int(i), int(d)) for i, d in cur.fetchall())
        return found

    def document(self, doc_id: int) -> Document:
        docs = self.documents([doc_id])
        if not docs:
            raise NotFound(f"no document {doc_id}")
        return docs[0]

    def documents(self, ids: Sequence[int]) -> list[Document]:
        """Documents by id, in the order asked; unknown ids are left out.

        A duplicate has no blocks of its own: it is read with its original's."""
        found: dict[int, Document] = {}
        with self.transaction(write=False) as cur:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                marks = ", ".join("?" * len(chunk))
                cur.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id IN ({marks})", chunk)
                docs = [_document_from_row(row) for row in cur.fetchall()]
                found.update((d.id, d) for d in docs if d.id is not None)
                self._fill_blocks(cur, docs)
        return [found[i] for i in ids if i in found]

    def _fill_blocks(self, cur: Cursor, docs: Sequence[Document]) -> None:
        if not docs:  # "IN ()" is an SQLite extension; PostgreSQL rejects it
            return
        owners: dict[int, list[Document]] = {}
        for doc in docs:
            owners.setdefault(doc.duplicate_of or doc.id or 0, []).append(doc)
        keys = list(owners)
        marks = ", ".join("?" * len(keys))
        cur.execute(f"SELECT doc_id, layout, text FROM bodies WHERE doc_id IN ({marks})", keys)
        for doc_id, layout, text in cur.fetchall():
            blocks = unpack(layout, text)
            for doc in owners[int(doc_id)]:
                doc.blocks.extend(blocks)

    def document_texts(self, ids: Sequence[int]) -> list[DocumentText]:
        found: dict[int, DocumentText] = {}
        with self.transaction(write=False) as cur:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                marks = ", ".join("?" * len(chunk))
                cur.execute(
                    "SELECT d.id, d.title, d.year, d.genre, b.layout, b.text, d.free_facts FROM documents d"
                    " JOIN bodies b ON b.doc_id = COALESCE(d.duplicate_of, d.id)"
                    f" WHERE d.id IN ({marks})", chunk,
                )
                for doc_id, title, year, genre, layout, text, free in cur.fetchall():
                    found[int(doc_id)] = DocumentText.from_row(
                        int(doc_id), title, year, genre, layout, text, load_free_facts(free)
                    )
        return [found[i] for i in ids if i in found]

    def list_documents(
        self, offset: int = 0, limit: int = 50, include_duplicates: bool = False
    ) -> tuple[int, list[DocumentSummary]]:
        where = "" if include_duplicates else " WHERE duplicate_of IS NULL"
        total = int(self._rows(f"SELECT COUNT(*) FROM documents{where}")[0][0])
        rows = self._rows(
            f"SELECT {_SUMMARY_COLUMNS} FROM documents"
            f"{where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return total, [_summary_from_row(r) for r in rows]

    def count_documents(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NULL")[0][0])

    def library_chars(self) -> int:
        return int(self._rows("SELECT COALESCE(SUM(chars), 0) FROM documents WHERE duplicate_of IS NULL")[0][0])

    def delete_document(self, doc_id: int) -> None:
        with self.transaction() as cur:
            cur.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,))
            if cur.fetchone() is None:
                raise NotFound(f"no document {doc_id}")
            # Recorded by its place in its file, so that reindex does not bring it back (ingest --again does).
            cur.execute(
                "INSERT INTO deleted_documents (file_id, ordinal, doc_id, deleted_at)"
                " SELECT file_id, ordinal, id, ? FROM documents WHERE id = ? ON CONFLICT (file_id, ordinal) DO NOTHING",
                (now_iso(), doc_id),
            )
            self._delete_in(cur, doc_id)

    def _delete_in(self, cur: Cursor, doc_id: int) -> None:
        # A duplicate points at its original; the oldest duplicate takes the original's place.
        cur.execute("SELECT id FROM documents WHERE duplicate_of = ? ORDER BY id", (doc_id,))
        heirs = [int(r[0]) for r in cur.fetchall()]
        cur.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        self._log_change(doc_id, "delete")
        if not heirs:
            self._delete_fingerprints(cur, doc_id)  # first: it reads the blocks
            for table in ("bodies", "phrases"):
                cur.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        else:
            heir, rest = heirs[0], heirs[1:]
            self._move_fingerprints(cur, doc_id, heir)  # first: it reads the blocks
            for table in ("bodies", "fingerprint_log", "phrases"):
                cur.execute(f"UPDATE {table} SET doc_id = ? WHERE doc_id = ?", (heir, doc_id))
            cur.execute("UPDATE documents SET duplicate_of = NULL WHERE id = ?", (heir,))
            for other in rest:
                cur.execute("UPDATE documents SET duplicate_of = ? WHERE id = ?", (heir, other))
            self._log_change(heir, "add")

    def _fingerprint_keys(self, cur: Cursor, doc_id: int) -> list[tuple[int, int, int]]:
        """A stored document's fingerprint keys, recomputed from its blocks: the hash-ordered table has no
        index by document (it would double its size), so rows are reached by their full key. Both scopes'
        keys (whole and free text), each once: a row's scope moves with it."""
        from sucai.originality.fingerprint import document_fingerprints

        cur.execute("SELECT layout, text FROM bodies WHERE doc_id = ?", (doc_id,))
        row = cur.fetchone()
        doc = Document(id=doc_id, title="", blocks=unpack(row[0], row[1]) if row else [])
        return [(fp.hash, doc_id, fp.pos) for fp in document_fingerprints(doc)]

    def _delete_fingerprints(self, cur: Cursor, doc_id: int) -> None:
        cur.executemany(
            "DELETE FROM fingerprints WHERE hash = ? AND doc_id = ? AND pos = ?", self._fingerprint_keys(cur, doc_id)
        )
        cur.execute("DELETE FROM fingerprint_log WHERE doc_id = ?", (doc_id,))

    def _move_fingerprints(self, cur: Cursor, doc_id: int, heir: int) -> None:
        cur.executemany(
            "UPDATE fingerprints SET doc_id = ? WHERE hash = ? AND doc_id = ? AND pos = ?",
            [(heir, *key) for key in self._fingerprint_keys(cur, doc_id)],
        )

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        last = 0
        while True:
            rows = self._rows(
                "SELECT id FROM documents WHERE duplicate_of IS NULL AND id > ? ORDER BY id LIMIT ?", (last, batch)
            )
            if not rows:
                return
            ids = [int(r[0]) for r in rows]
            yield from self.documents(ids)
            last = ids[-1]

    def documents_since(self, since: str, limit: int = 50) -> list[DocumentSummary]:
        rows = self._rows(
            f"SELECT {_SUMMARY_COLUMNS} FROM documents"
            " WHERE duplicate_of IS NULL AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (since, limit),
        )
        return [_summary_from_row(r) for r in rows]

    def duplicates(self, limit: int = 200) -> list[tuple[DocumentSummary, int]]:
        rows = self._rows(
            f"SELECT {_SUMMARY_COLUMNS} FROM documents"
            " WHERE duplicate_of IS NOT NULL ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [(_summary_from_row(r), int(r[8])) for r in rows]

    # -- change log: store/changelog.py ------------------------------------------------------------

    # -- fingerprints ---------------------------------------------------------------------------------
    def lookup_fingerprints(self, hashes: Sequence[int], scope: int = SCOPE_WHOLE) -> list[FingerprintHit]:
        found = self.lookup_fingerprint_arrays(hashes, scope)
        rows = zip(found.hashes.tolist(), found.doc_ids.tolist(), found.positions.tolist(), strict=True)
        return [FingerprintHit(h, d, p) for h, d, p in rows]

    def lookup_fingerprint_arrays(self, hashes: Sequence[int], scope: int = SCOPE_WHOLE) -> FingerprintArrays:
        import numpy as np

        unique = sorted(set(hashes))
        wanted = set(unique)
        in_scope = f"(scope & {int(scope)}) <> 0"  # a constant of ours (1, 2 or 3), never the user's
        parts = [np.zeros((0, 3), np.int64)]
        with self.transaction(write=False) as cur:
            for chunk in _chunks(unique):
                marks = ", ".join("?" * len(chunk))
                cur.execute(f"SELECT hash, doc_id, pos FROM fingerprints WHERE hash IN ({marks}) AND {in_scope}", chunk)
                rows = cur.fetchall()
                if rows:  # one chunk's rows at a time become an array: no Python object per hit outlives it
                    parts.append(np.array(rows, np.int64))
            # Not merged yet (a batch in progress, or one that was killed): small, read whole.
            cur.execute(f"SELECT hash, doc_id, pos FROM fingerprint_log WHERE {in_scope}")
            logged = [row for row in cur.fetchall() if row[0] in wanted]
            if logged:
                parts.append(np.array(logged, np.int64))
        table = np.concatenate(parts)
        return FingerprintArrays(table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy())

    def merge_fingerprints(self) -> int:
        """Move logged fingerprints into the hash-ordered table, in hash order; returns how many rows."""
        with self.transaction() as cur:
            cur.execute("SELECT COUNT(*) FROM fingerprint_log")
            row = cur.fetchone()
            count = int(row[0]) if row else 0
            if count:
                for statement in self._merge_statements:
                    cur.execute(statement)
            return count

    def fingerprint_bytes(self) -> int:
        raise NotImplementedError

    # -- phrase bank ------------------------------------------------------------------------------------
    def search_phrases(
        self, text: str, kind: str | None, include_paid: bool, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[PhraseHit]]:
        # The WHERE clause is assembled from constants only; the user's text travels as a parameter.
        where: list[str] = []
        params: list[Any] = []
        if text:
            where.append(_PHRASE_LIKE)
            params.append(like_pattern(text))
        if kind is not None:
            where.append("p.kind = ?")
            params.append(kind)
        if not include_paid:
            where.append("p.paid = 0")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        source = "FROM phrases p JOIN documents d ON d.id = p.doc_id"
        with self.transaction() as cur:
            cur.execute(f"SELECT COUNT(*) {source}{clause}", params)
            total = _one(cur)
            cur.execute(
                f"SELECT p.id, p.doc_id, d.title, p.block, p.kind, p.text {source}{clause}"
                " ORDER BY p.doc_id DESC, p.id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            rows = cur.fetchall()
        hits = [PhraseHit(int(i), int(d), t, int(b), k, x) for i, d, t, b, k, x in rows]
        return total, hits

    # -- users ------------------------------------------------------------------------------------------
    def add_user(self, name: str, tier: str, password_hash: str, expires: str | None = None) -> User:
        _check_tier(tier)
        if not name.strip():
            raise StoreError("a user needs a name")
        with self.transaction() as cur:
            cur.execute("SELECT 1 FROM users WHERE name = ?", (name,))
            if cur.fetchone():
                raise StoreError(f"user {name!r} already exists")
            cur.execute(
                "INSERT INTO users (name, tier, password_hash, expires, created_at) VALUES (?, ?, ?, ?, ?)",
                (name, tier, password_hash, expires, now_iso()),
            )
        return self.user(name)

    def _user_where(self, where: str, value: Any) -> User | None:
        rows = self._rows(f"SELECT {USER_COLUMNS} FROM users WHERE {where} = ?", (value,))
        return user_from_row(rows[0]) if rows else None

    def user(self, name: str) -> User:
        found = self._user_where("name", name)
        if found is None:
            raise NotFound(f"no user {name!r}")
        return found

    def user_by_id(self, user_id: int) -> User:
        found = self._user_where("id", user_id)
        if found is None:
            raise NotFound(f"no user with id {user_id}")
        return found

    def users(self) -> list[User]:
        return [user_from_row(row) for row in self._rows(f"SELECT {USER_COLUMNS} FROM users ORDER BY id")]

    def set_tier(self, name: str, tier: str, expires: str | None = None) -> User:
        _check_tier(tier)
        self.user(name)
        with self.transaction() as cur:
            cur.execute("UPDATE users SET tier = ?, expires = ? WHERE name = ?", (tier, expires, name))
        return self.user(name)

    def password_hash(self, name: str) -> str | None:
        rows = self._rows("SELECT password_hash FROM users WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def set_password_hash(self, name: str, password_hash: str, keep_session: str | None = None) -> None:
        user = self.user(name)
        with self.transaction() as cur:
            cur.execute("UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))
            end_sessions(cur, user.id, keep_session)  # a new password signs out everyone who had the old one

    # tokens, sessions, downloads and drafts: store/state.py (SharedState)

    # -- meta ------------------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _one(cur: Cursor) -> int:
    row = cur.fetchone()
    if row is None:
        raise StoreError("the database returned no id")
    return int(row[0])


def _check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise StoreError(f"unknown tier {tier!r}; one of {', '.join(TIERS)}")


def _dump(value: Any) -> str:
    from sucai.model import to_dict

    return json.dumps(to_dict(value), ensure_ascii=False, separators=(",", ":"))


def _document_from_row(row: tuple[Any, ...]) -> Document:
    (doc_id, title, source, year, genre, tags, outline, placeholders, removed, repairs,
     source_sha, body_sha, duplicate_of, created_at, _chars, free_facts, page) = row
    return Document(
        id=int(doc_id), title=title, blocks=[], source=source, year=year, genre=genre,
        tags=json.loads(tags), outline=[OutlineItem(**o) for o in json.loads(outline)],
        placeholders=[Placeholder(**p) for p in json.loads(placeholders)],
        removed=[Removal(**r) for r in json.loads(removed)], repairs=[Repair(**r) for r in json.loads(repairs)],
        source_sha256=source_sha, body_sha256=body_sha,
        duplicate_of=int(duplicate_of) if duplicate_of is not None else None, created_at=created_at,
        free_facts=load_free_facts(free_facts), **load_page(page),
    )


def _summary_from_row(row: tuple[Any, ...]) -> DocumentSummary:
    doc_id, title, source, year, genre, chars, tags, created_at, duplicate_of, free_facts = row
    return DocumentSummary(
        id=int(doc_id), title=title, source=source, year=year, genre=genre, chars=int(chars),
        tags=json.loads(tags), created_at=created_at,
        duplicate_of=int(duplicate_of) if duplicate_of is not None else None,
        free_facts=load_free_facts(free_facts),
    )
