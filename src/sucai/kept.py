"""Values kept in memory by key within a budget, the least recently used dropped first; safe across threads.

The engine's recently shown documents (a budget of characters), its answers to repeated searches (a number
of answers) and the web's rendered result lists (characters of HTML) are all kept this way."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


def _one(_value: object) -> int:
    return 1


class Kept(Generic[V]):
    """`weigh(value)` is what a value takes of the budget (by default 1: the budget counts entries). A value
    heavier than the whole budget is not kept at all."""

    def __init__(self, budget: int, weigh: Callable[[V], int] = _one) -> None:
        self.budget = budget
        self._weigh = weigh
        self._kept: OrderedDict[Hashable, V] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        weight = self._weigh(value)
        with self._lock:
            self._drop(key)
            if weight > self.budget:
                return
            self._kept[key] = value
            self._weight += weight
            while self._weight > self.budget:
                self._drop(next(iter(self._kept)))

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._weight = 0

    def _drop(self, key: Hashable) -> None:
        old = self._kept.pop(key, None)
        if old is not None:
            self._weight -= self._weigh(old)

    def __len__(self) -> int:
        return len(self._kept)
