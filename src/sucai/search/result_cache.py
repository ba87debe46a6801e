"""Answers kept for repeated searches until the index changes.

Searches repeat (the admin page's top searches: a few queries make much of a day's traffic), and at 90M
characters a frequent word costs a few milliseconds of counting and facets. An answer is kept per query,
page and kind of viewer (member text visible or not), for one generation of the index: any commit or
reload starts a new generation, so an answer never outlives the documents it was computed from. A viewer
without member access is only ever given answers computed for viewers without member access."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from sucai.model import SearchResult

ENTRIES = 2048  # ~20 hits with snippets each: a few KB apiece


class ResultCache:
    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self._found: OrderedDict[Hashable, SearchResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> SearchResult | None:
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
            return found

    def put(self, key: Hashable, result: SearchResult) -> None:
        with self._lock:
            self._found[key] = result
            self._found.move_to_end(key)
            while len(self._found) > self.entries:
                self._found.popitem(last=False)
