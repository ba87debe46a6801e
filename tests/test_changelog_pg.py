"""The change log under concurrent writers on PostgreSQL: a follower never skips a change.

Writers are interleaved deterministically on separate connections (each thread of a PostgresStore has its
own, and a second store is a second client), committing out of the order in which they started.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from pg_helpers import pg_schema
from sucai.model import Block, Document
from sucai.search.engine import SearchEngine
from sucai.store import StoredFile, open_store
from sucai.store.changelog import HOLD_PREFIX, HOLD_STALE, ChangesCompacted, number_changes
from sucai.store.postgres import PostgresStore

pytestmark = pytest.mark.postgres


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def doc(n: int, body: str | None = None) -> Document:
    text = body or f"第{n}号文件要求扎实推进第{n}项重点任务。"
    blocks = [Block("title", f"第{n}号通知"), Block("paragraph", text)]
    return Document(id=None, title=blocks[0].text, blocks=blocks, source=f"{n}.txt", body_sha256=_sha(text))


def file(name: str) -> StoredFile:
    return StoredFile(origin=f"{name}.txt", sha256=_sha(name), data=name.encode(), fmt="txt")


@pytest.fixture
def url() -> Iterator[str]:
    with pg_schema("cl") as found:
        yield found


@pytest.fixture
def stores(url: str) -> Iterator[tuple[PostgresStore, PostgresStore]]:
    a, b = open_store(url), open_store(url)
    assert isinstance(a, PostgresStore) and isinstance(b, PostgresStore)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


class Follower:
    """Reads the log as an index would: from its position, and checks every read is gap-free."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store
        self.position = 0
        self.seen: list[int] = []

    def poll(self) -> list[int]:
        changes = self.store.changes_since(self.position)
        seqs = [c.seq for c in changes]
        assert seqs == list(range(self.position + 1, self.position + 1 + len(seqs))), "a gap in what was read"
        if changes:
            self.position = changes[-1].seq
        self.seen += [c.doc_id for c in changes]
        return [c.doc_id for c in changes]


def test_a_writer_that_started_first_and_commits_last_is_not_skipped(stores: tuple[PostgresStore, ...]) -> None:
    a, b = stores
    follower = Follower(b)
    with a.transaction():  # A stores its file first...
        [first] = a.add_file(file("a"), [doc(1)], [[]])
        [second] = b.add_file(file("b"), [doc(2)], [[]])  # ...B stores and commits while A is still open
        assert follower.poll() == [second]
        assert b.last_seq() == follower.position
    assert follower.poll() == [first]  # A's commit comes after the follower passed B: it is still read
    assert sorted(follower.seen) == sorted([first, second])


def test_a_writer_holding_the_next_number_makes_the_next_wait(stores: tuple[PostgresStore, ...]) -> None:
    a, b = stores
    follower = Follower(b)
    done = threading.Event()
    ids: list[int] = []

    def other_writer() -> None:
        ids.extend(b.add_file(file("b"), [doc(2)], [[]]))
        done.set()

    with a.transaction() as cur:
        [first] = a.add_file(file("a"), [doc(1)], [[]])
        number_changes(cur, [(first, "add")])  # A has numbered a change and not committed yet
        writer = threading.Thread(target=other_writer)
        writer.start()
        assert not done.wait(0.5), "B was numbered while A held the counter"
        assert follower.poll() == [] and b.last_seq() == 0  # nothing visible: nothing to skip later
    writer.join(10)
    assert done.is_set()
    assert follower.poll() == [first, first, ids[0]]  # A's two changes, then B's, in commit order


def test_a_rolled_back_writer_leaves_no_hole(stores: tuple[PostgresStore, ...]) -> None:
    a, b = stores
    follower = Follower(b)
    with pytest.raises(RuntimeError), a.transaction():
        a.add_file(file("a"), [doc(1)], [[]])
        raise RuntimeError("the file failed half-way")
    [kept] = b.add_file(file("b"), [doc(2)], [[]])
    assert follower.poll() == [kept] and follower.position == 1


def test_many_writers_in_random_order_never_show_a_gap(stores: tuple[PostgresStore, ...]) -> None:
    a, b = stores
    follower = Follower(b)
    rng = random.Random(11)
    stored: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(w: int) -> None:
        store = a if w % 2 else b
        for i in range(12):
            with store.transaction():
                ids = store.add_file(file(f"w{w}-{i}"), [doc(w * 100 + i)], [[]])
                time.sleep(rng.random() / 50)  # commit late, after others that began later
            with lock:
                stored.extend(ids)

    def follow() -> None:
        while not stop.is_set():
            follower.poll()

    reader = threading.Thread(target=follow)
    reader.start()
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    reader.join()
    follower.poll()
    assert sorted(follower.seen) == sorted(stored) and len(stored) == 48


def test_an_index_following_out_of_order_commits_ends_with_every_document(
    stores: tuple[PostgresStore, ...], tmp_path: Path
) -> None:
    a, b = stores
    engine = SearchEngine(b, tmp_path / "index")
    with a.transaction():
        a.add_file(file("a"), [doc(1, "先开始后提交的文件写道：乡村振兴。")], [[]])
        b.add_file(file("b"), [doc(2, "后开始先提交的文件写道：乡村振兴。")], [[]])
        engine.sync()
        assert engine.search("乡村振兴").total == 1
    engine.sync()
    assert engine.search("乡村振兴").total == 2
    engine.close()


def test_compaction_waits_for_every_live_node(stores: tuple[PostgresStore, ...]) -> None:
    a, _b = stores
    ids = [a.add_file(file(f"f{i}"), [doc(i)], [[]])[0] for i in range(5)]
    assert a.compact_changes() == 0  # no node has reported: nothing is known to be applied
    a.report_position("node-1", 5)
    a.report_position("node-2", 3)
    assert a.compact_changes() == 3 and a.compacted_seq() == 3
    assert [c.doc_id for c in a.changes_since(3)] == ids[3:]
    with pytest.raises(ChangesCompacted):
        a.changes_since(2)  # a node this far behind must rebuild, not read on
    assert a.last_seq() == 5  # the newest number survives compaction


def test_a_hold_left_by_a_killed_copy_stops_holding_after_an_hour(stores: tuple[PostgresStore, ...]) -> None:
    """A new node killed while it copied a peer's index leaves its hold on the log: it holds for HOLD_STALE,
    not for the two days a silent node does."""
    a, _b = stores
    for i in range(4):
        a.add_file(file(f"h{i}"), [doc(i)], [[]])
    a.report_position("node-1", 4)
    a.report_position(f"{HOLD_PREFIX}host-1234", 1, "holds the change log while it copies a peer's index")
    assert a.compact_changes() == 1 and a.compacted_seq() == 1  # held at the copy's position
    a.report_position("node-2", 2)
    over_an_hour = (datetime.now(UTC) - HOLD_STALE - timedelta(minutes=1)).replace(microsecond=0).isoformat()
    with a.transaction() as cur:
        cur.execute("UPDATE nodes SET seen_at = ? WHERE name <> 'node-1'", (over_an_hour,))
    # the hold no longer holds; node-2, silent as long, still does (a node holds for NODE_STALE)
    assert a.compact_changes() == 1 and a.compacted_seq() == 2


def test_a_dropped_connection_costs_no_request(stores: tuple[PostgresStore, ...], url: str) -> None:
    a, _b = stores
    [kept] = a.add_file(file("a"), [doc(1)], [[]])
    pids = {int(a._rows("SELECT pg_backend_pid()")[0][0]) for _ in range(3)}
    with psycopg.connect(url, autocommit=True) as admin:
        for pid in pids:  # the server drops the store's connections (a restart, a failover, an idle timeout)
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    assert a.document(kept).title == "第1号通知"  # the pool noticed the dead connection and made a new one
    assert int(a._rows("SELECT pg_backend_pid()")[0][0]) not in pids
    assert a.count_documents() == 1
