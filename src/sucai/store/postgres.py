"""The scale-out backend: PostgreSQL through psycopg 3, the same SqlStore logic over one connection."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from sucai.errors import StoreError
from sucai.store.schema import POSTGRES
from sucai.store.sql import Cursor, SqlStore

# Quoted strings, quoted identifiers and comments pass through untouched; only bare ? and % are rewritten.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?|%", re.DOTALL)
# Any constant works; it only has to be the same for every sucai process migrating this database.
_MIGRATION_LOCK = 5_748_001


@lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """SqlStore's '?' placeholders as psycopg's '%s', with literal '%' escaped."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return token

    return _TOKENS.sub(swap, sql)


def redact(url: str) -> str:
    """The URL without its password, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


class _PgCursor(Cursor):
    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(to_pyformat(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(to_pyformat(sql), [tuple(r) for r in rows])

    def fetchall(self) -> list[tuple[Any, ...]]:
        # A statement without a result (INSERT without RETURNING) reads as no rows, as in sqlite3.
        if self._cursor.description is None:
            return []
        return self._cursor.fetchall()

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._cursor.description is None:
            return None
        return self._cursor.fetchone()


class PostgresStore(SqlStore):
    """A library in a PostgreSQL database (or one schema of it, via ?options=-csearch_path=NAME).

    One connection, used by one thread at a time under the store's lock; a broken connection is
    replaced at the start of the next transaction."""

    dialect = POSTGRES

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._conn = self._connect()
        try:
            self.migrate()
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreError(f"{redact(url)}: not a usable sucai library ({exc})") from exc

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"{redact(self.url)}: cannot connect to PostgreSQL ({exc})") from exc

    def migrate(self) -> None:
        # Two processes opening a fresh database at once must not both run migration 1.
        with self._lock:
            self._conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
            try:
                super().migrate()
            finally:
                if not self._conn.broken:
                    self._conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))

    @contextmanager
    def _outer_transaction(self, write: bool) -> Iterator[Cursor]:
        if self._conn.broken:
            self._conn = self._connect()
        with self._conn.transaction(), self._conn.cursor() as cur:
            yield _PgCursor(cur)

    def _joined_cursor(self) -> Cursor:
        return _PgCursor(self._conn.cursor())

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def fingerprint_bytes(self) -> int:
        sizes = "pg_total_relation_size('fingerprints') + pg_total_relation_size('fingerprint_log')"
        return int(self._rows(f"SELECT {sizes}")[0][0])
