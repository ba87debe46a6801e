"""Bulk writes on PostgreSQL: rows sent many at a time arrive exactly, and merging the fingerprint log
beside other writers loses no fingerprint.

A merge that copied the log and then emptied it in a second statement would also delete rows another
writer committed between the two, unmerged: the originality check would then never find that text. The
interleaving is forced: the other writer holds a row the merge must wait for, and commits its own log
rows while the merge waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pg_helpers import pg_schema
from sucai.compose.phrases import Phrase
from sucai.ingest.pipeline import ALREADY_INGESTED
from sucai.library import open_library
from sucai.settings import Settings
from sucai.store import open_store
from sucai.store.base import Fingerprint
from sucai.store.postgres import PostgresStore
from test_changelog_pg import doc, file

pytestmark = pytest.mark.postgres


@pytest.fixture
def store() -> Iterator[tuple[PostgresStore, str]]:
    with pg_schema("fm") as url:
        found = open_store(url)
        assert isinstance(found, PostgresStore)
        try:
            yield found, url
        finally:
            found.close()


def _fingerprints_of(store: PostgresStore, doc_id: int) -> int:
    rows = store._rows(
        "SELECT (SELECT COUNT(*) FROM fingerprints WHERE doc_id = ?) + (SELECT COUNT(*) FROM fingerprint_log"
        " WHERE doc_id = ?)", (doc_id, doc_id),
    )
    return int(rows[0][0])


def _waiting_merge(url: str, timeout: float = 10.0) -> None:
    """Until the merge's statement waits for a lock (the other writer's uncommitted row)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as watch:
        while time.monotonic() < deadline:
            row = watch.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE '%fingerprint_log%' AND pid <> pg_backend_pid()"
            ).fetchone()
            if row and row[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the merge never waited for the other writer")


def test_rows_committed_while_a_merge_runs_are_kept(store: tuple[PostgresStore, str]) -> None:
    lib, url = store
    prints = [Fingerprint(hash=1_000 + i, pos=i) for i in range(50)]
    [first] = lib.add_file(file("first"), [doc(1)], [prints])
    [second] = lib.add_file(file("second"), [doc(2)], [[]])
    with psycopg.connect(url) as other:  # another writer, its transaction open
        # A row the merge will insert too: the merge waits for this transaction to end.
        other.execute("INSERT INTO fingerprints (hash, doc_id, pos, scope) VALUES (1000, %s, 0, 3)", (first,))
        other.execute(
            "INSERT INTO fingerprint_log (hash, doc_id, pos, scope) SELECT 5000 + n, %s, n, 3"
            " FROM generate_series(0, 39) AS n", (second,),
        )
        merging = threading.Thread(target=lib.merge_fingerprints)
        merging.start()
        _waiting_merge(url)
        other.commit()  # its 40 log rows are committed while the merge is under way
    merging.join(30)
    assert not merging.is_alive()
    assert _fingerprints_of(lib, first) == 50
    assert _fingerprints_of(lib, second) == 40  # none deleted unmerged
    lib.merge_fingerprints()
    assert _fingerprints_of(lib, second) == 40
    assert lib._rows("SELECT COUNT(*) FROM fingerprint_log")[0][0] == 0


def test_a_logged_key_stored_already_ends_with_both_scopes(store: tuple[PostgresStore, str]) -> None:
    """The merge inserts plainly when no logged key is stored yet; a key that is (here: the free-text scope
    stored, the whole-text scope logged) makes it merge again with the conflict handling: nothing is lost,
    nothing doubled, the key ends with the union of its scopes and the log is empty."""
    lib, url = store
    [doc_id] = lib.add_file(file("scoped"), [doc(4)], [[Fingerprint(hash=7_000 + i, pos=i) for i in range(30)]])
    lib.merge_fingerprints()
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("UPDATE fingerprints SET scope = 2 WHERE doc_id = %s AND pos = 0", (doc_id,))
        other.execute("INSERT INTO fingerprint_log (hash, doc_id, pos, scope) VALUES (7000, %s, 0, 1)", (doc_id,))
        other.execute(
            "INSERT INTO fingerprint_log (hash, doc_id, pos, scope) SELECT 8000 + n, %s, 100 + n, 3"
            " FROM generate_series(0, 19) AS n", (doc_id,),
        )
    assert lib.merge_fingerprints() == 21
    rows = lib._rows("SELECT hash, pos, scope FROM fingerprints WHERE doc_id = ? ORDER BY pos", (doc_id,))
    assert len(rows) == 50 and (7000, 0, 3) in [(int(h), int(p), int(c)) for h, p, c in rows]
    assert lib._rows("SELECT COUNT(*) FROM fingerprint_log")[0][0] == 0


def test_rows_written_many_at_a_time_arrive_exactly(store: tuple[PostgresStore, str]) -> None:
    lib, _url = store
    texts = ['{"引号", 逗号}', "反斜杠\\ 与 \\N", "NULL", "", "制表\t换行\n", "单引号'", "一" * 500]
    phrases = [Phrase(text=t, kind="quote", doc_id=None, block=1) for t in texts * 2]
    prints = [Fingerprint(hash=(-1) ** i * (2**62 + i), pos=i, scope=1 + i % 3) for i in range(40)]
    [doc_id] = lib.add_file(file("bulk"), [doc(3)], [prints], [phrases])
    stored = lib._rows("SELECT text, block, kind, paid FROM phrases WHERE doc_id = ? ORDER BY id", (doc_id,))
    assert [row[0] for row in stored] == texts * 2
    assert {(row[1], row[2], row[3]) for row in stored} == {(1, "quote", 0)}
    lib.merge_fingerprints()
    rows = lib._rows("SELECT hash, pos, scope FROM fingerprints WHERE doc_id = ? ORDER BY pos", (doc_id,))
    assert [(int(h), int(p), int(s)) for h, p, s in rows] == [(f.hash, f.pos, f.scope) for f in prints]


def test_a_big_batch_stored_on_several_threads_is_reported_in_order(tmp_path: Path) -> None:
    """PostgreSQL stores a batch on two threads: every file still has its fate, in the order given."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(90):  # 80 texts; the last 10 files are copies of the first 10 in another encoding
        body = f"第{n % 80}号材料：扎实推进第{n % 80}项重点任务，确保各项措施落地见效。" * 3
        text = f"第{n % 80}号通知\n\n{body}\n"
        (folder / f"{n:03d}.txt").write_bytes(text.encode("utf-8" if n < 80 else "gb18030"))
    (folder / "091.txt").write_bytes(b"")  # no text
    (folder / "092.txt").write_bytes((folder / "000.txt").read_bytes())  # the same bytes as 000.txt
    with pg_schema("fb") as url, open_library(settings=Settings(db=url, index_dir=tmp_path / "index")) as lib:
        report = lib.ingest([folder])
        assert [Path(d.source).name for d in report.documents] == [f"{n:03d}.txt" for n in range(90)]
        assert sum(d.duplicate_of is not None for d in report.documents) == 10
        assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
            ("091.txt", "empty file"), ("092.txt", ALREADY_INGESTED)]
        assert not report.failed
        assert lib.search("重点任务").total == 80  # one per body: copies are not results of their own
