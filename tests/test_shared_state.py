"""State shared by processes and nodes, decided in the store (SQLite and PostgreSQL): rate limits, leases,
the daily download quota, sessions, API tokens, drafts, upload jobs. Races use separate connections in
threads and separate processes, started together."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backends import backend_url  # noqa: F401 - a fixture
from sucai.errors import EditConflict, NotFound
from sucai.store import open_store
from sucai.store.base import Store

THREADS = 30
PROCESSES = 2
PER_PROCESS = 15


@pytest.fixture
def stores(backend_url: str) -> Iterator[Callable[[], Store]]:  # noqa: F811
    opened: list[Store] = []

    def open_() -> Store:
        store = open_store(backend_url)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


# -- racing -------------------------------------------------------------------------------------------
WORKER = textwrap.dedent(
    """
    import sys, threading, time
    from sucai.store import open_store
    url, threads, start, what = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    stores = [open_store(url) for _ in range(max(1, threads // 3))]  # three threads a store (a pool each)
    wins = []
    def go(store):
        while time.time() < start:
            time.sleep(0.001)
        if what == "limit":
            wins.append(store.hit_limits([("race", 3600, 7)]) is None)
        else:
            user = store.user("racer").id
            wins.append(store.take_download(user, [1], "txt", time.strftime("%Y-%m-%dT%H:%M:%S+00:00"), 7)
                        is not None)
    ts = [threading.Thread(target=go, args=(stores[i % len(stores)],)) for i in range(threads)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print(sum(wins))
    """
)


def race(url: str, stores: Callable[[], Store], what: str, attempt: Callable[[Store], bool]) -> int:
    """THREADS threads here (each its own connection) and PROCESSES processes of PER_PROCESS threads, all
    starting at one moment; returns how many attempts won."""
    start = time.time() + 3.0  # room for the processes to start and connect
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, url, str(PER_PROCESS), str(start), what],
                         stdout=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    # Three threads a store: each thread still has a connection of its own (the store's pool), while the
    # connections of 60 racers stay well under the server's max_connections (100 by default).
    mine = [stores() for _ in range(THREADS // 3)]
    wins: list[bool] = []

    def go(store: Store) -> None:
        while time.time() < start:
            time.sleep(0.001)
        wins.append(attempt(store))

    threads = [threading.Thread(target=go, args=(mine[i % len(mine)],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(wins)
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        total += int(out.strip())
    return total


def test_racing_hits_never_pass_a_limit(backend_url: str, stores: Callable[[], Store]) -> None:  # noqa: F811
    stores()  # migrated before the race
    won = race(backend_url, stores, "limit", lambda s: s.hit_limits([("race", 3600, 7)]) is None)
    assert won == 7  # 60 attempts at once: exactly the limit got through
    assert stores().hit_limits([("race", 3600, 7)]) is not None


def test_racing_downloads_never_pass_the_quota(backend_url: str, stores: Callable[[], Store]) -> None:  # noqa: F811
    store = stores()
    user = store.add_user("racer", "free", "h")
    at = _iso(datetime.now(UTC))

    won = race(backend_url, stores, "download",
               lambda s: s.take_download(user.id, [1], "txt", _iso(datetime.now(UTC)), 7) is not None)
    assert won == 7
    assert store.downloads_on(user.id, at[:10]) == 7


# -- rate limits and leases ----------------------------------------------------------------------------
def test_a_limit_counts_per_window_and_says_when_to_retry(stores: Callable[[], Store]) -> None:
    one, other = stores(), stores()  # two processes' worth of connections on one library
    now = 60 * 20_000 + 20.0  # 20 s into a minute window
    assert one.hit_limits([("k", 60, 2)], now=now) is None
    assert other.hit_limits([("k", 60, 2)], now=now) is None
    assert one.hit_limits([("k", 60, 2)], now=now) == 40  # the window ends 40 s later
    assert other.hit_limits([("other", 60, 2)], now=now) is None  # another key has its own count
    # a sliding window: at the next window's start the last 60 s still hold both hits; half-way, one
    assert one.hit_limits([("k", 60, 2)], now=now + 40) is not None
    assert one.hit_limits([("k", 60, 2)], now=now + 70) is None
    assert one.hit_limits([("k", 60, 2)], now=now + 70) is not None
    assert one.hit_limits([("k", 60, 2)], now=now + 160) is None  # two windows later: room again


def test_a_burst_across_a_window_boundary_cannot_pass_twice_the_limit(stores: Callable[[], Store]) -> None:
    store = stores()
    end = 60 * 30_000.0  # a window boundary
    passed = sum(store.hit_limits([("burst", 60, 5)], now=end - 1) is None for _ in range(8))
    passed += sum(store.hit_limits([("burst", 60, 5)], now=end + 1) is None for _ in range(8))
    assert passed == 5


def test_several_limits_are_counted_all_or_none(stores: Callable[[], Store]) -> None:
    store = stores()
    now = 5_000_000.0
    assert store.hit_limits([("full", 60, 1)], now=now) is None
    assert store.hit_limits([("a", 60, 5), ("full", 60, 1)], now=now) is not None
    # "a" was not counted by the refused call: five more fit
    assert all(store.hit_limits([("a", 60, 5)], now=now) is None for _ in range(5))
    assert store.hit_limits([("a", 60, 5)], now=now) is not None
    store.unhit_limits([("a", 60)], now=now)
    assert store.hit_limits([("a", 60, 5)], now=now) is None
    store.clear_limit("full")
    assert store.hit_limits([("full", 60, 1)], now=now) is None
    assert store.hit_limits([("zero", 60, 0)], now=now) is not None  # a limit of 0 refuses everything


def test_a_lease_has_one_holder_until_released_or_run_out(stores: Callable[[], Store]) -> None:
    one, other = stores(), stores()
    assert one.acquire_lease("check:1", "a", 60, now=100.0)
    assert not other.acquire_lease("check:1", "b", 60, now=110.0)
    assert other.acquire_lease("check:2", "b", 60, now=110.0)  # another account's check
    other.release_lease("check:1", "b")  # not b's to release
    assert not other.acquire_lease("check:1", "b", 60, now=120.0)
    assert other.acquire_lease("check:1", "b", 60, now=161.0)  # a's process died: its lease ran out
    other.release_lease("check:1", "b")
    assert one.acquire_lease("check:1", "a", 60, now=162.0)


# -- downloads -----------------------------------------------------------------------------------------
def test_a_zip_costs_one_per_document_all_or_nothing(stores: Callable[[], Store]) -> None:
    store = stores()
    user = store.add_user("z", "free", "h")
    at = "2024-06-01T10:00:00+00:00"
    assert store.take_download(user.id, [1, 2], "docx", at, 3) is not None
    assert store.take_download(user.id, [3, 4], "docx", at, 3) is None  # one left, two asked: none spent
    assert store.downloads_on(user.id, "2024-06-01") == 2
    third = store.take_download(user.id, [3], "docx", at, 3)
    assert third is not None and store.downloads_on(user.id, "2024-06-01") == 3
    store.cancel_download(third)  # could not be delivered: given back
    assert store.downloads_on(user.id, "2024-06-01") == 2
    assert store.take_download(user.id, [5], "docx", "2024-06-02T00:00:01+00:00", 3) is not None  # a new day
    assert store.take_download(user.id, list(range(50)), "docx", at, None) is not None  # unlimited


# -- sessions and tokens ---------------------------------------------------------------------------------
def test_sessions_end_by_logout_password_change_or_expiry(stores: Callable[[], Store]) -> None:
    store, node2 = stores(), stores()
    alice = store.add_user("alice", "member", "h")
    later = _iso(datetime.now(UTC) + timedelta(days=14))
    for secret in ("s1", "s2", "s3"):
        store.add_session(alice.id, secret, later)
    store.add_session(alice.id, "old", _iso(datetime.now(UTC) - timedelta(seconds=1)))
    assert node2.session_user("s1") == alice and node2.session_user("old") is None
    store.end_session("s1")
    assert node2.session_user("s1") is None  # on every node at once
    store.set_password_hash("alice", "h2", keep_session="s2")
    assert node2.session_user("s2") == alice and node2.session_user("s3") is None
    listed = {s.live for s in store.sessions(alice.id)}
    assert listed == {True, False} and sum(s.live for s in store.sessions(alice.id)) == 1
    assert store.end_sessions(alice.id) == 1 and node2.session_user("s2") is None


def test_tokens_expire_are_revoked_and_record_their_use(stores: Callable[[], Store]) -> None:
    store, node2 = stores(), stores()
    alice = store.add_user("alice", "member", "h")
    forever = store.add_token(alice.id, "t-forever")
    soon = store.add_token(alice.id, "t-soon", _iso(datetime.now(UTC) + timedelta(days=90)))
    store.add_token(alice.id, "t-gone", _iso(datetime.now(UTC) - timedelta(seconds=1)))
    assert node2.user_by_token("t-forever") == alice == node2.user_by_token("t-soon")
    assert node2.user_by_token("t-gone") is None
    assert store.token(forever).last_used is not None and store.token(soon).expires_at is not None
    store.revoke_token(soon)
    assert node2.user_by_token("t-soon") is None
    bob = store.add_user("bob", "free", "h")
    with pytest.raises(NotFound):
        store.revoke_token(forever, user_id=bob.id)  # not bob's
    with pytest.raises(NotFound):
        store.revoke_token(424242)
    listed = {t.id: t for t in store.tokens(alice.id)}
    assert len(listed) == 3 and listed[forever].live and not listed[soon].live
    assert listed[soon].revoked_at is not None


def test_tokens_of_an_older_library_keep_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sucai.store.sql as sql
    from sucai.store.schema import MIGRATIONS

    path = str(tmp_path / "old.db")
    monkeypatch.setattr(sql, "MIGRATIONS", MIGRATIONS[:6])  # a library from before migration 7
    old = open_store(path)
    with old.transaction() as cur:  # type: ignore[attr-defined]  # rows as the old schema holds them
        cur.execute("INSERT INTO users (name, tier, password_hash, created_at) VALUES ('alice', 'member', 'h',"
                    " '2024-01-01') RETURNING id")
        alice_id = cur.fetchone()[0]
        cur.execute("INSERT INTO tokens (token_hash, user_id, created_at) VALUES ('t-old', ?, '2024-01-01')",
                    (alice_id,))
        cur.execute("INSERT INTO downloads (user_id, doc_ids, fmt, at) VALUES (?, '[1]', 'txt', ?)",
                    (alice_id, _iso(datetime.now(UTC))))
    old.close()
    monkeypatch.undo()
    new = open_store(path)
    alice = new.user("alice")
    try:
        assert new.user_by_token("t-old") == alice
        [info] = new.tokens(alice.id)
        assert info.expires_at is None and info.live
        assert new.downloads_on(alice.id, _iso(datetime.now(UTC))[:10]) == 1  # today's count carried over
    finally:
        new.close()


# -- drafts and jobs ---------------------------------------------------------------------------------------
def test_concurrent_appends_keep_every_paragraph(stores: Callable[[], Store]) -> None:
    store = stores()
    alice = store.add_user("alice", "member", "h")
    draft = store.save_draft(alice.id, None, "稿", "同志们：\n\n")
    writers = [stores() for _ in range(10)]
    threads = [threading.Thread(target=w.append_draft, args=(alice.id, draft, f"第{i}段。"))
               for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _title, body, version = store.draft_state(alice.id, draft)
    lines = body.split("\n")
    assert lines[0] == "同志们：" and sorted(lines[1:]) == sorted(f"第{i}段。" for i in range(10))
    assert version == 11


def test_a_stale_full_save_is_refused(stores: Callable[[], Store]) -> None:
    store = stores()
    alice = store.add_user("alice", "member", "h")
    draft = store.save_draft(alice.id, None, "稿", "")
    _t, _b, loaded = store.draft_state(alice.id, draft)
    assert store.append_draft(alice.id, draft, "加入的段落。") == loaded + 1
    with pytest.raises(EditConflict) as conflict:
        store.update_draft(alice.id, draft, "稿", "旧页面的全文", loaded)
    assert conflict.value.current == loaded + 1
    assert store.draft(alice.id, draft)[1] == "加入的段落。"
    assert store.update_draft(alice.id, draft, "稿", "加入的段落。\n新写的。", loaded + 1) == loaded + 2
    with pytest.raises(NotFound):
        store.update_draft(alice.id + 1, draft, "偷改", "", loaded + 2)


def test_job_progress_is_seen_from_another_connection(stores: Callable[[], Store]) -> None:
    store, node2 = stores(), stores()
    store.add_job("j1", "admin", ["a.txt", "b.txt"], 2)
    store.update_job("j1", 1, "a.txt")
    row = node2.job("j1")
    assert row is not None and (row.done, row.current, row.finished) == (1, "a.txt", False)
    store.update_job("j1", 2, "b.txt", finished=True, report='{"documents": []}')
    store.update_job("j1", 1, "late heartbeat")  # a finished job stays as it ended
    row = node2.job("j1")
    assert row is not None and row.finished and row.done == 2 and row.report == '{"documents": []}'
    assert node2.job("nope") is None
