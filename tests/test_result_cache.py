"""Repeated searches are answered from kept answers, which never outlive the index they came from and
never cross from member to non-member viewers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sucai.search.engine import SearchEngine
from sucai.store.sqlite import SqliteStore
from test_search_engine import LIBRARY, add, make_doc


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[SearchEngine]:
    store = SqliteStore(tmp_path / "lib.db")
    add(store, *LIBRARY)
    found = SearchEngine(store, tmp_path / "index")
    yield found
    found.close()
    store.close()


def _ids(engine: SearchEngine, query: str, paid_visible: bool = True) -> list[int]:
    return [h.id for h in engine.search(query, paid_visible=paid_visible).hits]


def test_a_repeated_search_gives_the_same_answer(engine: SearchEngine) -> None:
    first = engine.search("以学铸魂")
    again = engine.search("以学铸魂")
    assert (again.total, again.hits, again.facets) == (first.total, first.hits, first.facets)
    assert again.hits is first.hits  # kept, not computed again


def test_a_new_document_is_found_by_a_search_asked_before(engine: SearchEngine) -> None:
    before = engine.search("以学铸魂").total
    [new] = add(engine.store, make_doc("以学铸魂再出发", "以学铸魂，久久为功。"))
    engine.sync()
    after = engine.search("以学铸魂")
    assert after.total == before + 1 and new in [h.id for h in after.hits]


def test_a_deleted_document_is_gone_from_a_search_asked_before(engine: SearchEngine) -> None:
    found = _ids(engine, "安全生产")
    assert found
    engine.store.delete_document(found[0])
    engine.sync()
    assert found[0] not in _ids(engine, "安全生产")


def test_a_members_answer_is_never_given_to_a_viewer_without_access(engine: SearchEngine) -> None:
    # Only the member-only paragraph holds 以学正风: a member finds it, and a guest asking next must not.
    assert engine.search("以学正风", paid_visible=True).total == 1
    guest = engine.search("以学正风", paid_visible=False)
    assert (guest.total, guest.hits) == (0, [])
    assert engine.search("以学正风", paid_visible=True).total == 1


def test_pages_are_kept_apart(engine: SearchEngine) -> None:
    first = engine.search("同志们", limit=1, offset=0)
    second = engine.search("同志们", limit=1, offset=1)
    assert first.total == second.total >= 2
    assert first.hits[0].id != second.hits[0].id
