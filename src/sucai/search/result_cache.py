"""Answers kept for repeated searches until the index changes.

Searches repeat (the admin page's top searches: a few queries make much of a day's traffic), and at 90M
characters a frequent word costs a few milliseconds of counting and facets. An answer is kept per query,
page and kind of viewer (member text visible or not), for one generation of the index: any commit or
reload starts a new generation, so an answer never outlives the documents it was computed from. A viewer
without member access is only ever given answers computed for viewers without member access."""

from __future__ import annotations

from sucai.kept import Kept
from sucai.model import SearchResult

ENTRIES = 2048  # ~20 hits with snippets each: a few KB apiece


class ResultCache(Kept[SearchResult]):
    def __init__(self, entries: int = ENTRIES) -> None:
        super().__init__(entries)
