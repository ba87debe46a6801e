"""One original per body, and deletions that stay deleted: the parts of migration 8 beyond the change log.

- A unique index on `documents (body_sha256) WHERE duplicate_of IS NULL`: two writers storing the same text
  at once cannot both make it an original; the loser's insert conflicts and it is stored as a duplicate.
  Libraries written before the index may hold such twins: the oldest stays the original, the others
  become its duplicates (their content rows go, and the change log tells indexes to drop them).
- `deleted_documents`: the (file, ordinal) of each document an operator deleted, so that `reindex` does not
  bring it back from its stored file; `ingest --again` clears them for the files it takes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sucai.errors import StoreError
from sucai.model import Document
from sucai.store.bodies import unpack
from sucai.store.changelog import number_changes

if TYPE_CHECKING:
    from sucai.store.cursor import Cursor

TOMBSTONES = (
    """CREATE TABLE IF NOT EXISTS deleted_documents (
        file_id {bigint} NOT NULL, ordinal INTEGER NOT NULL, doc_id {bigint} NOT NULL, deleted_at TEXT NOT NULL,
        PRIMARY KEY (file_id, ordinal)) {norowid}"""
)
UNIQUE_ORIGINALS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS documents_one_original ON documents (body_sha256) WHERE duplicate_of IS NULL"
)


def fingerprint_keys(cur: Cursor, doc_id: int) -> list[tuple[int, int, int]]:
    """A stored document's fingerprint keys, recomputed from its body (the hash-ordered table has no index
    by document: it would double its size, so rows are reached by their full key)."""
    from sucai.originality.fingerprint import document_fingerprints

    cur.execute("SELECT layout, text FROM bodies WHERE doc_id = ?", (doc_id,))
    row = cur.fetchone()
    doc = Document(id=doc_id, title="", blocks=unpack(row[0], row[1]) if row else [])
    return [(fp.hash, doc_id, fp.pos) for fp in document_fingerprints(doc)]


def drop_content(cur: Cursor, doc_id: int) -> None:
    """What only an original owns: its body, phrases and fingerprints."""
    cur.executemany("DELETE FROM fingerprints WHERE hash = ? AND doc_id = ? AND pos = ?", fingerprint_keys(cur, doc_id))
    for table in ("fingerprint_log", "bodies", "phrases"):
        cur.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))


def collapse_twin_originals(cur: Any) -> None:
    """Migration step: of several originals with one body, the oldest stays; the rest become its duplicates."""
    cur.execute(
        "SELECT body_sha256, MIN(id) FROM documents WHERE duplicate_of IS NULL"
        " GROUP BY body_sha256 HAVING COUNT(*) > 1"
    )
    groups = cur.fetchall()
    dropped: list[tuple[int, str]] = []
    for body, keep in groups:
        cur.execute(
            "SELECT id FROM documents WHERE body_sha256 = ? AND duplicate_of IS NULL AND id <> ? ORDER BY id",
            (body, keep),
        )
        for (twin,) in cur.fetchall():
            drop_content(cur, int(twin))
            cur.execute("UPDATE documents SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?", (keep, twin, twin))
            dropped.append((int(twin), "delete"))
    number_changes(cur, dropped)


class AlreadyStored(StoreError):
    """The file's bytes were stored meanwhile (by another writer): this copy is skipped, not an error."""
