"""The embedded default: one SQLite file in WAL mode."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sucai.errors import StoreError
from sucai.store.cursor import Cursor
from sucai.store.schema import SQLITE
from sucai.store.sql import SqlStore
from sucai.store.sqlite_readers import MMAP_BYTES, Readers


class _SqliteCursor(Cursor):
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(sql, rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cursor.fetchall()

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cursor.fetchone()


class SqliteStore(SqlStore):
    """A library in one file. Writes are serialised; a killed process leaves only whole transactions."""

    dialect = SQLITE

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.url = str(self.path)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            # Checkpoints are where the disk syncs; every ~40 MB of WAL rather than every 4 MB halves ingest time.
            self._conn.execute("PRAGMA wal_autocheckpoint=10000")
            self._conn.execute("PRAGMA foreign_keys=ON")
            # Reads dominate (snippets fetch ~20 documents a query): a 64 MiB page cache and mapped reads.
            # (256 MiB was tried for ingest at 90M characters: under 10% faster, and a serving process grows.)
            self._conn.execute("PRAGMA cache_size=-65536")
            self._conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable sucai library ({exc})") from exc
        self._writing_thread: int | None = None  # the thread inside a transaction on the writing connection
        self._readers: Readers | None = None  # the migrations run on the writing connection alone
        self.migrate()
        # After the migrations: a reader never sees a schema older than this code's. An in-memory database
        # exists only on its one connection, so there everything stays on it.
        self._readers = None if str(path) == ":memory:" else Readers(self.path, _SqliteCursor)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Cursor]:
        """As SqlStore.transaction; a read outside this thread's write transaction reads a snapshot on a
        connection of its own (store/sqlite_readers.py), without waiting for the writing connection."""
        readers = self._readers
        if readers is not None and self._writing_thread != threading.get_ident():
            if write and readers.reading():
                raise StoreError("a write cannot join a read-only transaction")
            if not write:
                with readers.snapshot() as cur:
                    yield cur
                return
        with super().transaction(write) as cur:
            yield cur

    @contextmanager
    def _outer_transaction(self, write: bool) -> Iterator[Cursor]:
        self._writing_thread = threading.get_ident()
        try:
            # A writer takes the write lock at once (no deadlock upgrading later); a reader reads a snapshot.
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield _SqliteCursor(self._conn.cursor())
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        finally:
            self._writing_thread = None

    def _joined_cursor(self) -> Cursor:
        return _SqliteCursor(self._conn.cursor())

    def close(self) -> None:
        if self._readers is not None:
            self._readers.close()
        with self._lock:
            self._conn.close()

    def fingerprint_bytes(self) -> int:
        try:
            rows = self._rows("SELECT SUM(pgsize) FROM dbstat WHERE name IN ('fingerprints', 'fingerprint_log')")
            return int(rows[0][0] or 0)
        except sqlite3.OperationalError:
            count = int(self._rows("SELECT COUNT(*) FROM fingerprints")[0][0])
            count += int(self._rows("SELECT COUNT(*) FROM fingerprint_log")[0][0])
            return count * 16
