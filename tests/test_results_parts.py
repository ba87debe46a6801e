"""The kept part of a results page (hits, pager, facets; web/fragments.py): shared by viewers of one kind on one
app, never by a member and a viewer without access, never carrying one viewer's session token to another, and
never outliving the index it was rendered from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from markupsafe import Markup

from sucai.library import Library
from sucai.web.app import create_app
from sucai.web.fragments import FragmentCache, ResultsPart
from web_helpers import TestClient, build_library, leaks, login, paid_only_word, paid_sentences

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("parts"))
    yield library
    library.close()


def clients(lib: Library, *names: str | None) -> list[TestClient]:
    """Clients of one app (one set of kept parts), each signed in as the name given (None: a guest)."""
    app = create_app(replace(lib.settings), lib)
    found = []
    for name in names:
        client = TestClient(app, follow_redirects=False)
        if name is not None:
            login(client, name)
        found.append(client)
    return found


def test_a_members_part_never_reaches_a_viewer_without_access(lib: Library) -> None:
    word = paid_only_word(lib)
    member, free, guest = clients(lib, "member", "free", None)
    shown = member.get("/search", params={"q": word}).text
    assert f"<mark>{word}</mark>" in shown  # the member's part, kept first
    for viewer in (free, guest, member, free, guest):
        page = viewer.get("/search", params={"q": word})
        if viewer is member:
            continue
        assert f"<mark>{word}</mark>" not in page.text
        assert leaks(page.content, paid_sentences(lib)) == []


def test_signed_in_viewers_share_a_part_but_not_their_tokens(lib: Library) -> None:
    guest, first, second = clients(lib, None, "free", "member")
    query = "主题教育"
    guest_page = guest.get("/search", params={"q": query}).text
    assert 'form="bundle"' not in guest_page and 'id="bundle"' not in guest_page  # a guest cannot download
    pages = [client.get("/search", params={"q": query}).text for client in (first, second, first)]
    tokens = [set(CSRF.findall(page)) for page in pages]
    assert len(tokens[0]) == 1 and tokens[0] == tokens[2] and tokens[0].isdisjoint(tokens[1])
    for page in pages:
        assert '<form id="bundle" action="/download.zip" method="post">' in page
        assert re.search(r'<input type="checkbox" name="ids" value="\d+" form="bundle">', page)


def test_a_page_asked_before_shows_a_new_document_at_once(lib: Library, tmp_path: Path) -> None:
    [guest] = clients(lib, None)
    query = "以案促改"
    before = _unmarked(guest.get("/search", params={"q": query}).text)
    assert "以案促改专题党课讲稿" not in before
    new = tmp_path / "以案促改专题党课讲稿.txt"
    new.write_text("以案促改专题党课讲稿\n\n同志们：以案促改，重在促改。要把以案促改贯穿全年工作。\n", encoding="utf-8")
    assert lib.ingest([new]).documents
    after = _unmarked(guest.get("/search", params={"q": query}).text)
    assert "以案促改专题党课讲稿" in after


def _unmarked(page: str) -> str:
    return re.sub(r"</?mark>", "", page)


def _part(text: str) -> ResultsPart:
    return ResultsPart(Markup(text), Markup(""))


def test_the_kept_parts_stay_within_their_budget_least_recent_first() -> None:
    cache = FragmentCache(budget=25)
    for key in "abc":
        cache.put(key, _part(key * 10))
    assert len(cache) == 2 and cache.get("a") is None  # 30 characters would be over the budget: "a" went
    assert cache.get("b") is not None  # now the most recent: "c" goes next
    cache.put("d", _part("d" * 10))
    assert cache.get("c") is None and cache.get("b") is not None
    cache.put("huge", _part("x" * 100))  # larger than the whole budget: not kept at all
    assert cache.get("huge") is None and len(cache) == 2
