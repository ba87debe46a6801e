"""One suite for every Store backend: SQLite always, PostgreSQL when SUCAI_TEST_PG names a server."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from pg_helpers import PG_URL, pg_unavailable, with_search_path
from sucai.errors import NotFound, StoreError
from sucai.model import Block, Document, OutlineItem, Placeholder, Removal, Repair
from sucai.store import Change, Fingerprint, FingerprintHit, StoredFile, open_store
from sucai.store.cursor import Cursor
from sucai.store.postgres import PostgresStore, to_pyformat
from sucai.store.schema import MIGRATIONS
from sucai.store.sql import SqlStore
from sucai.store.sqlite import SqliteStore

Opener = Callable[[], SqlStore]


# -- backends ------------------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens stores on one library (a file, or a fresh PostgreSQL schema); closes them all afterwards."""
    opened: list[SqlStore] = []
    if request.param == "sqlite":
        url = str(tmp_path / "lib.db")
    else:
        reason = pg_unavailable()
        if reason:
            pytest.skip(reason)
        schema = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        url = with_search_path(PG_URL, schema)

    def open_() -> SqlStore:
        store = open_store(url)
        assert isinstance(store, SqliteStore if request.param == "sqlite" else PostgresStore)
        opened.append(store)
        return store

    try:
        yield open_
    finally:
        for store in opened:
            store.close()
        if request.param == "postgres":
            with psycopg.connect(PG_URL, autocommit=True) as admin:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def store(opener: Opener) -> SqlStore:
    return opener()


# -- sample data ---------------------------------------------------------------------------------------
def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_doc(n: int, body: str | None = None, title: str | None = None) -> Document:
    body = body or f"要深刻认识第{n}项工作的重要意义，xx同志在会上作了部署。"
    blocks = [
        Block("title", title or f"关于第{n}项工作的研讨发言"),
        Block("salutation", "同志们："),
        Block("heading", "一、提高政治站位", level=1),
        Block("paragraph", body),
        Block("heading", "（一）扑下身子真抓实干。", level=2, paid=True),
        Block("paragraph", "会员可见的段落，100%落实。", paid=True),
        Block("closing", "发言完毕，不妥之处请批评指正。"),
    ]
    return Document(
        id=None, title=blocks[0].text, blocks=blocks, source=f"files/{n}.txt", year=2023,
        genre="研讨交流发言", tags=["主题教育", "以学铸魂"],
        outline=[OutlineItem(1, "一、提高政治站位", 2), OutlineItem(2, "扑下身子真抓实干", 4)],
        placeholders=[Placeholder("xx", 3, body.index("xx"), body.index("xx") + 2)],
        removed=[Removal("ad-contact", "关注公众号获取更多")], repairs=[Repair("主T", "主题", 2)],
        source_sha256=_sha(f"source {n}"), body_sha256=_sha(body),
    )


def make_file(name: str) -> StoredFile:
    data = name.encode() + b"\x00\xff\xfe raw bytes \xe4\xb8\xad"  # not UTF-8: kept as bytes, as given
    return StoredFile(origin=f"inbox/{name}.txt", sha256=_sha(name), data=data, fmt="txt")


def prints(base: int, count: int = 3) -> list[Fingerprint]:
    return [Fingerprint(hash=base + i, pos=i * 7) for i in range(count)]


def block_rows(store: SqlStore, doc_id: int) -> int:
    """How many blocks the document owns in storage (a duplicate owns none)."""
    with store.transaction() as cur:
        cur.execute("SELECT layout FROM bodies WHERE doc_id = ?", (doc_id,))
        row = cur.fetchone()
        return len(json.loads(row[0])["kind"]) if row else 0


def _count(cur: Cursor) -> int:
    row = cur.fetchone()
    assert row is not None
    return int(row[0])


# -- files and documents -------------------------------------------------------------------------------
def test_add_file_round_trips_documents(store: SqlStore) -> None:
    docs = [make_doc(1), make_doc(2)]
    ids = store.add_file(make_file("a"), docs, [prints(100), prints(200)])
    assert len(ids) == 2 and ids[0] < ids[1]
    for doc_id, given in zip(ids, docs, strict=True):
        got = store.document(doc_id)
        assert got.id == doc_id and got.duplicate_of is None and got.created_at
        assert got.blocks == given.blocks  # order, kinds, levels, paid flags
        for name in ("title", "source", "year", "genre", "tags", "outline", "placeholders", "removed",
                     "repairs", "source_sha256", "body_sha256"):
            assert getattr(got, name) == getattr(given, name), name
    assert [d.id for d in store.documents([ids[1], 999_999, ids[0]])] == [ids[1], ids[0]]
    assert [d.id for d in store.iter_documents(batch=1)] == ids
    total, summaries = store.list_documents()
    assert total == 2 and [s.id for s in summaries] == ids[::-1]
    assert summaries[0].chars == docs[1].chars and summaries[0].tags == docs[1].tags
    assert store.count_documents() == 2
    [stored] = list(store.files())
    assert stored == make_file("a") and isinstance(stored.data, bytes)


def test_document_texts_give_what_search_shows_of_each_document(store: SqlStore) -> None:
    plain, spaced = make_doc(1), make_doc(2, body="要深刻认识 第2项工作……的重要意义，xx同志。")
    ids = store.add_file(make_file("a"), [plain, spaced], [prints(1), prints(2)])
    texts = store.document_texts([ids[1], 999_999, ids[0]])  # in the order asked, unknown ids left out
    assert [t.id for t in texts] == [ids[1], ids[0]]
    for text, doc in zip(texts, [spaced, plain], strict=True):
        assert (text.title, text.year, text.genre) == (doc.title, doc.year, doc.genre)
        assert [text.block(i) for i in range(len(text))] == [b.text for b in doc.blocks]
        assert list(text.paid) == [b.paid for b in doc.blocks] and list(text.kinds) == [b.kind for b in doc.blocks]
    assert texts[0].shifts and not texts[1].shifts  # a space and an ellipsis move offsets when normalised
    assert not texts[1].shown(0, include_paid=True)  # the title block repeats the title
    assert texts[1].shown(3, include_paid=False) and not texts[1].shown(5, include_paid=False)


def test_unknown_document_is_not_found(store: SqlStore) -> None:
    with pytest.raises(NotFound):
        store.document(424242)
    with pytest.raises(NotFound):
        store.delete_document(424242)
    assert store.documents([]) == []


def test_has_file(store: SqlStore) -> None:
    assert not store.has_file(_sha("a"))
    store.add_file(make_file("a"), [make_doc(1)], [prints(1)])
    assert store.has_file(_sha("a")) and not store.has_file(_sha("b"))


class Boom(Exception):
    pass


class ExplodingPrints(Sequence[Fingerprint]):
    """A fingerprint list that fails half-way through being read."""

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        raise Boom("fingerprinting failed")

    def __iter__(self) -> Iterator[Fingerprint]:
        yield Fingerprint(1, 0)
        raise Boom("fingerprinting failed")


@pytest.mark.parametrize("bad", ["raises", "out_of_range"])
def test_add_file_is_one_transaction(store: SqlStore, bad: str) -> None:
    second: Sequence[Fingerprint] = ExplodingPrints() if bad == "raises" else [Fingerprint(2**64, 0)]
    docs = [make_doc(1), make_doc(2), make_doc(3)]
    with pytest.raises((Boom, OverflowError, psycopg.DataError)):
        store.add_file(make_file("a"), docs, [prints(10), second, prints(30)])
    assert not store.has_file(_sha("a"))
    assert store.list_documents(include_duplicates=True)[0] == 0
    assert store.changes_since(0) == [] and store.last_seq() == 0
    assert store.lookup_fingerprints([10, 11, 12]) == []
    assert store.find_body(make_doc(1).body_sha256) is None
    # the store is still usable, and the same file can be stored whole afterwards
    ids = store.add_file(make_file("a"), docs, [prints(10), [], prints(30)])
    assert store.count_documents() == 3 and len(ids) == 3


def test_duplicates_point_at_the_original(store: SqlStore) -> None:
    [original] = store.add_file(make_file("a"), [make_doc(1)], [prints(100)])
    twin = make_doc(1, title="另一个标题")  # same body, another title and source
    twin.source = "elsewhere.txt"
    dup, other = store.add_file(make_file("b"), [twin, make_doc(2)], [prints(100), prints(200)])
    assert store.document(dup).duplicate_of == original
    assert store.document(other).duplicate_of is None
    assert block_rows(store, dup) == 0 and block_rows(store, original) == len(make_doc(1).blocks)
    read = store.document(dup)
    assert read.blocks == store.document(original).blocks and read.title == "另一个标题"
    assert read.source == "elsewhere.txt"
    assert {h.doc_id for h in store.lookup_fingerprints([100, 101])} == {original}
    assert store.find_body(twin.body_sha256) == original
    assert store.count_documents() == 2
    assert store.list_documents(include_duplicates=True)[0] == 3
    assert [d.id for d in store.iter_documents()] == [original, other]
    assert [(s.id, o) for s, o in store.duplicates()] == [(dup, original)]
    assert store.originals_of([original, dup, other, 999_999]) == {dup: original}
    assert [c.doc_id for c in store.changes_since(0)] == [original, other]  # a duplicate is not indexed


def test_duplicate_within_one_file(store: SqlStore) -> None:
    first, second = store.add_file(make_file("a"), [make_doc(1), make_doc(1)], [prints(1), prints(1)])
    assert store.document(second).duplicate_of == first
    assert store.document(second).blocks == make_doc(1).blocks


def test_delete_logs_and_removes(store: SqlStore) -> None:
    keep, gone = store.add_file(make_file("a"), [make_doc(1), make_doc(2)], [prints(100), prints(200)])
    store.delete_document(gone)
    with pytest.raises(NotFound):
        store.document(gone)
    assert store.lookup_fingerprints([200, 201]) == [] and block_rows(store, gone) == 0
    log = [(c.doc_id, c.op) for c in store.changes_since(0)]
    assert log == [(keep, "add"), (gone, "add"), (gone, "delete")]
    assert [d.id for d in store.iter_documents()] == [keep]


def test_delete_original_hands_over_to_oldest_duplicate(store: SqlStore) -> None:
    [original] = store.add_file(make_file("a"), [make_doc(1)], [prints(100)])
    [older] = store.add_file(make_file("b"), [make_doc(1, title="副本一")], [prints(100)])
    [younger] = store.add_file(make_file("c"), [make_doc(1, title="副本二")], [prints(100)])
    seq = store.last_seq()
    store.delete_document(original)
    heir = store.document(older)
    assert heir.duplicate_of is None and heir.title == "副本一" and heir.blocks == make_doc(1).blocks
    assert store.document(younger).duplicate_of == older
    assert store.document(younger).blocks == make_doc(1).blocks
    assert {h.doc_id for h in store.lookup_fingerprints([100, 101, 102])} == {older}
    assert store.find_body(make_doc(1).body_sha256) == older
    assert [(c.doc_id, c.op) for c in store.changes_since(seq)] == [(original, "delete"), (older, "add")]
    assert [d.id for d in store.iter_documents()] == [older]


def test_deleted_ids_are_never_reused(store: SqlStore) -> None:
    [first] = store.add_file(make_file("a"), [make_doc(1)], [prints(1)])
    store.delete_document(first)
    [second] = store.add_file(make_file("b"), [make_doc(2)], [prints(2)])
    assert second > first  # downloads and traces name documents by id


def test_replace_file_documents(store: SqlStore) -> None:
    [old] = store.add_file(make_file("a"), [make_doc(1)], [prints(100)])
    seq = store.last_seq()
    new = store.replace_file_documents(_sha("a"), [make_doc(2), make_doc(3)], [prints(200), prints(300)])
    assert new[0] == old  # re-parsing keeps a document's id: links, downloads and traces still name it
    assert [d.id for d in store.iter_documents()] == new
    assert store.document(old).body_sha256 == make_doc(2).body_sha256
    assert [(c.doc_id, c.op) for c in store.changes_since(seq)] == [(old, "add"), (new[1], "add")]
    seq = store.last_seq()
    assert store.replace_file_documents(_sha("a"), [make_doc(4)], [prints(400)]) == [old]
    assert [(c.doc_id, c.op) for c in store.changes_since(seq)] == [(old, "add"), (new[1], "delete")]
    assert [d.id for d in store.iter_documents()] == [old]
    with pytest.raises(NotFound):
        store.replace_file_documents(_sha("nope"), [], [])


def test_changes_since_in_order(store: SqlStore) -> None:
    ids = [store.add_file(make_file(f"f{i}"), [make_doc(i)], [prints(i * 10)])[0] for i in range(5)]
    store.delete_document(ids[2])
    changes = store.changes_since(0)
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)
    assert len({c.seq for c in changes}) == 6 and store.last_seq() == changes[-1].seq
    assert [(c.doc_id, c.op) for c in changes] == [(i, "add") for i in ids] + [(ids[2], "delete")]
    assert store.changes_since(changes[3].seq) == changes[4:]
    assert store.changes_since(0, limit=2) == changes[:2]
    assert store.changes_since(store.last_seq()) == []
    assert all(isinstance(c, Change) for c in changes)


def test_threads_share_one_store(store: SqlStore) -> None:
    # web routes are plain defs on a thread pool: one store, many threads
    def work(t: int) -> list[int]:
        ids = []
        for i in range(8):
            ids += store.add_file(make_file(f"t{t}-{i}"), [make_doc(t * 100 + i)], [prints(t * 100 + i)])
            assert store.document(ids[-1]).blocks == make_doc(t * 100 + i).blocks
        return ids

    with ThreadPoolExecutor(4) as pool:
        ids = [i for chunk in pool.map(work, range(4)) for i in chunk]
    assert len(set(ids)) == 32 and store.count_documents() == 32 and len(store.changes_since(0)) == 32


# -- fingerprints --------------------------------------------------------------------------------------
def test_lookup_fingerprints(store: SqlStore) -> None:
    extremes = [Fingerprint(-(2**63), 0), Fingerprint(2**63 - 1, 5), Fingerprint(-1, 9)]
    many = [Fingerprint(h, h % 97) for h in range(10_000, 11_200)]  # more hashes than one IN (...) list
    a, b = store.add_file(make_file("a"), [make_doc(1), make_doc(2)], [extremes + many, [Fingerprint(-1, 3)]])
    hits = store.lookup_fingerprints([2**63 - 1, -1, -1, 424242, -(2**63)])
    assert sorted(hits, key=lambda h: (h.hash, h.doc_id)) == [
        FingerprintHit(-(2**63), a, 0), FingerprintHit(-1, a, 9), FingerprintHit(-1, b, 3),
        FingerprintHit(2**63 - 1, a, 5),
    ]
    assert len(store.lookup_fingerprints([f.hash for f in many])) == len(many)
    assert store.lookup_fingerprints([]) == []
    assert store.fingerprint_bytes() > 0


# -- users, tokens, downloads, drafts, meta ----------------------------------------------------------------
def test_users(store: SqlStore) -> None:
    alice = store.add_user("alice", "member", "hash-a", expires="2030-01-01")
    assert (alice.name, alice.tier, alice.expires) == ("alice", "member", "2030-01-01") and alice.created_at
    bob = store.add_user("鲍勃", "free", "hash-b")
    assert [u.name for u in store.users()] == ["alice", "鲍勃"]
    assert store.user_by_id(bob.id) == bob and store.user("alice") == alice
    with pytest.raises(StoreError, match="already exists"):
        store.add_user("alice", "free", "x")
    with pytest.raises(StoreError, match="unknown tier"):
        store.add_user("carol", "platinum", "x")
    with pytest.raises(StoreError):
        store.add_user("  ", "free", "x")
    with pytest.raises(StoreError, match="unknown tier"):
        store.set_tier("alice", "platinum")
    with pytest.raises(NotFound):
        store.set_tier("nobody", "svip")
    with pytest.raises(NotFound):
        store.user("nobody")
    with pytest.raises(NotFound):
        store.user_by_id(424242)
    assert store.set_tier("alice", "svip").tier == "svip" and store.user("alice").expires is None
    assert store.password_hash("alice") == "hash-a" and store.password_hash("nobody") is None
    store.set_password_hash("alice", "hash-a2")
    assert store.password_hash("alice") == "hash-a2"


def test_tokens(store: SqlStore) -> None:
    alice = store.add_user("alice", "member", "h")
    store.add_token(alice.id, "token-hash-1")
    store.add_token(alice.id, "token-hash-2")
    assert store.user_by_token("token-hash-1") == alice == store.user_by_token("token-hash-2")
    assert store.user_by_token("unknown") is None


def test_downloads_counted_by_utc_day(store: SqlStore) -> None:
    alice, bob = store.add_user("alice", "member", "h"), store.add_user("bob", "member", "h")
    first = store.record_download(alice.id, [1, 2], "docx", "2024-05-01T00:00:00+00:00")
    second = store.record_download(alice.id, [3], "txt", "2024-05-01T23:59:59+00:00")
    store.record_download(alice.id, [3], "md", "2024-05-02T00:00:00+00:00")
    store.record_download(bob.id, [3], "md", "2024-05-01T12:00:00+00:00")
    assert second > first
    assert store.downloads_on(alice.id, "2024-05-01") == 3  # one per document: [1, 2] and [3]
    assert store.downloads_on(alice.id, "2024-05-02") == 1
    assert store.downloads_on(alice.id, "2024-04-30") == 0
    assert store.downloads_on(bob.id, "2024-05-01") == 1


def test_drafts_belong_to_their_user(store: SqlStore) -> None:
    alice, bob = store.add_user("alice", "member", "h"), store.add_user("bob", "member", "h")
    draft = store.save_draft(alice.id, None, "讲话稿", "同志们：")
    other = store.save_draft(alice.id, None, "心得体会", "……")
    assert store.save_draft(alice.id, draft, "讲话稿（二稿）", "同志们：今天") == draft
    assert store.draft(alice.id, draft) == ("讲话稿（二稿）", "同志们：今天")
    listed = {(i, t) for i, t, _at in store.drafts(alice.id)}
    assert listed == {(other, "心得体会"), (draft, "讲话稿（二稿）")}
    assert store.drafts(bob.id) == []
    with pytest.raises(NotFound):
        store.draft(bob.id, draft)
    with pytest.raises(NotFound):
        store.save_draft(bob.id, draft, "偷改", "")
    with pytest.raises(NotFound):
        store.delete_draft(bob.id, draft)
    assert store.draft(alice.id, draft)[0] == "讲话稿（二稿）"
    store.delete_draft(alice.id, draft)
    with pytest.raises(NotFound):
        store.draft(alice.id, draft)
    assert [i for i, _t, _at in store.drafts(alice.id)] == [other]


def test_drafts_listed_newest_first_even_within_one_second(store: SqlStore) -> None:
    alice = store.add_user("alice", "member", "h")
    ids = [store.save_draft(alice.id, None, f"稿{i}", "") for i in range(4)]
    assert [i for i, _t, _at in store.drafts(alice.id)] == ids[::-1]


def test_meta_upsert(store: SqlStore) -> None:
    assert store.meta("secret_key") is None
    store.set_meta("secret_key", "one")
    store.set_meta("secret_key", "two")
    store.set_meta("other", "值")
    assert store.meta("secret_key") == "two" and store.meta("other") == "值"


# -- opening, reopening, failing to open ----------------------------------------------------------------
def test_reopen_keeps_everything(opener: Opener) -> None:
    first = opener()
    ids = first.add_file(make_file("a"), [make_doc(1), make_doc(2)], [prints(100), prints(200)])
    alice = first.add_user("alice", "svip", "h")
    first.set_meta("k", "v")
    first.close()
    for _ in range(2):  # migrations run once: reopening twice changes nothing
        again = opener()
        assert [d.id for d in again.iter_documents()] == ids
        assert again.document(ids[0]).blocks == make_doc(1).blocks
        assert again.user("alice") == alice and again.meta("k") == "v"
        assert [h.doc_id for h in again.lookup_fingerprints([200])] == [ids[1]]
        with again.transaction() as cur:
            cur.execute("SELECT version FROM schema_migrations ORDER BY version")
            assert [r[0] for r in cur.fetchall()] == list(range(1, len(MIGRATIONS) + 1))
        again.close()


def test_non_database_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database, just some text\n" * 200)
    with pytest.raises(StoreError, match=r"notes\.db"):
        SqliteStore(path)


def test_unreachable_postgres_is_a_store_error() -> None:
    url = "postgresql://someone:s3cret@127.0.0.1:1/nowhere"
    with pytest.raises(StoreError, match=r"127\.0\.0\.1") as info:
        PostgresStore(url)
    assert "s3cret" not in str(info.value)


@pytest.mark.postgres
def test_missing_postgres_database_is_a_store_error() -> None:
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    url = PG_URL.rsplit("/", 1)[0] + f"/no_such_db_{secrets.token_hex(4)}"
    with pytest.raises(StoreError, match="no_such_db"):
        PostgresStore(url)


def test_placeholders_become_pyformat() -> None:
    assert to_pyformat("SELECT a FROM t WHERE b = ? AND c IN (?, ?)") == (
        "SELECT a FROM t WHERE b = %s AND c IN (%s, %s)"
    )
    assert to_pyformat("SELECT '100%?', \"odd?\" FROM t WHERE x LIKE ? -- why?") == (
        "SELECT '100%?', \"odd?\" FROM t WHERE x LIKE %s -- why?"
    )
    assert to_pyformat("SELECT 5 % ?") == "SELECT 5 %% %s"


# -- a writer killed mid-way (SQLite) --------------------------------------------------------------------
_WRITER = textwrap.dedent("""
    import hashlib, sys
    from sucai.model import Block, Document
    from sucai.store import Fingerprint, StoredFile
    from sucai.store.sqlite import SqliteStore

    store = SqliteStore(sys.argv[1])
    for i in range(1_000_000):
        docs, fps = [], []
        for j in range(3):
            body = f"第{i}号文件第{j}篇的正文"
            blocks = [Block("paragraph", body + "。" * k) for k in range(150)]
            sha = hashlib.sha256(body.encode()).hexdigest()
            docs.append(Document(id=None, title=body, blocks=blocks, body_sha256=sha, source_sha256=sha))
            fps.append([Fingerprint(i * 10_000 + j * 1000 + k, k) for k in range(1000)])
        store.add_file(StoredFile(f"f{i}.txt", f"file-{i}", b"x" * 2000, "txt"), docs, fps)
""")


def _stored_files(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM files").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_sqlite_writer_killed_mid_way_leaves_whole_files(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _stored_files(db) < 15 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "writer exited"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.stderr:
        proc.stderr.close()

    store = SqliteStore(db)
    try:
        with store.transaction() as cur:
            cur.execute("PRAGMA integrity_check")
            assert cur.fetchall() == [("ok",)]
            cur.execute("SELECT COUNT(*) FROM files")
            files = _count(cur)
            cur.execute("SELECT file_id, COUNT(*) FROM documents GROUP BY file_id")
            per_file = cur.fetchall()
        assert files >= 15 and len(per_file) == files
        assert all(count == 3 for _file, count in per_file)
        docs = list(store.iter_documents())
        assert len(docs) == files * 3 and all(len(d.blocks) == 150 for d in docs)
        assert len(store.lookup_fingerprints([d * 1000 + 999 for d in range(files * 10)])) == files * 3
    finally:
        store.close()


def test_sqlite_reads_do_not_wait_for_another_process_writing(tmp_path: Path) -> None:
    """A search or a page read while `sucai ingest` holds the write lock: answered at once, from before."""
    store = SqliteStore(tmp_path / "lib.db")
    [doc_id] = store.add_file(make_file("a"), [make_doc(1)], [prints(1)])
    writer = sqlite3.connect(tmp_path / "lib.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE documents SET title = 'changed' WHERE id = ?", (doc_id,))
        started = time.monotonic()
        assert store.document(doc_id).title == make_doc(1).title
        assert [t.title for t in store.document_texts([doc_id])] == [make_doc(1).title]
        assert store.count_documents() == 1
        assert time.monotonic() - started < 1  # the store's busy timeout is 30 s
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        store.close()


def test_sqlite_reads_do_not_wait_for_a_write_in_the_same_process(tmp_path: Path) -> None:
    """`serve --watch` ingests in the serving process: its pages read a snapshot from before the file's
    transaction instead of waiting for it; once it commits, the next read sees the new document."""
    store = SqliteStore(tmp_path / "lib.db")
    [first] = store.add_file(make_file("a"), [make_doc(1)], [prints(1)])
    inside, release = threading.Event(), threading.Event()

    def slow_ingest() -> list[int]:
        with store.transaction():  # what add_file does, held open as a large file would hold it
            ids = store.add_file(make_file("b"), [make_doc(2)], [prints(2)])
            assert store.count_documents() == 2  # the writer reads its own rows
            inside.set()
            release.wait(10)
            return ids

    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(slow_ingest)
        assert inside.wait(10)
        try:
            started = time.monotonic()
            assert store.count_documents() == 1
            assert store.document(first).title == make_doc(1).title
            assert len(store.document_texts([first])) == 1
            assert time.monotonic() - started < 1  # it used to wait for the writer's commit
        finally:
            release.set()
        [second] = writing.result()
    assert store.count_documents() == 2 and store.document(second).title == make_doc(2).title
    store.close()


def test_sqlite_nested_reads_join_and_writes_inside_reads_are_refused(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "lib.db")
    store.add_file(make_file("a"), [make_doc(1)], [prints(1)])
    with store.transaction(write=False) as outer:
        outer.execute("SELECT id FROM documents")
        assert store.count_documents() == 1  # a nested read, on a cursor of its own
        assert len(outer.fetchall()) == 1  # the outer cursor's rows are still there
        with pytest.raises(StoreError, match="read-only"):
            store.add_file(make_file("b"), [make_doc(2)], [prints(2)])
    assert store.count_documents() == 1
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count_documents()


# -- phrase bank (金句) ----------------------------------------------------------------------------------
FREE_RUN = "以学铸魂、以学增智、以学正风、以学促干"
PAID_RUN = "公正用权、依法用权、为民用权、廉洁用权"
ODD_QUOTE = "安全生产要做到100%落实，a_b与c\\d一个不能少"


def phrase_doc(n: int, title: str | None = None) -> Document:
    """make_doc with phrases: a parallel run and a quotation in the free part, a parallel run in the paid part."""
    doc = make_doc(n, body=f"第{n}次会议要求xx同志努力做到{FREE_RUN}。他强调：“{ODD_QUOTE}。”", title=title)
    blocks = list(doc.blocks)
    blocks[5] = Block("paragraph", f"会员段落：做到{PAID_RUN}。", paid=True)
    doc.blocks = blocks
    return doc


def phrase_rows(store: SqlStore, doc_id: int) -> int:
    with store.transaction() as cur:
        cur.execute("SELECT COUNT(*) FROM phrases WHERE doc_id = ?", (doc_id,))
        return _count(cur)


def test_phrases_are_written_with_the_document(store: SqlStore) -> None:
    [doc_id] = store.add_file(make_file("a"), [phrase_doc(1)], [prints(1)])
    total, hits = store.search_phrases("", None, include_paid=True)
    assert total == 3
    assert [(h.doc_id, h.title, h.block, h.kind, h.text) for h in hits] == [
        (doc_id, "关于第1项工作的研讨发言", 3, "parallel", FREE_RUN),
        (doc_id, "关于第1项工作的研讨发言", 3, "quote", ODD_QUOTE + "。"),
        (doc_id, "关于第1项工作的研讨发言", 5, "parallel", PAID_RUN),
    ]
    assert len({h.id for h in hits}) == 3


def test_search_phrases_filters_by_text_kind_and_paywall(store: SqlStore) -> None:
    first, second = store.add_file(make_file("a"), [phrase_doc(1), phrase_doc(2)], [prints(1), prints(2)])
    total, hits = store.search_phrases("以学", None, include_paid=True)
    assert total == 2 and [h.doc_id for h in hits] == [second, first]  # newest document first
    assert store.search_phrases("", "quote", include_paid=True)[0] == 2
    assert store.search_phrases("", "parallel", include_paid=True)[0] == 4
    assert store.search_phrases("用权", None, include_paid=True)[0] == 2
    assert store.search_phrases("用权", None, include_paid=False) == (0, [])
    free_total, free = store.search_phrases("", None, include_paid=False)
    assert free_total == 4 and PAID_RUN not in {h.text for h in free}
    total, page = store.search_phrases("", None, include_paid=True, limit=2, offset=1)
    assert total == 6 and [(h.doc_id, h.text) for h in page] == [(second, ODD_QUOTE + "。"), (second, PAID_RUN)]


@pytest.mark.parametrize(("text", "found"), [
    ("100%落实", 1), ("a_b", 1), ("A_B", 1), ("c\\d", 1),  # ASCII case ignored alike on both backends
    ("%", 1), ("_", 1), ("\\", 1),  # they occur in the quotation, literally
    ("100%%", 0), ("a%b", 0), ("以_铸魂", 0), ("以学%", 0), ("c\\%", 0), ("'; DROP TABLE phrases; --", 0),
])
def test_search_phrases_takes_the_text_literally(store: SqlStore, text: str, found: int) -> None:
    store.add_file(make_file("a"), [phrase_doc(1)], [prints(1)])
    assert store.search_phrases(text, None, include_paid=True)[0] == found
    assert store.search_phrases("", None, include_paid=True)[0] == 3  # the table is still there


def test_phrases_leave_with_their_document(store: SqlStore) -> None:
    keep, gone = store.add_file(make_file("a"), [phrase_doc(1), phrase_doc(2)], [prints(1), prints(2)])
    store.delete_document(gone)
    assert phrase_rows(store, gone) == 0 and phrase_rows(store, keep) == 3
    assert {h.doc_id for h in store.search_phrases("", None, include_paid=True)[1]} == {keep}


def test_duplicates_have_no_phrases_and_the_heir_takes_them(store: SqlStore) -> None:
    [original] = store.add_file(make_file("a"), [phrase_doc(1)], [prints(1)])
    [dup] = store.add_file(make_file("b"), [phrase_doc(1, title="副本")], [prints(1)])
    assert phrase_rows(store, dup) == 0 and store.search_phrases("", None, include_paid=True)[0] == 3
    store.delete_document(original)
    total, hits = store.search_phrases("", None, include_paid=True)
    assert total == 3 and {(h.doc_id, h.title) for h in hits} == {(dup, "副本")}
    assert phrase_rows(store, original) == 0


def test_replacing_a_files_documents_replaces_their_phrases(store: SqlStore) -> None:
    [old] = store.add_file(make_file("a"), [phrase_doc(1)], [prints(1)])
    [new] = store.replace_file_documents(_sha("a"), [make_doc(2)], [prints(2)])  # make_doc has no phrases
    assert phrase_rows(store, old) == 0 and phrase_rows(store, new) == 0
    assert store.search_phrases("", None, include_paid=True) == (0, [])
    [again] = store.replace_file_documents(_sha("a"), [phrase_doc(3)], [prints(3)])
    assert {h.doc_id for h in store.search_phrases("", None, include_paid=True)[1]} == {again}


def test_a_failed_file_leaves_no_phrases(store: SqlStore) -> None:
    with pytest.raises((Boom, OverflowError, psycopg.DataError)):
        store.add_file(make_file("a"), [phrase_doc(1), phrase_doc(2)], [prints(1), [Fingerprint(2**64, 0)]])
    assert store.search_phrases("", None, include_paid=True) == (0, [])


def test_a_library_from_before_the_phrase_bank_is_upgraded(opener: Opener, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library as migration 1 made it (rows written as that schema held them) opens under every migration since."""
    import sucai.store.sql as sql

    monkeypatch.setattr(sql, "MIGRATIONS", MIGRATIONS[:1])
    old = opener()
    doc = make_doc(1)
    with old.transaction() as cur:  # one row per block, no phrases, no fingerprint log, no free facts
        cur.execute("INSERT INTO files (origin, sha256, fmt, data, added_at) VALUES (?, ?, 'txt', ?, '2024-01-01')"
                    " RETURNING id", ("inbox/a.txt", _sha("a"), b"raw"))
        file_id = _count(cur)
        cur.execute(
            "INSERT INTO documents (file_id, ordinal, title, source, year, genre, tags, outline, placeholders,"
            " removed, repairs, source_sha256, body_sha256, chars, created_at)"
            " VALUES (?, 0, ?, ?, 2023, NULL, '[]', '[]', '[]', '[]', '[]', ?, ?, ?, '2024-01-01') RETURNING id",
            (file_id, doc.title, doc.source, _sha("a"), _sha("body-a"), doc.chars),
        )
        doc_id = _count(cur)
        cur.executemany(
            "INSERT INTO blocks (doc_id, pos, kind, level, paid, text) VALUES (?, ?, ?, ?, ?, ?)",
            [(doc_id, i, b.kind, b.level, int(b.paid), b.text) for i, b in enumerate(doc.blocks)],
        )
        cur.execute("INSERT INTO changes (doc_id, op) VALUES (?, 'add')", (doc_id,))
    old.close()
    monkeypatch.undo()
    upgraded = opener()
    assert upgraded.document(doc_id).blocks == doc.blocks  # packed into one row by migration 4
    assert [t.text for t in upgraded.document_texts([doc_id])] == ["".join(b.text for b in doc.blocks)]
    assert upgraded.search_phrases("", None, include_paid=True) == (0, [])  # filled by `sucai reindex`
    assert upgraded.last_seq() >= 1  # the change log's counter starts where the old log ended
    [new] = upgraded.add_file(make_file("b"), [phrase_doc(2)], [prints(2)])
    assert {h.doc_id for h in upgraded.search_phrases("", None, include_paid=True)[1]} == {new}
    assert upgraded.changes_since(0)[-1].doc_id == new


def test_fingerprints_are_logged_then_merged_and_found_either_way(store: SqlStore) -> None:
    from sucai.originality.fingerprint import document_fingerprints

    doc = make_doc(1, body="各级党组织要把调查研究作为基本功，xx同志深入基层一线掌握第一手材料，推动问题真正解决。")
    real = document_fingerprints(doc)
    hashes = [fp.hash for fp in real]
    [first] = store.add_file(make_file("a"), [doc], [real])

    def found() -> list[tuple[int, int, int]]:
        return sorted((h.hash, h.doc_id, h.pos) for h in store.lookup_fingerprints(hashes))

    in_log = found()
    assert in_log and {d for _h, d, _p in in_log} == {first}  # found while still in the log
    assert store.merge_fingerprints() == len(real)
    assert store.merge_fingerprints() == 0
    assert found() == in_log
    store.delete_document(first)  # merged rows are reached by their recomputed keys, not by a scan
    assert found() == []


def test_twin_originals_from_before_migration_8_are_collapsed(store: SqlStore) -> None:
    from sucai.store.originals import UNIQUE_ORIGINALS, collapse_twin_originals

    [first] = store.add_file(make_file("a"), [make_doc(1)], [prints(1)])
    [twin] = store.add_file(make_file("b"), [make_doc(1, title="同文另题")], [prints(1)])
    with store.transaction() as cur:  # as two concurrent writers could leave it before the unique index
        cur.execute("DROP INDEX documents_one_original")
        cur.execute("UPDATE documents SET duplicate_of = NULL WHERE id = ?", (twin,))
        cur.execute("INSERT INTO bodies (doc_id, layout, text) SELECT ?, layout, text FROM bodies WHERE doc_id = ?",
                    (twin, first))
    assert store.count_documents() == 2
    seq = store.last_seq()
    with store.transaction() as cur:  # what migration 8 does
        collapse_twin_originals(cur)
        cur.execute(UNIQUE_ORIGINALS)
    assert store.document(twin).duplicate_of == first and block_rows(store, twin) == 0
    assert store.count_documents() == 1 and store.find_body(make_doc(1).body_sha256) == first
    assert [(c.doc_id, c.op) for c in store.changes_since(seq)] == [(twin, "delete")]
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)), store.transaction() as cur:
        cur.execute("UPDATE documents SET duplicate_of = NULL WHERE id = ?", (twin,))  # no second original


def test_the_same_bytes_stored_again_are_refused_as_already_stored(store: SqlStore) -> None:
    from sucai.store.originals import AlreadyStored

    store.add_file(make_file("a"), [make_doc(1)], [prints(1)])
    with pytest.raises(AlreadyStored):
        store.add_file(make_file("a"), [make_doc(2)], [prints(2)])
    assert store.count_documents() == 1 and len(store.changes_since(0)) == 1
