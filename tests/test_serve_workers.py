"""`sucai serve --workers N` (web/workers.py): every worker listens on a socket of its own, so the connections
of clients that keep them open are spread over the workers instead of all landing on whichever woke first; a
worker that dies is replaced; stopping the server stops them all."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scale_helpers import stop, wait_for, write_notices
from sucai.library import open_library
from sucai.settings import Settings
from sucai.web.workers import reuse_port_supported

pytestmark = pytest.mark.skipif(not reuse_port_supported() or not Path("/proc/net/tcp").exists(),
                                reason="needs SO_REUSEPORT and /proc (Linux)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def workers_of(pid: int) -> list[int]:
    """The server's worker processes: its children holding a socket (multiprocessing's own resource tracker, if
    any, holds none)."""
    return [child for child in children(pid) if _listens(child)]


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _tcp_sockets(port: int) -> list[tuple[str, str]]:
    """(state, inode) of every IPv4 TCP socket whose local port is `port` (state 0A listening, 01 established)."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            rows.append((fields[3], fields[9]))
    return rows


def _listens(pid: int) -> bool:
    try:
        return bool(_socket_inodes(pid))
    except OSError:
        return False


def connections_per_worker(port: int, workers: list[int]) -> Counter[int]:
    owner = {inode: pid for pid in workers for inode in _socket_inodes(pid)}
    return Counter(owner[inode] for state, inode in _tcp_sockets(port) if state == "01" and inode in owner)


def listening_sockets(port: int, workers: list[int]) -> Counter[int]:
    owner = {inode: pid for pid in workers for inode in _socket_inodes(pid)}
    return Counter(owner[inode] for state, inode in _tcp_sockets(port) if state == "0A" and inode in owner)


@contextmanager
def served(tmp_path: Path, workers: int) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    db = tmp_path / "lib.db"
    lib = open_library(settings=Settings(db=str(db), secret_key="s"))
    lib.ingest(write_notices(tmp_path / "docs", range(1, 6)))
    lib.close()
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUCAI_")}
    command = [sys.executable, "-m", "sucai", "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: _answers(port, proc, log) and len(workers_of(proc.pid)) == workers, 60,
                 "the workers to answer")
        yield proc, port, log
    finally:
        stop(proc)


def _answers(port: int, proc: subprocess.Popen[bytes], log: Path) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"the server exited ({proc.returncode}):\n{log.read_text(errors='replace')}")
    try:
        return _ask(http.client.HTTPConnection("127.0.0.1", port, timeout=10)) == 200
    except OSError:
        return False


def _ask(connection: http.client.HTTPConnection, path: str = "/api/health") -> int:
    connection.request("GET", path)
    answer = connection.getresponse()
    answer.read()
    return answer.status


def test_each_worker_listens_itself_and_kept_connections_are_spread_over_them(tmp_path: Path) -> None:
    with served(tmp_path, 2) as (proc, port, _log):
        workers = workers_of(proc.pid)
        assert sorted(listening_sockets(port, workers).values()) == [1, 1]  # a socket each, not one shared
        kept = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(24)]
        try:
            assert all(_ask(c) == 200 for c in kept)  # opened at once and kept, as a load balancer keeps them
            spread = connections_per_worker(port, workers)
            # With one shared socket, all 24 went to one worker. The kernel spreads them by address: each worker
            # getting fewer than 3 of 24 happens about once in 3,000 runs.
            assert sum(spread.values()) == 24 and len(spread) == 2 and min(spread.values()) >= 3, spread
        finally:
            for c in kept:
                c.close()


def test_a_worker_that_dies_is_replaced_and_stopping_stops_them_all(tmp_path: Path) -> None:
    with served(tmp_path, 2) as (proc, port, log):
        first, second = workers_of(proc.pid)
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: first not in workers_of(proc.pid) and len(workers_of(proc.pid)) == 2
                 and _answers(port, proc, log), 60, "a new worker to take the dead one's place")
        assert second in workers_of(proc.pid)
        assert "exited" in log.read_text(errors="replace")
        workers = workers_of(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(40) == 0
        time.sleep(0.2)
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and "sucai" in _name(pid)]
