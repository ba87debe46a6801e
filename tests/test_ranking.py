"""Ranking is exact and the same on every node: title tier, then BM25, then id; pages never repeat."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from sucai.model import Block, Document
from sucai.search.engine import SearchEngine, match_query
from sucai.search.query import parse
from sucai.search.ranking import TITLE_TIER
from sucai.store import StoredFile, open_store
from sucai.store.sql import SqlStore


def _doc(n: int, title: str, body: str) -> Document:
    blocks = [Block("title", title), Block("paragraph", body)]
    return Document(id=None, title=title, blocks=blocks, source=f"{n}.txt",
                    body_sha256=hashlib.sha256(body.encode()).hexdigest())


def _store_doc(store: SqlStore, n: int, title: str, body: str) -> int:
    data = f"{n}{title}{body}".encode()
    file = StoredFile(origin=f"{n}.txt", sha256=hashlib.sha256(data).hexdigest(), data=data, fmt="txt")
    return store.add_file(file, [_doc(n, title, body)], [[]])[0]


def corpus() -> list[tuple[str, str]]:
    """Ties on purpose (bodies alike but for a serial number), near-ties, and title matches."""
    docs = []
    for n in range(60):  # one tie group of 60: the same phrase count, the same length
        docs.append((f"会议纪要{n:03d}", f"会议强调，要抓好防汛工作。本纪要序号{n:03d}。"))
    for n in range(25):  # scores close together: the phrase once or twice in bodies of nearby lengths
        filler = "各项工作有序推进" * (n % 5 + 1)
        docs.append((f"工作简报{n:03d}", f"防汛工作{'要早谋划，防汛工作' if n % 2 else ''}{filler}。编号{n:03d}。"))
    for n in range(8):  # the phrase in the title: first, however their bodies score
        docs.append((f"关于做好防汛工作的通知{n}", f"请各地认真落实防汛工作责任。{'补充说明。' * n}通知{n}。"))
    return docs


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[SqlStore, SearchEngine, SearchEngine]]:
    store = open_store(tmp_path / "lib.db")
    assert isinstance(store, SqlStore)
    # node A follows the store file by file (many small segments); node B is built at the end (one segment)
    node_a = SearchEngine(store, tmp_path / "a")
    for n, (title, body) in enumerate(corpus()):
        _store_doc(store, n, title, body)
        if n % 10 == 0:
            node_a.sync()
    node_a.sync()
    node_b = SearchEngine(store, tmp_path / "b")
    yield store, node_a, node_b
    node_a.close()
    node_b.close()
    store.close()


def pages(engine: SearchEngine, query: str, size: int) -> list[tuple[float, int]]:
    out: list[tuple[float, int]] = []
    offset = 0
    while True:
        page = engine.search(query, limit=size, offset=offset).hits
        out += [(h.score, h.id) for h in page]
        if len(page) < size:
            return out
        offset += size


@pytest.mark.parametrize("query", ["防汛工作", "会议", "工作 防汛", "序号", "工作 -纪要"])
def test_every_node_gives_the_same_pages_and_no_page_repeats(
    stores: tuple[SqlStore, SearchEngine, SearchEngine], query: str
) -> None:
    _store, node_a, node_b = stores
    assert node_a.index.searcher().num_segments > node_b.index.searcher().num_segments  # different layouts
    whole = [(h.score, h.id) for h in node_a.search(query, limit=500).hits]
    assert whole, query
    for size in (7, 10, 20):
        assert pages(node_a, query, size) == pages(node_b, query, size) == whole
    ids = [i for _s, i in whole]
    assert len(ids) == len(set(ids))
    assert whole == sorted(whole, key=lambda h: (-h[0], -h[1]))  # score, then the newest id first


def test_title_matches_first_then_exact_bm25(stores: tuple[SqlStore, SearchEngine, SearchEngine]) -> None:
    _store, node, _other = stores
    hits = node.search("防汛工作", limit=500).hits
    titled = [h for h in hits if "防汛工作" in h.title]
    assert hits[: len(titled)] == titled and len(titled) == 8
    assert all(h.score >= TITLE_TIER for h in titled) and all(h.score < TITLE_TIER for h in hits[len(titled):])
    # the engine's own BM25 of each document, unrounded: title hits carry it exactly, above the tier
    searcher = node.index.searcher()
    match = match_query(node.index.schema, parse("防汛工作"))
    found = searcher.search(match, 500)
    ids = searcher.fast_field_values("id", [a for _s, a in found.hits])
    bm25 = {int(i): float(s) for (s, _a), i in zip(found.hits, ids, strict=True)}
    assert {h.id: h.score - TITLE_TIER for h in titled} == {h.id: bm25[h.id] for h in titled}
    assert len({bm25[h.id] for h in titled}) > 1
    scores = sorted({bm25[h.id] for h in titled})
    assert min(b - a for a, b in pairwise(scores)) < 1 / 16  # finer than a 1e6 boost keeps
    rest = hits[len(titled):]
    assert {h.id: h.score for h in rest} == {h.id: bm25[h.id] for h in rest}


def test_a_query_of_filters_only_is_ordered_by_id(stores: tuple[SqlStore, SearchEngine, SearchEngine]) -> None:
    _store, node_a, node_b = stores
    query = "title:会议纪要"
    assert pages(node_a, query, 9) == pages(node_b, query, 9)
    ids = [i for _s, i in pages(node_a, query, 9)]
    assert ids == sorted(ids, reverse=True) and len(ids) == 60

