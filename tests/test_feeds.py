"""Atom feeds per genre, topic and search: what a guest's search finds, newest first, free excerpts only."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from sucai import access
from sucai.library import Library
from web_helpers import build_library, leaks, make_client, paid_sentences

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = build_library(tmp_path_factory.mktemp("feeds"))
    yield library
    library.close()


def entries(lib: Library, query: str) -> list[tuple[str, str]]:
    response = make_client(lib).get("/feed.atom" + query)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [(e.findtext(f"{ATOM}title") or "", e.findtext(f"{ATOM}summary") or "") for e in feed.iter(f"{ATOM}entry")]


@pytest.mark.parametrize("query", ["?genre=发言材料", "?tag=主题教育", "?q=调查研究", "?q=调查研究&genre=发言材料"])
def test_a_filtered_feed_lists_what_a_guests_search_finds(lib: Library, query: str) -> None:
    params = dict(p.split("=") for p in query[1:].split("&"))
    search = " ".join([params.get("q", ""), *(f"{k}:{v}" for k, v in params.items() if k != "q")]).strip()
    found = lib.search(search, limit=100, viewer=access.GUEST)
    titles = [title for title, _ in entries(lib, query)]
    assert found.total > 0 and sorted(titles) == sorted(h.title for h in found.hits)


def test_feeds_carry_no_member_only_text(lib: Library) -> None:
    sentences = paid_sentences(lib)
    assert sentences
    for query in ("", "?genre=发言材料", "?tag=主题教育", "?q=调查研究", "?q=" + sentences[0][:6]):
        body = make_client(lib).get("/feed.atom" + query).content
        assert leaks(body, sentences) == [], query


def test_a_bad_filter_is_a_clear_400(lib: Library) -> None:
    response = make_client(lib).get('/feed.atom?genre=a"b')
    assert response.status_code == 400 and "genre" in response.text
