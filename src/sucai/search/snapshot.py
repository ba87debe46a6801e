"""A finished index copied between nodes: a peer streams a consistent snapshot of its index folder as an
uncompressed tar, and a new node unpacks it and follows the change log from the snapshot's position instead
of building its whole index from the store.

    take_snapshot(engine)            the committed index, hard-linked aside under the locks no commit passes
    Snapshot.chunks()                 the tar stream of it (then the links go)
    unpack_snapshot(stream, target)   a stream treated as hostile, unpacked only into an empty folder
    fetch_snapshot(settings, store)   at a new node's start: copy SUCAI_INDEX_FROM's index, or leave it to the
                                      follower to build from the store (never fails the start); the store's
                                      change log is held meanwhile, so the copy is never compacted past

The snapshot holds member-only text (its tokens, with positions): only nodes that share SUCAI_NODE_SECRET may
ask for it (web/nodes.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import tantivy

from sucai.search.index import FORMAT, STATE_FILE, IndexBusy, new_node_name, node_name
from sucai.store.changelog import HOLD_PREFIX

if TYPE_CHECKING:
    from sucai.search.engine import SearchEngine
    from sucai.settings import Settings
    from sucai.store.base import Store

SUB_INDEXES = ("main", "lookup", "paid_lookup")
STAGING = ".snapshots"  # inside the index folder: hard links need the same file system
UNPACKING = ".unpack-"  # inside the target: a rename into it never crosses a file system (a volume's root)
STALE_S = 24 * 3600  # staged or half-unpacked snapshots left by a process that died are removed after this
MAX_SNAPSHOT_BYTES = 64 * 1024**3  # the most a peer may make us write (the index at 90M characters is ~1 GB)
MAX_MEMBERS = 100_000
CHUNK = 1024 * 1024
BLOCK = tarfile.BLOCKSIZE
FETCH_TIMEOUT_S = 30.0  # connecting, and waiting for each piece of the stream
FETCH_DEADLINE_S = 300.0  # the whole copy: past this, building from the store is faster
BUSY_WAIT_S = 60.0  # how long a new node waits, in all, for a busy peer to give its snapshot
POSITION_HEADER = "X-Sucai-Position"
SNAPSHOT_PATH = "/api/index/snapshot"
# The names a snapshot may hold: the state file, and in each sub-index its meta files and tantivy's segment
# files (`<segment id>.<component>` and `<segment id>.<opstamp>.del`). Nothing else, no folders, no links.
MEMBER_NAME = re.compile(
    rf"{re.escape(STATE_FILE)}|(?:{'|'.join(SUB_INDEXES)})/(?:meta\.json|\.managed\.json|[0-9a-f]{{32}}(?:\.\d+)?\.[a-z]{{1,16}})"
)
log = logging.getLogger("sucai.snapshot")


class NoSnapshot(Exception):
    """This node has no finished index to give now (building, empty, or a writer held it too long)."""


class SnapshotRefused(Exception):
    """A snapshot stream that must not be unpacked (or a target it must not be unpacked into); says why.
    retry_after: the peer is busy (building, committing, or asked too often) and said when to ask again."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


# -- the giving side --------------------------------------------------------------------------------
@dataclass
class Snapshot:
    """A committed index hard-linked into a folder of its own: the peer's index goes on changing (and
    tantivy deleting what it no longer uses) while this is streamed, but these links keep the files."""

    folder: Path
    position: int
    members: list[tuple[str, int]]  # name in the tar (relative to folder), size

    @property
    def size(self) -> int:
        """The bytes of the tar stream."""
        return sum(BLOCK + _padded(size) for _name, size in self.members) + 2 * BLOCK

    def chunks(self) -> Iterator[bytes]:
        """The tar, uncompressed: tantivy's files barely compress, and compressing would take the CPU the
        node serves with. The staged links are removed at the end, or when the reader goes away."""
        try:
            for name, size in self.members:
                path = self.folder / name
                yield _header(name, size, int(path.stat().st_mtime))
                with open(path, "rb") as fh:
                    left = size
                    while left:
                        data = fh.read(min(CHUNK, left))
                        if not data:
                            raise OSError(f"{name} shrank while it was sent")
                        left -= len(data)
                        yield data
                yield b"\0" * (_padded(size) - size)
            yield b"\0" * (2 * BLOCK)
        finally:
            self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def take_snapshot(engine: SearchEngine) -> Snapshot:
    """The engine's committed index, staged as hard links while no commit can happen (milliseconds); raises
    NoSnapshot when it is building, empty, or another process holds its writer for longer than we wait."""
    if engine.building:  # answered at once: waiting for the lock would mean waiting for the whole build
        raise NoSnapshot("索引尚未建成。The index is still being built.")
    root = engine.index.path
    staging = root / STAGING
    staging.mkdir(exist_ok=True)
    _remove_stale(staging, "")
    folder = Path(tempfile.mkdtemp(prefix="snap-", dir=staging))
    try:
        with engine.commits_held() as position:
            if engine.building or position == 0:
                raise NoSnapshot("索引尚未建成。The index is still being built.")
            members = _stage(root, folder)
    except IndexBusy as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise NoSnapshot("索引正在写入，请稍后再试。The index writer is busy; try again.") from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Snapshot(folder, position, members)


def _stage(root: Path, folder: Path) -> list[tuple[str, int]]:
    """Link the committed files into `folder`: per sub-index, meta.json, .managed.json and the files of the
    segments meta.json lists. Only those: a writer that crashed leaves segments no commit took, which lie
    there until the next commit's garbage collection; a new node has no use for them. .managed.json goes
    too, so that the new node's tantivy deletes these files when its merges replace them (it counts a listed
    file that is not there as deleted)."""
    members: list[tuple[str, int]] = []
    for sub in SUB_INDEXES:
        (folder / sub).mkdir()
        for name in _committed_files(root / sub):
            members.append((f"{sub}/{name}", _link_or_copy(root / sub / name, folder / sub / name)))
    members.append((STATE_FILE, _link_or_copy(root / STATE_FILE, folder / STATE_FILE)))
    return members


def _committed_files(sub: Path) -> list[str]:
    segments = _segment_ids(sub)
    files = sorted(p.name for p in sub.iterdir() if p.name.split(".", 1)[0] in segments)
    return ["meta.json", ".managed.json", *files]


def _segment_ids(sub: Path) -> set[str]:
    """The segments a sub-index's last commit lists (meta.json), as its files' names begin."""
    return {str(s["segment_id"]).replace("-", "") for s in _json(sub / "meta.json")["segments"]}


def _link_or_copy(source: Path, dest: Path) -> int:
    """A hard link (tantivy and the state file replace files by renaming, never rewrite them in place);
    a copy where the file system has no hard links. Returns the size."""
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)
    return dest.stat().st_size


def _header(name: str, size: int, mtime: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    # GNU headers: a plain 512-byte block for our short names, with room for members above 8 GiB.
    return info.tobuf(tarfile.GNU_FORMAT, "utf-8", "strict")


def _padded(size: int) -> int:
    return -(-size // BLOCK) * BLOCK


def _remove_stale(folder: Path, prefix: str) -> None:
    """Remove what a process that died left behind (a live one finishes long before STALE_S)."""
    now = time.time()
    for entry in folder.iterdir():
        try:
            if entry.name.startswith(prefix) and now - entry.stat().st_mtime > STALE_S:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


# -- the receiving side -------------------------------------------------------------------------------
def unpack_snapshot(
    stream: Readable, target: Path, max_bytes: int = MAX_SNAPSHOT_BYTES, position: int | None = None
) -> int:
    """Unpack a snapshot into `target`, which must be empty or absent; returns its position.

    The stream is hostile until proven otherwise: only regular files with names of the index's layout, at
    most max_bytes in all, each once. It is unpacked into a folder of its own inside the target, checked (the
    state file's format is ours, its position above 0 and equal to `position` when given, every sub-index
    opens), and only then moved into place, the state file last. On any refusal the target is as it was."""
    target = Path(target)
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    _remove_stale(target, UNPACKING)
    if any(not e.name.startswith(UNPACKING) for e in target.iterdir()):
        raise SnapshotRefused(f"索引目录不为空，不覆盖。The index folder is not empty; never overwritten: {target}")
    work = Path(tempfile.mkdtemp(prefix=UNPACKING, dir=target))
    moved: list[Path] = []
    try:
        _extract(stream, work, max_bytes)
        seq = _verify(work, position)
        for sub in SUB_INDEXES:  # renaming onto a folder fails unless it is empty: nothing is overwritten
            os.rename(work / sub, target / sub)
            moved.append(target / sub)
        os.link(work / STATE_FILE, target / STATE_FILE)  # last: until it is there the folder holds no index
        return seq
    except BaseException:
        for path in moved:
            shutil.rmtree(path, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):  # a refused snapshot leaves no folder where there was none
                target.rmdir()


def _extract(stream: Readable, work: Path, max_bytes: int) -> None:
    """Read the tar ourselves, one 512-byte header at a time: tarfile would follow extension headers (pax,
    GNU long names) into memory before we could look at them."""
    total, seen = 0, set[str]()
    for sub in SUB_INDEXES:
        (work / sub).mkdir()
    while True:
        block = _read_exact(stream, BLOCK)
        if block == b"\0" * BLOCK:
            break
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "strict")
        except (tarfile.HeaderError, UnicodeDecodeError) as exc:
            raise SnapshotRefused(f"不是快照。Not a snapshot: a bad tar header ({exc}).") from exc
        name = _checked_name(info)
        if info.size < 0:  # a GNU base-256 number may be negative
            raise SnapshotRefused(f"不是快照。Not a snapshot: a negative size for {name!r}.")
        total += info.size
        if total > max_bytes:
            raise SnapshotRefused(f"快照过大。The snapshot is larger than the limit of {max_bytes} bytes.")
        if name in seen or len(seen) >= MAX_MEMBERS:
            raise SnapshotRefused(f"快照成员重复或过多。A member twice, or too many members: {name!r}.")
        seen.add(name)
        with open(work / name, "xb") as out:
            left = info.size
            while left:
                data = _read_exact(stream, min(CHUNK, left))
                out.write(data)
                left -= len(data)
        _read_exact(stream, _padded(info.size) - info.size)


def _checked_name(info: tarfile.TarInfo) -> str:
    name = info.name
    if info.issym() or info.islnk():
        raise SnapshotRefused(f"快照含链接。A link in the snapshot: {name!r} -> {info.linkname!r}.")
    if info.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        raise SnapshotRefused(f"快照只应含普通文件。Not a regular file (tar type {info.type!r}): {name!r}.")
    if name.startswith("/"):
        raise SnapshotRefused(f"快照含绝对路径。An absolute path in the snapshot: {name!r}.")
    if ".." in name.split("/"):
        raise SnapshotRefused(f"快照含“..”路径。A path with '..' in the snapshot: {name!r}.")
    if not MEMBER_NAME.fullmatch(name):
        raise SnapshotRefused(f"快照含索引以外的文件。A name outside the index layout: {name!r}.")
    return name


def _read_exact(stream: Readable, size: int) -> bytes:
    data = stream.read(size) if size else b""
    if len(data) != size:
        raise SnapshotRefused("快照不完整。The snapshot ended early (truncated).")
    return data


def _verify(work: Path, position: int | None) -> int:
    try:
        state = json.loads((work / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotRefused(f"快照缺少状态文件。The snapshot has no readable {STATE_FILE}.") from exc
    seq = state.get("seq") if isinstance(state, dict) else None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        found = state.get("format") if isinstance(state, dict) else None
        raise SnapshotRefused(f"快照格式不符。The snapshot's index format is {found!r}, this node's is {FORMAT}.")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq <= 0:
        raise SnapshotRefused(f"快照不是完整索引。The snapshot's position is {seq!r}: not a finished index.")
    if position is not None and seq != position:
        raise SnapshotRefused(f"快照位置不符。The snapshot says {seq}, its peer said {position}.")
    for sub in SUB_INDEXES:
        _verify_sub_index(work / sub)
    return seq


def _verify_sub_index(sub: Path) -> None:
    """Every file of every committed segment is there (tantivy's own list of the files it made, .managed.json,
    names them all), and the index opens."""
    try:
        segments = _segment_ids(sub)
        managed = [str(name) for name in _json(sub / ".managed.json")]
        missing = [n for n in managed if n.split(".", 1)[0] in segments and not (sub / n).is_file()]
        if missing:
            raise SnapshotRefused(f"快照缺少文件。The snapshot lacks {sub.name}/{missing[0]}.")
        tantivy.Index.open(str(sub)).searcher()
    except SnapshotRefused:
        raise
    except Exception as exc:  # unreadable meta files, or an index tantivy cannot open
        raise SnapshotRefused(f"快照中的 {sub.name} 无法打开。The snapshot's {sub.name} does not open: {exc}") from exc


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# -- a new node's start -------------------------------------------------------------------------------
class _Chunks:
    """A readable over an HTTP body's chunks, failing past the deadline (a stalled peer costs no more)."""

    def __init__(self, chunks: Iterator[bytes], deadline: float) -> None:
        self._chunks = chunks
        self._buffer = bytearray()
        self._deadline = deadline

    def read(self, size: int, /) -> bytes:
        while len(self._buffer) < size:
            if time.monotonic() > self._deadline:
                raise TimeoutError(f"the copy took longer than {FETCH_DEADLINE_S:.0f} s")
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def index_is_empty(path: Path) -> bool:
    """No index here at all: the folder is absent or empty (a node that has started once never is), but
    perhaps for what an interrupted unpacking left."""
    if not path.exists():
        return True
    return path.is_dir() and all(e.name.startswith(UNPACKING) for e in path.iterdir())


def download_snapshot(peer: str, secret: str, target: Path, max_bytes: int = MAX_SNAPSHOT_BYTES) -> int:
    """Stream the peer's snapshot straight into `target` (never held in memory); returns its position."""
    import httpx

    url = peer.rstrip("/") + SNAPSHOT_PATH
    headers = {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}
    deadline = time.monotonic() + FETCH_DEADLINE_S
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(FETCH_TIMEOUT_S)) as response:
        if response.status_code != 200:
            response.read()
            raise SnapshotRefused(f"{url} answered {response.status_code}: {response.text[:200]}",
                                  _retry_after(response.status_code, response.headers.get("retry-after", "")))
        raw = response.headers.get(POSITION_HEADER, "")
        position = int(raw) if raw.isdigit() else None
        return unpack_snapshot(_Chunks(response.iter_bytes(CHUNK), deadline), target, max_bytes, position)


def _retry_after(status: int, header: str) -> float | None:
    """The wait a busy peer asks for (503 while it builds or commits, 429 when asked too often), in seconds."""
    if status not in (429, 503) or not header.strip().isdigit():
        return None
    return float(min(int(header), BUSY_WAIT_S))


def _download_when_free(peer: str, secret: str, target: Path) -> int:
    """download_snapshot, asked again after the wait a busy peer names, for up to BUSY_WAIT_S in all: a copy a
    little later is still far sooner than a build (minutes at 90M characters)."""
    give_up = time.monotonic() + BUSY_WAIT_S
    while True:
        try:
            return download_snapshot(peer, secret, target)
        except SnapshotRefused as exc:
            wait = exc.retry_after
            if wait is None or time.monotonic() + wait > give_up:
                raise
            log.info("sucai: %s is busy (%s); asking again in %.0f s", peer, exc, wait)
            time.sleep(max(wait, 0.1))


def fetch_snapshot(settings: Settings, store: Store | None = None) -> bool:
    """Before a serving process's follower starts: when this node has no index yet and SUCAI_INDEX_FROM names
    a peer (with SUCAI_NODE_SECRET), copy the peer's finished index; the follower then applies the changes
    since its position. With the store given, its change log is held from before the copy until this node has
    reported the copy's position (log_held), so the other nodes' compaction cannot make the copy useless.
    Whatever goes wrong is a warning, and the follower builds the index from the store: a node always starts."""
    peer = settings.index_from
    if not peer:
        return False
    target = settings.resolved_index_dir()
    if not index_is_empty(target):
        return False
    if not settings.node_secret:
        log.warning("sucai: SUCAI_INDEX_FROM is set but SUCAI_NODE_SECRET is not; building the index from the store")
        return False
    started = time.monotonic()
    try:
        with log_held(store):
            position = _download_when_free(peer, settings.node_secret, target)
            if store is not None:  # this node's own position, before the hold goes
                store.report_position(node_name(target), position, "")
    except Exception as exc:  # the peer is down, refuses, sends nonsense, the disk fills: build instead
        log.warning("sucai: could not copy the index from %s (%s: %s); building it from the store",
                    peer, type(exc).__name__, exc)
        return False
    log.info("sucai: copied the index at position %d from %s in %.1f s", position, peer, time.monotonic() - started)
    return True


@contextlib.contextmanager
def log_held(store: Store | None) -> Iterator[None]:
    """While this holds, the change log is compacted no further than it is now: a node reported (under a name
    of its own) at the compacted position, so every live node's minimum stays there. The copy a peer then
    gives is at or past that position, so every change after it is still in the log when the follower starts.
    The hold goes when the copy is done or failed; one left by a process killed meanwhile stops holding after
    HOLD_STALE (store/changelog.py)."""
    if store is None:
        yield
        return
    hold = new_node_name(HOLD_PREFIX)
    store.report_position(hold, store.compacted_seq(), "holds the change log while it copies a peer's index")
    try:
        yield
    finally:
        store.forget_node(hold)
