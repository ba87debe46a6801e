"""Searches logged for the admin page without a database write inside each search.

A search page used to spend a tenth of its server time writing its log row (one write transaction per
search, which on SQLite also waits its turn for the one connection). Searches are now held in memory and
written together, from a thread of their own, about once a second; the admin page writes what is pending
before it counts. A process that dies loses at most that second of a statistic."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from sucai.store.activity import LoggedSearch
from sucai.store.base import Store

FLUSH_S = 1.0
MAX_PENDING = 10_000  # with the store away for long, the oldest are dropped: it is a statistic, not a record
log = logging.getLogger("sucai.searchlog")


class SearchLog:
    """record() from any thread; flush() writes what is pending; close() stops the writer and flushes."""

    def __init__(self, store: Store, keep_days: int, flush_s: float = FLUSH_S) -> None:
        self.store, self.keep_days, self.flush_s = store, keep_days, flush_s
        self._pending: list[LoggedSearch] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one write at a time, in order
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, query: str, total: int, tier: str) -> None:
        if self.keep_days <= 0:
            return  # the operator keeps no log
        entry = LoggedSearch(datetime.now(UTC).replace(microsecond=0), query, total, tier)
        with self._lock:
            self._pending.append(entry)
            del self._pending[:-MAX_PENDING]
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="sucai-search-log", daemon=True)
                self._thread.start()

    def flush(self) -> None:
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, []
            try:
                self.store.log_searches(batch, self.keep_days)
            except Exception:
                with self._lock:  # kept for the next try, newest last
                    self._pending[:0] = batch
                    del self._pending[:-MAX_PENDING]
                raise

    def _run(self) -> None:
        while not self._stop.wait(self.flush_s):
            try:
                self.flush()
            except Exception as exc:  # the database is away: the entries wait for the next round
                log.warning("sucai: could not write the search log: %s", exc)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.flush()
        except Exception as exc:
            log.warning("sucai: could not write the search log on close: %s", exc)
