"""One background thread per serving process keeps the search index in step with the store.

Requests never sync: they search the index as it is (a committed tantivy snapshot), so they neither wait
for a writer's commit nor for catching up. The follower applies the change log (the lookup index for
suggestions goes in the same commits), builds an empty index from the documents when it starts from
nothing, reports this node's position to the store every REPORT_S and compacts the log every COMPACT_S
(changes every live node has applied). Its state is what `/api/health` shows.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sucai.search.index import node_name

if TYPE_CHECKING:
    from sucai.search.engine import SearchEngine

POLL_S = 0.5  # how often the store is asked for new changes (one tiny query)
REPORT_S = 30.0  # how often this node records its position in the store
COMPACT_S = 300.0  # how often the log is trimmed of changes every node has applied
RETRY_S = 5.0  # after a failure (database down): wait, then try again
log = logging.getLogger("sucai.follower")


@dataclass
class FollowerState:
    node: str
    position: int = 0  # the store change number the index reflects
    store_position: int = 0  # the newest change in the store, when last asked
    ready: bool = False  # caught up at least once since the process started
    error: str | None = None
    checked_at: float = 0.0


class Follower:
    """The thread that follows the store for one engine (start() once per process)."""

    def __init__(self, engine: SearchEngine, poll_s: float = POLL_S) -> None:
        self.engine = engine
        self.poll_s = poll_s
        self.state = FollowerState(node=node_name(engine.index.path))
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sucai-follower", daemon=True)
        self._reported = self._compacted = 0.0

    def start(self) -> Follower:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look for changes now rather than at the next poll (after this process wrote)."""
        self._wake.set()

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                self.step(check=first)
                first = False
                self.state.error = None
                pause = self.poll_s
            except Exception as exc:  # the database went away, a disk filled: keep serving, retry later
                log.warning("sucai follower: %s", exc, exc_info=True)
                self.state.error = f"{type(exc).__name__}: {exc}"
                pause = RETRY_S
            self._wake.wait(pause)
            self._wake.clear()

    def step(self, check: bool = False) -> int:
        """One round: catch up (building from nothing if need be), then report and compact when due."""
        engine, state = self.engine, self.state
        applied = engine.sync()
        if check:
            engine.check_count()  # an index that disagrees with a quiet store is rebuilt
        state.position = engine.index.applied_seq()
        state.store_position = engine.store.last_seq()
        state.ready = state.ready or state.position >= state.store_position
        state.checked_at = time.time()
        now = time.monotonic()
        if now - self._reported >= REPORT_S:
            engine.store.report_position(state.node, state.position, socket.gethostname())
            self._reported = now
        if now - self._compacted >= COMPACT_S:
            engine.store.compact_changes()
            self._compacted = now
        return applied

    def health(self) -> dict[str, Any]:
        """What /api/health shows: where the index is, where the store is, and whether it is building."""
        state = self.state
        position = self.engine.index.applied_seq()
        try:
            state.store_position = self.engine.store.last_seq()
        except Exception as exc:  # the database is away: say so, with the last position known
            state.error = f"{type(exc).__name__}: {exc}"
        store_position = max(state.store_position, position)
        return {
            "node": state.node, "position": position, "store_position": store_position,
            "lag": store_position - position, "building": self.engine.building or (position == 0 < store_position),
            "ready": state.ready, "documents": self.engine.index.num_docs(), "error": state.error,
        }
