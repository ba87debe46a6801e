"""The scale-out backend: PostgreSQL through psycopg 3, the same SqlStore logic over a pool of connections.

Each thread's transaction runs on a connection of its own from the pool (reads in parallel, no store-wide
lock); a connection found dead (server restarted, backend terminated) is replaced before it is used.
A writer's statements go out in a pipeline (a round trip only where a result is read), and rows written
many at a time (fingerprints, phrases, changes) as one INSERT over arrays rather than one INSERT each (COPY
would be as fast but cannot run in a pipeline). Reads run outside a transaction: one round trip each."""

from __future__ import annotations

import os
import re
import select
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from sucai.errors import StoreError
from sucai.store.cursor import Cursor
from sucai.store.fingerprint_scope import MOVE_FINGERPRINT_LOG, MOVE_NEW_FINGERPRINTS
from sucai.store.schema import POSTGRES
from sucai.store.sql import SqlStore, TxState

# Quoted strings, quoted identifiers and comments pass through untouched; only bare ? and % are rewritten.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?|%", re.DOTALL)
# Any constant works; it only has to be the same for every sucai process migrating this database.
_MIGRATION_LOCK = 5_748_001
# A plain multi-row INSERT (no RETURNING, no ON CONFLICT): safe to send as one INSERT ... SELECT FROM unnest.
_PLAIN_INSERT = re.compile(r"INSERT INTO (\w+) \(([\w, ]+)\) VALUES \((\?(?:, \?)*)\)")
_NO_RESULT = re.compile(r"didn.t produce (records|a result)")
BULK_FROM_ROWS = 8  # fewer rows than this: executemany costs no more than building arrays
POOL_SIZE = int(os.environ.get("SUCAI_PG_POOL", "8"))  # connections per process at most


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
    """Each statement on a psycopg cursor of its own: in a pipeline, results are handed out only at the next
    sync, and one cursor reused for several queued statements would read another's result."""

    def __init__(
        self, conn: psycopg.Connection[Any], replace: Callable[[], psycopg.Connection[Any]] | None = None
    ) -> None:
        self._conn = conn
        self._cursor = conn.cursor()
        self._replace = replace  # reads outside a transaction: a fresh connection for one that died

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        try:
            self._cursor = self._conn.cursor()
            self._cursor.execute(to_pyformat(sql), tuple(params))
        except psycopg.OperationalError:
            # A read outside a transaction loses nothing with its connection: read again on a fresh one.
            # (Only a broken connection: a statement the server cancelled or timed out stays an error.)
            if self._replace is None or not self._conn.broken:
                raise
            self._conn = self._replace()
            self._cursor = self._conn.cursor()
            self._cursor.execute(to_pyformat(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor = self._conn.cursor()
        plain = _PLAIN_INSERT.fullmatch(sql)
        if plain is not None and len(rows) >= BULK_FROM_ROWS:
            columns = [_array_param(c) for c in zip(*rows, strict=True)]
            casts = ", ".join(f"%s::{kind}" for kind, _ in columns)
            self._cursor.execute(
                f"INSERT INTO {plain.group(1)} ({plain.group(2)}) SELECT * FROM unnest({casts})",
                [value for _, value in columns],
            )
            return
        self._cursor.executemany(to_pyformat(sql), [tuple(r) for r in rows])

    # A statement without a result (INSERT without RETURNING) reads as no rows, as in sqlite3. (In a pipeline
    # the result, and so `description`, is there only once fetched: ask, and take "no result" for none.)
    def fetchall(self) -> list[tuple[Any, ...]]:
        try:
            return self._cursor.fetchall()
        except psycopg.ProgrammingError as exc:
            if _NO_RESULT.search(str(exc)):
                return []
            raise

    def fetchone(self) -> tuple[Any, ...] | None:
        try:
            return self._cursor.fetchone()
        except psycopg.ProgrammingError as exc:
            if _NO_RESULT.search(str(exc)):
                return None
            raise


def _array_param(column: Sequence[Any]) -> tuple[str, Any]:
    """One column of a bulk insert as an array parameter and its SQL type. Whole numbers go as an array
    literal: psycopg adapts a list of ints one element at a time, at twice the cost of the whole insert."""
    sample = next((v for v in column if v is not None), None)
    if type(sample) is int and None not in column:
        return "bigint[]", "{" + ",".join(map(str, column)) + "}"
    kinds = {bool: "boolean[]", int: "bigint[]", float: "double precision[]", bytes: "bytea[]"}
    return kinds.get(type(sample), "text[]"), list(column)


def _check_idle_connection(conn: psycopg.Connection[Any]) -> None:
    """Before a pooled connection is used: an idle connection on which something arrived was most likely
    ended by the server (a restart, pg_terminate_backend, an idle timeout: it sends a last message and
    closes); only then is a round trip spent to make sure. A silent idle connection is taken as it is."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        ConnectionPool.check_connection(conn)


class PostgresStore(SqlStore):
    """A library in a PostgreSQL database (or one schema of it, via ?options=-csearch_path=NAME)."""

    dialect = POSTGRES
    parallel_writes = True  # a pooled connection per thread

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        super().__init__()
        self.url = url
        self._local = threading.local()
        first = self._connect()  # a bad URL or a server that is down fails here, at once, with a clear message
        self._pool = ConnectionPool(
            url, min_size=1, max_size=max(1, pool_size), open=False, timeout=30, name="sucai",
            kwargs={"autocommit": True, "connect_timeout": 10}, check=_check_idle_connection,
        )
        try:
            self._pool.open(wait=False)
            self._migrate_under_lock(first)
        except psycopg.Error as exc:
            self._pool.close()
            raise StoreError(f"{redact(url)}: not a usable sucai library ({exc})") from exc
        finally:
            first.close()

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"{redact(self.url)}: cannot connect to PostgreSQL ({exc})") from exc

    def _migrate_under_lock(self, conn: psycopg.Connection[Any]) -> None:
        # Two processes opening a fresh database at once must not both run migration 1.
        conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
        try:
            self.migrate()
        finally:
            if not conn.broken:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))

    # -- transactions: one per thread, each on its own pooled connection ------------------------------
    def _serial(self) -> AbstractContextManager[object]:
        return nullcontext()

    def _tx(self) -> TxState:
        tx: TxState | None = getattr(self._local, "tx", None)
        if tx is None:
            tx = self._local.tx = TxState()
        return tx

    @contextmanager
    def _outer_transaction(self, write: bool) -> Iterator[Cursor]:
        try:
            with self._begun() if write else self._reading() as cursor:
                try:
                    yield cursor
                finally:
                    self._local.conn = None
        except (psycopg.OperationalError, PoolTimeout) as exc:
            # The connection went away mid-way (it is dropped from the pool; the next call gets a new one).
            raise StoreError(f"{redact(self.url)}: the database connection failed ({exc})") from exc

    @contextmanager
    def _begun(self) -> Iterator[Cursor]:
        """A pooled connection inside a transaction. A connection the server ended just before (its goodbye
        not yet read, so the idle check passed) fails at BEGIN, before any statement of the caller's: that
        connection is dropped and the transaction begun once more on a fresh one."""
        for attempt in range(2):
            stack = ExitStack()
            try:
                conn = stack.enter_context(self._pool.connection())
                # A writer's statements go out in a pipeline: those whose result nobody reads (rows of
                # bodies, phrases, fingerprints, changes) cost no round trip of their own.
                stack.enter_context(conn.pipeline())
                stack.enter_context(conn.transaction())
            except psycopg.OperationalError:
                stack.__exit__(None, None, None)
                if attempt:
                    raise
                continue
            with stack:
                self._local.conn = conn
                yield _PgCursor(conn)
            return

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        """Reads without BEGIN and COMMIT (two round trips each): under READ COMMITTED every statement reads
        a snapshot of its own, inside a transaction or not. A statement that finds its connection ended is
        read again on a fresh one."""
        with ExitStack() as stack:

            def fresh() -> psycopg.Connection[Any]:
                self._local.conn = stack.enter_context(self._pool.connection())
                return self._local.conn

            yield _PgCursor(fresh(), replace=fresh)

    def _joined_cursor(self) -> Cursor:
        return _PgCursor(self._local.conn)

    def merge_fingerprints(self) -> int:
        """Move the fingerprint log into the hash-ordered table (SqlStore.merge_fingerprints): as plain inserts
        first, inside a savepoint; only when a logged key is stored already, again with the conflict handling.
        Each statement deletes exactly the rows it merges, whatever other writers log meanwhile."""
        try:
            with self._pool.connection() as conn, conn.transaction():
                try:
                    with conn.transaction():  # a savepoint: a conflict undoes this statement alone
                        return max(conn.execute(MOVE_NEW_FINGERPRINTS).rowcount, 0)
                except psycopg.errors.UniqueViolation:
                    return max(conn.execute(MOVE_FINGERPRINT_LOG).rowcount, 0)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreError(f"{redact(self.url)}: the database connection failed ({exc})") from exc

    def close(self) -> None:
        self._pool.close()

    def fingerprint_bytes(self) -> int:
        sizes = "pg_total_relation_size('fingerprints') + pg_total_relation_size('fingerprint_log')"
        return int(self._rows(f"SELECT {sizes}")[0][0])
