"""What the home and "new" pages show about the library as a whole: totals, today's documents, facets."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from sucai import access
from sucai.library import Library
from sucai.model import DocumentSummary, User

FACET_LABELS = {"genre": "体裁", "year": "年份", "tag": "主题"}
FACET_SIZE = 12


@dataclass(frozen=True)
class Overview:
    documents: int
    chars: int
    today: list[DocumentSummary]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    url: str


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]


class OverviewCache:
    """Recomputed when the store's change sequence or the date moves; one for members, one for everyone
    else, whose counts and facets come from the free text alone (access.visible_summary)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[bool, tuple[tuple[int, date], Overview]] = {}

    def get(self, lib: Library, viewer: User = access.GUEST) -> Overview:
        key = (lib.store.last_seq(), access.today())
        paid_visible = access.can_read_paid(viewer)
        with self._lock:
            cached = self._values.get(paid_visible)
            if cached is None or cached[0] != key:
                cached = (key, _compute(lib, key[1], access.OPERATOR if paid_visible else access.GUEST))
                self._values[paid_visible] = cached
            return cached[1]


def _compute(lib: Library, today: date, viewer: User) -> Overview:
    counters: dict[str, Counter[str]] = {"genre": Counter(), "year": Counter(), "tag": Counter()}
    offset = chars = 0
    while True:
        total, batch = lib.list_documents(offset=offset, limit=1000, viewer=viewer)
        for doc in batch:
            chars += doc.chars
            if doc.genre:
                counters["genre"][doc.genre] += 1
            if doc.year:
                counters["year"][str(doc.year)] += 1
            counters["tag"].update(doc.tags)
        offset += len(batch)
        if not batch or offset >= total:
            break
    return Overview(
        documents=lib.store.count_documents(),
        chars=chars,
        today=lib.documents_since(today.isoformat(), limit=20, viewer=viewer),
        facets={name: dict(counter) for name, counter in counters.items()},
    )


def facet_links(query: str, facets: dict[str, dict[str, int]]) -> list[Facet]:
    """Each facet's largest values, each a link that narrows the query (`genre:讲话` and so on)."""
    result: list[Facet] = []
    for name, label in FACET_LABELS.items():
        counts = facets.get(name) or {}
        ordered = sorted(counts.items(), key=_year_order if name == "year" else _count_order)
        values = [FacetValue(str(v), n, _refine(query, name, str(v))) for v, n in ordered[:FACET_SIZE] if n]
        if values:
            result.append(Facet(name, label, values))
    return result


def _year_order(item: tuple[str, int]) -> tuple[int, str]:
    return (-int(item[0]) if item[0].isdigit() else 0, item[0])


def _count_order(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _refine(query: str, name: str, value: str) -> str:
    term = f"{name}:{value}"
    narrowed = query if term in query.split() else f"{query} {term}".strip()
    return "/search?" + urlencode({"q": narrowed})
