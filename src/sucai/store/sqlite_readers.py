"""Read-only SQLite connections, one for each thread reading at the moment.

A SQLite file in WAL mode lets any number of readers read a snapshot while one writer writes. The store used
to send every statement through its one connection, in turn, so a page read waited whenever the same process
was writing (`serve --watch` ingesting a large file, the search log's flush, a session write). Reads now take
a connection of their own from this pool and hold no lock; writes keep the one writing connection. (Under 20
clients on the 90M benchmark library with no writer, search throughput was the same either way.)"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sucai.errors import StoreError
from sucai.store.cursor import Cursor

READER_CACHE_KIB = 8192  # per connection: reads come through the shared memory map, not this cache
MMAP_BYTES = 268_435_456  # the writing connection maps as much


class Readers:
    """snapshot() gives the calling thread a read transaction on a pooled connection; a read nested in it
    joins it (a new cursor on the same connection, so an outer cursor's rows are not disturbed)."""

    def __init__(self, path: Path, wrap: Callable[[sqlite3.Cursor], Cursor]) -> None:
        self.path = path
        self._wrap = wrap
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self._closed = False

    def reading(self) -> bool:
        """Whether the calling thread is inside a snapshot."""
        return getattr(self._local, "conn", None) is not None

    @contextmanager
    def snapshot(self) -> Iterator[Cursor]:
        held: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if held is not None:
            yield self._wrap(held.cursor())
            return
        conn = self._take()
        self._local.conn = conn
        done = False
        try:
            conn.execute("BEGIN")  # one snapshot for every statement of the block
            yield self._wrap(conn.cursor())
            done = True
        finally:
            self._local.conn = None
            self._end(conn, done)

    def _end(self, conn: sqlite3.Connection, done: bool) -> None:
        try:
            if conn.in_transaction:
                conn.execute("COMMIT" if done else "ROLLBACK")
        except sqlite3.Error as exc:
            conn.close()  # in an unknown state: never handed out again
            if done:
                raise StoreError(f"{self.path}: ending a read failed ({exc})") from exc
            return
        self._give_back(conn)

    def _take(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.path}: the library is closed")
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _give_back(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(conn)
                return
        conn.close()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA query_only=ON")
            conn.execute(f"PRAGMA cache_size=-{READER_CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open it for reading ({exc})") from exc
        return conn

    def close(self) -> None:
        """Close the idle connections; those in use close when they come back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
