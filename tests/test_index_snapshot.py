"""A new node copies a running peer's index over HTTP and follows the change log from the copy's position.

Real `sucai serve` processes on free ports over one store (a SQLite file; a PostgreSQL schema when
SUCAI_TEST_PG is set): the new node answers as its peer does, the route is for nodes only, a hostile tar is
refused before anything lands in the index folder, and a peer that is down leaves the node to build its
own index from the store.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from backends import backend_url  # noqa: F401 - a fixture
from conftest import project_documents
from scale_helpers import stop, write_notices
from sucai import access
from sucai.library import Library, open_library
from sucai.search import snapshot as snapshot_module
from sucai.search.engine import SearchEngine
from sucai.search.index import FORMAT, STATE_FILE, node_name
from sucai.search.snapshot import (
    HOLD_PREFIX,
    SnapshotRefused,
    fetch_snapshot,
    index_is_empty,
    take_snapshot,
    unpack_snapshot,
)
from sucai.settings import Settings
from sucai.store import open_store
from sucai.web.nodes import NODE_REQUESTS
from web_helpers import PASSWORD, build_library, make_client, signed_client

SECRET = "a-node-secret-shared-by-the-nodes"
QUERIES = ["主题教育", "安全生产", "乡村振兴", "同志们", "title:报告", "营商环境 -调研"]


# -- running nodes -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Node:
    """One `sucai serve` process; its output goes to a file shown when a check fails."""

    def __init__(self, proc: subprocess.Popen[bytes], url: str, index: Path, log: Path) -> None:
        self.proc, self.url, self.index, self.log = proc, url, index, log

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)

    def health(self) -> dict[str, Any]:
        return dict(self.get("/api/health").json())

    def totals(self, headers: dict[str, str] | None = None) -> dict[str, int]:
        return {q: int(self.get("/api/search", params={"q": q}, headers=headers).json()["total"]) for q in QUERIES}

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serving(db: str, index: Path, *args: str, **env: str) -> Iterator[Node]:
    port = free_port()
    log = index.with_name(index.name + ".log")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SUCAI_")}
    environ.update(SUCAI_INDEX=str(index), SUCAI_SECRET="test-secret", SUCAI_LIMIT_SEARCH_GUEST="none",
                   SUCAI_LIMIT_SEARCH_ACCOUNT="none", **env)
    command = [sys.executable, "-m", "sucai", "serve", "--db", db, "--port", str(port), *args]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, env=environ, stdout=out, stderr=subprocess.STDOUT)
    node = Node(proc, f"http://127.0.0.1:{port}", index, log)
    try:
        wait_for(lambda: _answers(node), 60, "the node to answer", node)
        yield node
    finally:
        stop(proc)


def _answers(node: Node) -> bool:
    if node.proc.poll() is not None:
        raise AssertionError(f"the node exited ({node.proc.returncode}):\n{node.output()}")
    try:
        return node.get("/api/health").status_code == 200
    except httpx.TransportError:
        return False


def wait_for(check: Callable[[], bool], timeout: float, what: str, node: Node | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s" + (f":\n{node.output()}" if node else ""))
        time.sleep(0.1)


def caught_up(node: Node) -> bool:
    state = node.health()
    return bool(state["lag"] == 0 and not state["building"] and state["position"] > 0)


def segments(index: Path) -> set[str]:
    """The segments of the main index: a copy has its peer's, a build makes new ones."""
    meta = json.loads((index / "main" / "meta.json").read_text(encoding="utf-8"))
    return {s["segment_id"] for s in meta["segments"]}


@pytest.fixture
def writer(backend_url: str, tmp_path: Path) -> Iterator[Library]:  # noqa: F811
    """A CLI-like process that stored the project's documents (and a member) in the library both nodes serve."""
    lib = open_library(settings=Settings(db=backend_url, index_dir=tmp_path / "index-writer", secret_key="s"))
    report = lib.ingest(project_documents())
    assert report.documents and not report.failed
    lib.add_user("member", "member", PASSWORD, "2099-12-31")
    yield lib
    lib.close()


# -- (a) a new node from a running peer ----------------------------------------------------------------
def test_a_new_node_copies_its_peer_and_follows_from_there(writer: Library, tmp_path: Path) -> None:
    member = {"Authorization": f"Bearer {writer.new_token('member')}"}
    db = writer.settings.db
    with serving(db, tmp_path / "index-a", SUCAI_NODE_SECRET=SECRET) as a:
        wait_for(lambda: caught_up(a), 60, "node A to build its index", a)
        with serving(db, tmp_path / "index-b", SUCAI_NODE_SECRET=SECRET, SUCAI_INDEX_FROM=a.url) as b:
            assert segments(b.index) == segments(a.index), "B built its own index instead of copying A's"
            assert b.health()["position"] == a.health()["position"] > 0
            assert b.totals() == a.totals() and b.totals(member) == a.totals(member)
            assert a.totals()["主题教育"] > 0

            added = writer.ingest(write_notices(tmp_path / "later", range(1, 6))).documents
            assert len(added) == 5
            wait_for(lambda: caught_up(b) and b.health()["position"] == writer.store.last_seq(), 30,
                     "B to follow the changes after the snapshot", b)
            assert b.get("/api/search", params={"q": "甲00003号"}).json()["total"] == 1
            wait_for(lambda: caught_up(a) and a.health()["position"] == writer.store.last_seq(), 30, "A", a)
            assert b.totals() == a.totals() and b.totals(member) == a.totals(member)
            assert not (a.index / ".snapshots").exists() or not any((a.index / ".snapshots").iterdir())


def test_serve_index_from_with_workers_copies_once_for_all_of_them(tmp_path: Path) -> None:
    lib = build_library(tmp_path)
    lib.close()
    db = str(tmp_path / "lib.db")
    with serving(db, tmp_path / "index-a", SUCAI_NODE_SECRET=SECRET) as a:
        wait_for(lambda: caught_up(a), 60, "node A to build its index", a)
        with serving(db, tmp_path / "index-b", "--workers", "2", "--index-from", a.url,
                     SUCAI_NODE_SECRET=SECRET) as b:
            assert segments(b.index) == segments(a.index)
            assert f"copied the index from {a.url}" in b.output()
            assert not [p.name for p in b.index.iterdir() if p.name.startswith(".unpack-")]
            for _ in range(4):  # answered by either worker
                assert b.totals() == a.totals()


def test_serve_help_names_the_option() -> None:
    done = subprocess.run([sys.executable, "-m", "sucai", "serve", "--help"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, check=True)
    assert "--index-from" in done.stdout and "SUCAI_NODE_SECRET" in done.stdout


# -- (d) a peer that is down -----------------------------------------------------------------------------
def test_a_node_whose_peer_is_down_builds_from_the_store(writer: Library, tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    with serving(writer.settings.db, tmp_path / "index-b", SUCAI_NODE_SECRET=SECRET, SUCAI_INDEX_FROM=down) as b:
        wait_for(lambda: caught_up(b), 60, "B to build its index from the store", b)
        assert b.health()["documents"] == writer.store.count_documents()
        assert b.totals() == {q: writer.search(q, viewer=access.GUEST).total for q in QUERIES}
        assert "could not copy the index" in b.output() and down in b.output()


# -- consistency while the peer writes ------------------------------------------------------------------------
def test_a_snapshot_outlives_the_commits_and_merges_after_it(tmp_path: Path) -> None:
    """The snapshot is staged in an instant and streamed later: meanwhile the peer commits, merges and deletes
    the files it no longer uses, and the stream still carries the index as it was."""
    settings = Settings(db=str(tmp_path / "lib.db"), index_dir=tmp_path / "index", secret_key="s")
    node = open_library(settings=settings)
    node.ingest(write_notices(tmp_path / "first", range(1, 31)))
    other = open_library(settings=settings)  # another engine on the same folder, as another worker would be
    snapshot = take_snapshot(node.engine)
    staged = {name for name, _size in snapshot.members}
    for n in range(100, 160, 4):  # sixteen commits: new segments, merges, deletions, garbage collection
        added = other.ingest(write_notices(tmp_path / f"later{n}", range(n, n + 4))).documents
        other.delete(added[0].id)
    assert any(not (settings.index_dir / name).exists() for name in staged - {STATE_FILE}), "nothing was replaced"
    copy = tmp_path / "copy"
    assert unpack_snapshot(io.BytesIO(b"".join(snapshot.chunks())), copy) == snapshot.position == 30
    follower = open_library(settings=Settings(db=settings.db, index_dir=copy, secret_key="s"))
    for q in ("通知", "甲00005号", "甲00101号", "甲00100号", "乡村振兴"):  # caught up from the copy's position
        assert follower.search(q).total == other.search(q).total
    for lib in (follower, other, node):
        lib.close()


# -- (b) the route is for nodes only ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("snapshot"))
    yield library
    library.close()


@pytest.mark.parametrize("who", [None, "member"])
def test_without_a_node_secret_the_route_does_not_exist(lib: Library, who: str | None) -> None:
    client = signed_client(lib, who, node_secret=None)
    token = {"Authorization": f"Bearer {lib.new_token(who)}"} if who else {}
    unknown = client.get("/api/no-such-route")
    for headers in ({}, token, {"Authorization": f"Bearer {SECRET}"}):
        answer = client.get("/api/index/snapshot", headers=headers)
        assert answer.status_code == 404 and answer.json() == unknown.json()


@pytest.mark.parametrize("who", [None, "member", "admin"])
def test_a_wrong_or_missing_secret_is_refused(lib: Library, who: str | None) -> None:
    client = signed_client(lib, who, node_secret=SECRET)  # a session cookie too, for an account
    token = {"Authorization": f"Bearer {lib.new_token(who)}"} if who else {}
    for headers in ({}, token, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {SECRET}"},
                    {"Authorization": SECRET}, {"Authorization": f"Bearer {SECRET}x"}):
        answer = client.get("/api/index/snapshot", headers=headers)
        assert answer.status_code == 401, headers
        assert set(answer.json()) == {"error"} and "node" in answer.json()["error"]
        assert "x-sucai-position" not in answer.headers


def test_the_secret_opens_a_snapshot_that_unpacks_into_an_index(lib: Library, tmp_path: Path) -> None:
    client = make_client(lib, node_secret=SECRET)
    answer = client.get("/api/index/snapshot", headers={"Authorization": f"Bearer {SECRET}"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-tar"
    assert int(answer.headers["x-sucai-position"]) == lib.engine.index.applied_seq() > 0
    assert int(answer.headers["content-length"]) == len(answer.content)
    names = tarfile.open(fileobj=io.BytesIO(answer.content)).getnames()
    assert STATE_FILE in names and "node" not in names and not [n for n in names if "lock" in n]
    target = tmp_path / "copy"
    assert unpack_snapshot(io.BytesIO(answer.content), target) == lib.engine.index.applied_seq()
    assert sorted(p.name for p in target.iterdir()) == ["lookup", "main", "paid_lookup", STATE_FILE]
    assert not any((lib.engine.index.path / ".snapshots").iterdir())  # the staged links went with the stream


def test_an_index_not_yet_built_gives_no_snapshot(tmp_path: Path) -> None:
    empty = open_library(settings=Settings(db=str(tmp_path / "empty.db"), secret_key="s", node_secret=SECRET))
    answer = make_client(empty).get("/api/index/snapshot", headers={"Authorization": f"Bearer {SECRET}"})
    assert answer.status_code == 503 and "built" in answer.json()["error"] and answer.headers["retry-after"]
    empty.close()


# -- (c) hostile tars --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def genuine(lib: Library) -> bytes:
    return b"".join(take_snapshot(lib.engine).chunks())


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return out.getvalue()


def _members(data: bytes) -> list[tuple[tarfile.TarInfo, bytes]]:
    found = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            content = tar.extractfile(member)
            assert content is not None
            found.append((tarfile.TarInfo(member.name), content.read()))
    return found


def _with(genuine: bytes, info: tarfile.TarInfo, data: bytes = b"x") -> bytes:
    """The genuine snapshot with one more member just before its state file (so that some of it is unpacked
    before the refusal)."""
    members = _members(genuine)
    return _tar([*members[:-1], (info, data), members[-1]])


def _link(name: str, kind: bytes, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def _other_format(genuine: bytes) -> bytes:
    members = _members(genuine)
    state = json.dumps({"format": FORMAT + 1, "seq": 5}).encode()
    return _tar([(i, state if i.name == STATE_FILE else d) for i, d in members])


def _position_zero(genuine: bytes) -> bytes:
    members = _members(genuine)
    state = json.dumps({"format": FORMAT, "seq": 0}).encode()
    return _tar([(i, state if i.name == STATE_FILE else d) for i, d in members])


def _directory(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info


def _negative_size(_genuine: bytes) -> bytes:
    """A header whose size is a GNU base-256 number below zero (it would slip past a size limit)."""
    header = bytearray(tarfile.TarInfo("main/meta.json").tobuf(tarfile.GNU_FORMAT))
    header[124:136] = b"\xff" * 12
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header)
    return bytes(header) + b"x" * 512 + b"\0" * 1024


HOSTILE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "dot-dot": (lambda g: _with(g, tarfile.TarInfo("../evil")), "'..'"),
    "dot-dot-inside": (lambda g: _with(g, tarfile.TarInfo("main/../../evil")), "'..'"),
    "absolute": (lambda g: _with(g, tarfile.TarInfo("/tmp/sucai-evil")), "absolute path"),
    "symlink": (lambda g: _with(g, _link("main/evil", tarfile.SYMTYPE, "/etc/passwd")), "link"),
    "symlink-over-state": (lambda g: _tar([(_link(STATE_FILE, tarfile.SYMTYPE, "/etc/passwd"), b"")]), "link"),
    "hard-link": (lambda g: _with(g, _link("main/evil", tarfile.LNKTYPE, "state.json")), "link"),
    "directory": (lambda g: _with(g, _directory("main/sub")), "regular file"),
    "other-name": (lambda g: _with(g, tarfile.TarInfo("main/evil.sh")), "layout"),
    "node-name": (lambda g: _with(g, tarfile.TarInfo("node")), "layout"),
    "twice": (lambda g: _with(g, tarfile.TarInfo("main/meta.json")), "twice"),
    "other-format": (_other_format, "format"),
    "position-zero": (_position_zero, "not a finished index"),
    "truncated": (lambda g: g[: len(g) // 2], "truncated"),
    "missing-file": (lambda g: _tar([m for m in _members(g) if not m[0].name.endswith(".pos")]), "lacks"),
    "negative-size": (_negative_size, "negative size"),
    "not-a-tar": (lambda g: b"<html>502 Bad Gateway</html>" + b"\0" * 1024, "tar header"),
}


@pytest.mark.parametrize("target_exists", [False, True], ids=["absent", "empty"])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_tar_is_refused_and_leaves_the_target_untouched(
    genuine: bytes, tmp_path: Path, case: str, target_exists: bool
) -> None:
    make, reason = HOSTILE[case]
    folder = tmp_path / "deep" / "nodes"
    target = folder / "index"
    folder.mkdir(parents=True)
    if target_exists:
        target.mkdir()
    with pytest.raises(SnapshotRefused, match=reason):
        unpack_snapshot(io.BytesIO(make(genuine)), target)
    assert sorted(p.name for p in folder.iterdir()) == (["index"] if target_exists else [])
    assert not target_exists or not any(target.iterdir())
    assert not (tmp_path / "deep" / "evil").exists() and not Path("/tmp/sucai-evil").exists()


def test_a_tar_larger_than_the_limit_is_refused(genuine: bytes, tmp_path: Path) -> None:
    with pytest.raises(SnapshotRefused, match="larger than the limit"):
        unpack_snapshot(io.BytesIO(genuine), tmp_path / "index", max_bytes=len(genuine) // 2)
    assert not (tmp_path / "index").exists()
    assert unpack_snapshot(io.BytesIO(genuine), tmp_path / "index", max_bytes=len(genuine)) > 0


def test_an_index_is_never_overwritten(genuine: bytes, tmp_path: Path) -> None:
    target = tmp_path / "index"
    position = unpack_snapshot(io.BytesIO(genuine), target)
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*")}
    with pytest.raises(SnapshotRefused, match="not empty"):
        unpack_snapshot(io.BytesIO(genuine), target)
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*")} == before
    shutil.rmtree(target / "main")  # even a damaged one: the follower repairs it, a snapshot never lands on it
    with pytest.raises(SnapshotRefused, match="not empty"):
        unpack_snapshot(io.BytesIO(genuine), target)
    assert json.loads((target / STATE_FILE).read_text())["seq"] == position


def test_the_position_must_be_the_one_the_peer_announced(genuine: bytes, tmp_path: Path) -> None:
    with pytest.raises(SnapshotRefused, match="peer said"):
        unpack_snapshot(io.BytesIO(genuine), tmp_path / "index", position=10**9)
    assert not (tmp_path / "index").exists()


def test_guessing_the_secret_is_cut_short(tmp_path: Path) -> None:
    """Past NODE_REQUESTS from one address every request is refused, the right secret too: a refusal then
    says nothing of whether a guess was right."""
    library = build_library(tmp_path)
    try:
        client = make_client(library, node_secret=SECRET)
        answers = [client.get("/api/index/snapshot", headers={"Authorization": f"Bearer guess{n}"}).status_code
                   for n in range(NODE_REQUESTS.count)]
        assert answers == [401] * NODE_REQUESTS.count
        for secret in ("guess-more", SECRET):
            answer = client.get("/api/index/snapshot", headers={"Authorization": f"Bearer {secret}"})
            assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 0
            assert "x-sucai-position" not in answer.headers
    finally:
        library.close()


# -- a busy peer ---------------------------------------------------------------------------------------------
@contextmanager
def busy_then_ready(
    snapshot: bytes, position: int, busy: int, meanwhile: Callable[[], object] | None = None
) -> Iterator[tuple[str, list[int]]]:
    """A peer on a free port that answers 503 with Retry-After: 1 to its first `busy` requests (as a peer
    building or committing does), then the snapshot; yields its URL and the statuses it gave. `meanwhile`
    runs once, before the first answer: what the rest of the library does while the new node waits."""
    answered: list[int] = []

    class Peer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if meanwhile is not None and not answered:
                meanwhile()
            ready = len(answered) >= busy
            answered.append(200 if ready else 503)
            body = snapshot if ready else json.dumps({"error": "索引正在写入"}).encode()
            self.send_response(answered[-1])
            self.send_header("Content-Length", str(len(body)))
            self.send_header(*(("X-Sucai-Position", str(position)) if ready else ("Retry-After", "1")))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", answered
    finally:
        server.shutdown()
        server.server_close()


def test_a_busy_peer_is_asked_again_after_the_wait_it_names(lib: Library, tmp_path: Path) -> None:
    """A 503 with Retry-After (the peer is committing or building) is asked again, not taken as a reason to
    build the whole index from the store; the copy then serves what the peer serves."""
    taken = take_snapshot(lib.engine)
    data, position = b"".join(taken.chunks()), taken.position
    settings = Settings(db=lib.settings.db, index_dir=tmp_path / "index-new", secret_key="s",
                        node_secret=SECRET, index_from="")
    with busy_then_ready(data, position, busy=2) as (url, answered):
        started = time.monotonic()
        assert fetch_snapshot(replace(settings, index_from=url))
        assert answered == [503, 503, 200] and time.monotonic() - started >= 2
    copy = open_library(settings=replace(settings, index_from=""))
    try:
        assert copy.engine.index.loaded_seq == position
        assert copy.search("主题教育", viewer=access.GUEST).total == lib.search("主题教育", viewer=access.GUEST).total
    finally:
        copy.close()


def test_the_change_log_is_held_while_a_new_node_copies_its_peer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a new node waits for and copies its peer's index, the other nodes go on ingesting, applying and
    compacting the change log. The log is held where it was, so the copy then applies the changes since its
    position rather than being built again from the store (minutes at 90M characters)."""
    (tmp_path / "peer").mkdir()
    peer = build_library(tmp_path / "peer", documents=project_documents()[:3])
    taken = take_snapshot(peer.engine)
    data, position = b"".join(taken.chunks()), taken.position
    later = tmp_path / "later.txt"
    text = "关于复制索引期间变更日志保留的说明\n\n新节点复制索引时，其余节点继续入库与压缩日志。"
    later.write_text(text, encoding="utf-8")

    def other_nodes_go_on() -> None:
        assert peer.ingest([later]).documents
        peer.engine.sync()  # applies the new document and reports its position past the copy's
        peer.store.compact_changes()

    target = tmp_path / "index-new"
    settings = Settings(db=peer.settings.db, index_dir=target, secret_key="s", node_secret=SECRET)
    own_store = open_store(peer.settings.db)  # the new node's own connection, as its process would have
    try:
        with busy_then_ready(data, position, busy=1, meanwhile=other_nodes_go_on) as (url, answered):
            assert fetch_snapshot(replace(settings, index_from=url), own_store)
        assert answered == [503, 200]
        assert peer.store.last_seq() > position  # the library moved on meanwhile ...
        assert peer.store.compacted_seq() <= position  # ... but its log was not compacted past the copy
        nodes = {name: seq for name, seq, _seen, _info in peer.store.node_positions()}
        assert nodes[node_name(target)] == position and not any(n.startswith(HOLD_PREFIX) for n in nodes)
    finally:
        own_store.close()
    monkeypatch.setattr(SearchEngine, "rebuild", lambda *a, **k: pytest.fail("the copy was built again"))
    copy = open_library(settings=settings)
    try:
        assert copy.engine.index.loaded_seq == peer.store.last_seq()
        assert copy.search("复制索引期间", viewer=access.GUEST).total == 1
        assert copy.search("主题教育").total == peer.search("主题教育").total
    finally:
        copy.close()
        peer.close()


def test_a_peer_busy_for_longer_than_the_wait_leaves_the_node_to_build(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_module, "BUSY_WAIT_S", 2.5)
    target = tmp_path / "index-new"
    settings = Settings(db=lib.settings.db, index_dir=target, secret_key="s", node_secret=SECRET)
    with busy_then_ready(b"", 1, busy=100) as (url, answered):
        started = time.monotonic()
        assert not fetch_snapshot(replace(settings, index_from=url))
        waited = time.monotonic() - started
    assert set(answered) == {503} and len(answered) >= 2  # asked again, then gave up within the wait
    assert waited < 2.5 + 5
    assert index_is_empty(target)  # nothing half-unpacked: the follower builds it from the store
