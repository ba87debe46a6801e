"""The search index kept up with a batch while it is stored, on a thread of its own.

New documents reach search within seconds rather than at the end, and indexing overlaps the storing
thread's waits on the database (and SQLite's statements, which run without the GIL)."""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sucai.search.engine import SearchEngine

SYNC_EVERY_S = 5.0  # an index commit per file would dominate big batches
log = logging.getLogger("sucai.ingest")


class IndexFollowing:
    """`with IndexFollowing(engine):` syncs the index every SYNC_EVERY_S until the block ends. The caller
    syncs once more afterwards: everything stored is searchable when its batch returns."""

    def __init__(self, engine: SearchEngine, every_s: float = SYNC_EVERY_S) -> None:
        self.engine = engine
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sucai-index-sync", daemon=True)

    def __enter__(self) -> IndexFollowing:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.engine.sync()
            except Exception as exc:  # the final sync after the batch tries again, and reports
                log.warning("sucai: index sync during ingest failed: %s", exc)
