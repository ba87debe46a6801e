"""A serving node follows the store in the background: requests answer at once from what is indexed, never
sync inside a request, never fail while the index builds; suggestions follow new and deleted titles."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from scale_helpers import notice, write_notices
from sucai.library import Library, open_library
from sucai.model import Block, Document
from sucai.search.engine import SearchEngine
from sucai.search.follower import Follower
from sucai.search.index import STATE_FILE, SearchIndex
from sucai.settings import Settings
from sucai.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def settings(tmp_path: Path, node: str) -> Settings:
    return Settings(db=str(tmp_path / "lib.db"), index_dir=tmp_path / f"index-{node}", secret_key="s")


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Library]:
    """A CLI-like process: it ingests, and its own index catches up before it answers."""
    lib = open_library(settings=settings(tmp_path, "writer"))
    report = lib.ingest(write_notices(tmp_path / "first", range(1, 41)))
    assert len(report.documents) == 40
    yield lib
    lib.close()


def wait_caught_up(client: TestClient, timeout: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        state = client.get("/api/health").json()
        if state["lag"] == 0 and not state["building"]:
            return state
        assert time.monotonic() < deadline, f"the node did not catch up: {state}"
        time.sleep(0.05)


def test_a_new_node_serves_at_once_while_it_builds(writer: Library, tmp_path: Path) -> None:
    node = open_library(settings=settings(tmp_path, "fresh"))
    node._following = True  # as follow() does: the engine opens without catching up
    engine = node.engine
    queries = ["通知", "甲00007号", "乡村振兴", "督促检查"]
    with engine._lock:  # a long build holds the engine: requests must not wait for it
        client = TestClient(create_app(node.settings, node))
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:  # four first requests at once
            answers = list(pool.map(lambda q: client.get("/api/search", params={"q": q}), queries))
        assert time.monotonic() - started < 5
        assert [a.status_code for a in answers] == [200] * 4
        assert all(a.json()["total"] == 0 for a in answers)  # nothing indexed yet: an honest empty answer
        state = client.get("/api/health").json()
        assert state["position"] == 0 and state["store_position"] == writer.store.last_seq() == state["lag"]
        assert state["building"] and state["status"] == "building"
        assert client.get("/api/suggest", params={"q": "第7批"}).status_code == 200
    wait_caught_up(client)
    assert client.get("/api/search", params={"q": "甲00007号"}).json()["total"] == 1
    assert client.get("/api/search", params={"q": "通知"}).json()["total"] == 40
    node.close()


def test_suggestions_follow_new_and_deleted_titles(writer: Library, tmp_path: Path) -> None:
    node = open_library(settings=settings(tmp_path, "node"))
    client = TestClient(create_app(node.settings, node))
    wait_caught_up(client)

    def titles(prefix: str) -> list[str]:
        return [s["text"] for s in client.get("/api/suggest", params={"q": prefix}).json()["suggestions"]]

    assert not titles("第77批")
    [added] = writer.ingest(write_notices(tmp_path / "later", range(77, 78))).documents
    wait_caught_up(client)
    assert notice(77).splitlines()[0] in titles("第77批")
    assert client.get("/api/search", params={"q": "甲00077号"}).json()["total"] == 1
    writer.delete(added.id)
    wait_caught_up(client)
    assert not titles("第77批")
    assert client.get("/api/search", params={"q": "甲00077号"}).json()["total"] == 0
    node.close()


def test_a_search_never_waits_for_a_sync(writer: Library, tmp_path: Path) -> None:
    node = open_library(settings=settings(tmp_path, "node"))
    client = TestClient(create_app(node.settings, node))
    wait_caught_up(client)
    with node.engine._lock:  # the follower is (as if) applying a big batch
        started = time.monotonic()
        assert client.get("/api/search", params={"q": "甲00003号"}).json()["total"] == 1
        assert time.monotonic() - started < 2
    node.close()


def test_the_node_reports_its_position_and_the_log_is_compacted(writer: Library, tmp_path: Path) -> None:
    node = open_library(settings=settings(tmp_path, "node"))
    follower = Follower(node.engine)
    follower.step(check=True)
    [(_name, position, _seen, _info)] = [p for p in writer.store.node_positions() if p[0] == follower.state.node]
    assert position == writer.store.last_seq() == 40
    # every index that applied changes is a node (the writer's too): all are at 40, so the log went
    assert writer.store.compacted_seq() == 40 and writer.store.changes_since(40) == []
    assert len(writer.store.node_positions()) == 2
    # a node that was never here starts below the compacted log: it builds from the documents
    late = SearchEngine(writer.store, tmp_path / "index-late")
    assert late.index.applied_seq() == 40 and late.index.num_docs() == 40
    late.close()
    node.close()


def test_the_node_name_is_kept_with_its_index(tmp_path: Path) -> None:
    names: list[str] = []
    threads = [threading.Thread(target=lambda: names.append(_name(tmp_path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(names)) == 1 and names[0]


def _name(path: Path) -> str:
    from sucai.search.index import node_name

    return node_name(path)


def test_state_writes_from_many_threads_at_once_do_not_collide(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "index")
    failures: list[BaseException] = []

    def write(seq: int) -> None:
        try:
            for i in range(30):
                index._write_state(seq * 100 + i)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert index.applied_seq() % 100 == 29
    assert sorted(p.name for p in index.path.iterdir() if p.name.startswith(STATE_FILE)) == [STATE_FILE]


class _CommitDuringReload:
    """Stands in for an index's main reader: reloads it, then lets another process's index commit, so the
    commit lands between this process's reader reload and its reading of the position (the race in reload)."""

    def __init__(self, inner: Any, commit: Callable[[], None]) -> None:
        self.inner, self.commit = inner, commit

    def reload(self) -> None:
        self.inner.reload()
        self.commit()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _notice(doc_id: int) -> Document:
    return Document(id=doc_id, title=f"第{doc_id}号通知", blocks=[Block("paragraph", f"第{doc_id}号通知的正文。")])


def test_a_commit_racing_a_reload_is_never_recorded_as_seen(tmp_path: Path) -> None:
    """Two processes' views of one index folder: a commit that lands while this one reloads is either seen
    by its readers or left unrecorded, so the follower's next check reloads and finds it (never skipped)."""
    here, other = SearchIndex(tmp_path / "index"), SearchIndex(tmp_path / "index")

    def commit(doc_id: int) -> None:
        with other.writers() as writers:
            other.add(writers, _notice(doc_id))
            other.commit(writers, doc_id)

    commit(1)
    here.reload()
    assert (here.loaded_seq, here.num_docs()) == (1, 1)
    real = here.main
    here.main = _CommitDuringReload(real, lambda: commit(2))  # type: ignore[assignment]
    try:
        here.reload()
    finally:
        here.main = real
    seen = here.num_docs()  # read at once: tantivy's own reload on commit comes only after a delay
    assert here.loaded_seq < 2 or seen == 2, "recorded position 2 while the readers hold the index before it"
    if here.applied_seq() != here.loaded_seq:  # the follower's check (SearchEngine.sync)
        here.reload()
    assert (here.loaded_seq, here.num_docs()) == (2, 2)
