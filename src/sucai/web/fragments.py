"""The viewer-independent part of a results page, rendered once and kept until the index changes.

A cached search answer costs the engine nothing, but rendering its twenty hits (highlighted snippets, paragraph
links, the pager, the facets with their narrowing links) cost three times what the rest of the request does. The
rendered hits and facets are kept per (index generation, query, page, member text visible, signed in, pinyin
matches shown): everything that part of the page depends on (templates/_results.html names no viewer and carries
no session token). A viewer without member access is only ever given a part rendered for such a viewer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from markupsafe import Markup

BUDGET_CHARS = 32_000_000  # ~1,000 pages of twenty hits with their snippets


@dataclass(frozen=True)
class ResultsPart:
    hits: Markup
    facets: Markup

    @property
    def size(self) -> int:
        return len(self.hits) + len(self.facets)


class FragmentCache:
    """Rendered parts by key, at most `budget` characters in all; the least recently used go first."""

    def __init__(self, budget: int = BUDGET_CHARS) -> None:
        self.budget = budget
        self._kept: OrderedDict[Hashable, ResultsPart] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], ResultsPart]) -> ResultsPart:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept
        part = render()  # outside the lock: two requests may render the same part once each, never wait
        self._keep(key, part)
        return part

    def _keep(self, key: Hashable, part: ResultsPart) -> None:
        if part.size > self.budget:
            return
        with self._lock:
            old = self._kept.pop(key, None)
            self._size += part.size - (old.size if old else 0)
            self._kept[key] = part
            while self._size > self.budget:
                _, dropped = self._kept.popitem(last=False)
                self._size -= dropped.size

    def __len__(self) -> int:
        return len(self._kept)
