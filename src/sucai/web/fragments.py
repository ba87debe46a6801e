"""The viewer-independent part of a results page, rendered once and kept until the index changes.

A cached search answer costs the engine nothing, but rendering its twenty hits (highlighted snippets, paragraph
links, the pager, the facets with their narrowing links) cost three times what the rest of the request does. The
rendered hits and facets are kept per (index generation, query, page, member text visible, signed in, pinyin
matches shown): everything that part of the page depends on (templates/_results.html names no viewer and carries
no session token). A viewer without member access is only ever given a part rendered for such a viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sucai.kept import Kept
from sucai.model import SearchResult

BUDGET_CHARS = 32_000_000  # ~1,000 pages of twenty hits with their snippets


@dataclass(frozen=True)
class ResultsPart:
    hits: Markup
    facets: Markup
    result: SearchResult | None = None  # the answer they were rendered from (the rest of the page shows it)

    @property
    def size(self) -> int:
        return len(self.hits) + len(self.facets)


class FragmentCache(Kept[ResultsPart]):
    """Rendered parts by key, at most `budget` characters in all; the least recently used go first."""

    def __init__(self, budget: int = BUDGET_CHARS) -> None:
        super().__init__(budget, weigh=lambda part: part.size)
