"""The viewer-independent part of a results page, rendered once and kept until the index changes.

A cached search answer costs the engine nothing, but rendering its twenty hits (highlighted snippets, paragraph
links, the pager, the facets with their narrowing links) cost three times what the rest of the request does. The
rendered hits and facets are kept per (index generation, query, page, member text visible, signed in, pinyin
matches shown): everything that part of the page depends on (templates/_results.html names no viewer and carries
no session token). A viewer without member access is only ever given a part rendered for such a viewer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from markupsafe import Markup

from sucai.kept import Kept

BUDGET_CHARS = 32_000_000  # ~1,000 pages of twenty hits with their snippets


@dataclass(frozen=True)
class ResultsPart:
    hits: Markup
    facets: Markup

    @property
    def size(self) -> int:
        return len(self.hits) + len(self.facets)


class FragmentCache(Kept[ResultsPart]):
    """Rendered parts by key, at most `budget` characters in all; the least recently used go first."""

    def __init__(self, budget: int = BUDGET_CHARS) -> None:
        super().__init__(budget, weigh=lambda part: part.size)

    def get_or_render(self, key: Hashable, render: Callable[[], ResultsPart]) -> ResultsPart:
        kept = self.get(key)
        if kept is None:
            kept = render()  # not under the lock: two requests may render the same part once each, never wait
            self.put(key, kept)
        return kept
