"""A first-come, first-served gate: at most `slots` requests compute a search at once, the rest wait in order.

Why: a page's work holds the GIL for most of its time, so twenty threads computing twenty searches at once finish
no sooner in total than two would, but each one takes twenty times as long as it would alone, and an expensive
search (a query asked for the first time) ends up far behind cheap ones. Queued in arrival order instead, every
request waits about as long as the others, and the slowest answers come down close to the typical one.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from types import TracebackType

from starlette.requests import Request


def default_slots() -> int:
    """One slot per core this process may run on (the engine's counting runs outside the GIL)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class FairGate:
    """A semaphore that admits waiters in arrival order (threading.Semaphore lets a newcomer barge in)."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self.slots = slots
        self._free = slots
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> FairGate:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder that hands its slot over to this waiter
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._lock:
            if self._waiting:  # the slot passes straight to the longest waiter: no newcomer can take it first
                self._waiting.popleft().release()
            else:
                self._free += 1

    @property
    def waiting(self) -> int:
        return len(self._waiting)


def search_gate(request: Request) -> FairGate:
    return request.app.state.search_gate  # type: ignore[no-any-return]
