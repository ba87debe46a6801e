"""Results parts shared by the workers of one node (web/shared_pages.py): two apps, each with its own Library
over the same store and index folder, as two `serve --workers` processes are. A part computed by one is
served by the other without computing it again, never across kinds of viewer, never from another index
content (position or epoch), and never while the index is being built."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from markupsafe import Markup

from scale_helpers import write_notices
from sucai.library import Library, open_library
from sucai.search.index import SearchIndex
from sucai.settings import Settings
from sucai.web.app import create_app
from sucai.web.fragments import ResultsPart
from sucai.web.shared_pages import FILE_NAME, PRUNE_EVERY, SharedPages, part_from_json, part_to_json
from web_helpers import TestClient, build_library, leaks, login, paid_only_word, paid_sentences

TOOK = re.compile(r"（\d+ 毫秒）")
CSRF = re.compile(r'name="csrf" value="[^"]+"')


@pytest.fixture()
def node(tmp_path: Path) -> Iterator[tuple[Library, Library, Path]]:
    """Two Library objects over one library (the workers), and the shared file the supervisor makes."""
    first = build_library(tmp_path)
    second = open_library(settings=replace(first.settings))
    shared = tmp_path / "shared" / FILE_NAME
    shared.parent.mkdir()
    SharedPages.create(shared)
    yield first, second, shared
    second.close()
    first.close()


def worker(lib: Library, shared: Path, name: str | None = None) -> TestClient:
    client = TestClient(create_app(replace(lib.settings), lib, follow=False, shared_pages=shared),
                        follow_redirects=False)
    if name is not None:
        login(client, name)
    return client


def page(client: TestClient, query: str) -> str:
    answer = client.get("/search", params={"q": query})
    assert answer.status_code == 200
    return CSRF.sub("", TOOK.sub("", answer.text))


def rows(shared: Path) -> int:
    with sqlite3.connect(shared) as db:
        return int(db.execute("SELECT COUNT(*) FROM parts").fetchone()[0])


def test_a_part_computed_by_one_worker_is_served_by_the_other(node: tuple[Library, Library, Path]) -> None:
    first, second, shared = node
    a, b = worker(first, shared), worker(second, shared)
    shown = page(a, "主题教育")
    assert rows(shared) == 1
    assert page(b, "主题教育") == shown
    assert len(second.engine.answers) == 0, "the second worker searched although the first had the answer"
    assert page(b, "以学铸魂") != shown and rows(shared) == 2  # another query: computed, and shared in turn


def test_a_members_part_never_reaches_a_guest_on_another_worker(node: tuple[Library, Library, Path]) -> None:
    first, second, shared = node
    word = paid_only_word(first)
    member = worker(first, shared, "member")
    assert f"<mark>{word}</mark>" in page(member, word)
    for viewer in (worker(second, shared), worker(second, shared, "free")):
        answer = viewer.get("/search", params={"q": word})
        assert f"<mark>{word}</mark>" not in answer.text
        assert leaks(answer.content, paid_sentences(first)) == []


def test_a_part_of_an_older_index_is_not_served_after_a_change(
    node: tuple[Library, Library, Path], tmp_path: Path
) -> None:
    first, second, shared = node
    a, b = worker(first, shared), worker(second, shared)
    assert "甲00003号" not in page(a, "本通知编号")
    first.ingest(write_notices(tmp_path / "new", range(1, 4)))
    assert "甲00003号" in page(b, "本通知编号")  # b catches up first: a new position, a new key
    assert "甲00003号" in page(a, "本通知编号")


def test_a_rebuild_at_the_same_position_is_a_new_epoch(tmp_path: Path) -> None:
    """A rebuild may end at a sequence number seen before; its epoch tells the two contents apart, and a process
    that loaded the old one reloads."""
    lib = build_library(tmp_path)
    other = open_library(settings=replace(lib.settings))
    before = lib.engine.loaded.position
    other.engine.rebuild()
    after = SearchIndex(lib.settings.resolved_index_dir()).applied_position()
    assert after.seq == before.seq and after.epoch != before.epoch
    generation = lib.engine.generation
    lib.engine.sync()
    assert lib.engine.loaded.position == after and lib.engine.generation > generation
    other.close()
    lib.close()


def test_nothing_is_shared_at_position_zero(tmp_path: Path) -> None:
    """Position 0 is an empty library's, and that of an index whose build is under way (its partial commits):
    such an index is not the same in every worker, so nothing computed from it is shared."""
    empty = open_library(settings=Settings(db=str(tmp_path / "empty.db"), secret_key="s"))
    shared = tmp_path / FILE_NAME
    SharedPages.create(shared)
    assert empty.engine.loaded.position.seq == 0
    assert worker(empty, shared).get("/search", params={"q": "通知"}).status_code == 200
    assert rows(shared) == 0
    empty.close()


def test_a_part_survives_its_json_whole(node: tuple[Library, Library, Path]) -> None:
    first, _second, shared = node
    a = worker(first, shared, "member")
    a.get("/search", params={"q": "主题教育"})
    with sqlite3.connect(shared) as db:
        [(text,)] = db.execute("SELECT value FROM parts").fetchall()
    part = part_from_json(text)
    assert part.result is not None and part.result.hits and part_to_json(part) == text


def test_a_busy_or_broken_file_costs_a_page_nothing(node: tuple[Library, Library, Path]) -> None:
    first, _second, shared = node
    a = worker(first, shared)
    with sqlite3.connect(shared, isolation_level=None) as db:
        db.execute("BEGIN EXCLUSIVE")  # another worker in the middle of a write, for longer than we wait
        assert a.get("/search", params={"q": "主题教育"}).status_code == 200
        db.execute("ROLLBACK")
    with sqlite3.connect(shared) as db:
        db.execute("INSERT INTO parts VALUES (?, ?)", ("x", "not json"))
    assert SharedPages(shared).get("x") is None


def test_the_file_keeps_the_newest_parts_within_its_capacity(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    SharedPages.create(path)
    pages = SharedPages(path, capacity=10)
    for n in range(PRUNE_EVERY):
        pages.put(str(n), ResultsPart(Markup(f"<li>{n}</li>"), Markup("")))
    assert rows(path) == 10
    newest = pages.get(str(PRUNE_EVERY - 1))
    assert newest is not None and newest.hits == f"<li>{PRUNE_EVERY - 1}</li>" and pages.get("0") is None
    pages.close()
