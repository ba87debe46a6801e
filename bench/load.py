"""A light load generator: closed-loop clients on one asyncio loop, each with its own keep-alive connection.

Raw HTTP/1.1 over asyncio streams costs the generator about a tenth of what a thread with an httpx client
does per request, so on a 2-core machine the servers under test, not the clients, get the cores.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CLIENTS = 20
LOCK_NOTICE = b'class="lock-notice"'


@dataclass
class Load:
    ms: list[float] = field(default_factory=list)
    asked: list[int] = field(default_factory=list)  # beside each time: the index of its path in the list
    errors: list[str] = field(default_factory=list)
    locked_pages: int = 0
    seconds: float = 0.0


class _Connection:
    """One keep-alive connection that sends GETs and reads whole responses (Content-Length or chunked)."""

    def __init__(self, host: str, port: int, cookie: str) -> None:
        self.host, self.port, self.cookie = host, port, cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None and self.writer is not None
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.cookie}\r\n"
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        headers = head.lower()
        if b"transfer-encoding: chunked" in headers:
            body = await self._chunks()
        else:
            length = int(headers.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            body = await self.reader.readexactly(length)
        if b"connection: close" in headers:
            self.close()
        return status, body

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)
        await self.reader.readuntil(b"\r\n")
        return b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.writer = None


def run_load(base: str, paths: list[str], cookies: dict[str, str], cap_s: float, clients: int = CLIENTS) -> Load:
    """`clients` clients take the next path until all are done or the time cap passes."""
    return asyncio.run(_load(base, paths, cookies, cap_s, clients))


async def _load(base: str, paths: list[str], cookies: dict[str, str], cap_s: float, clients: int) -> Load:
    url = urlsplit(base)
    cookie = f"Cookie: {'; '.join(f'{k}={v}' for k, v in cookies.items())}\r\n" if cookies else ""
    load, todo = Load(), iter(enumerate(paths))
    deadline = time.monotonic() + cap_s

    async def client() -> None:
        conn = _Connection(url.hostname or "127.0.0.1", url.port or 80, cookie)
        try:
            while time.monotonic() < deadline and (turn := next(todo, None)) is not None:
                index, path = turn
                t0 = time.perf_counter()
                try:
                    status, body = await conn.get(path)
                    outcome = None if status == 200 else f"{status} {path}"
                    load.locked_pages += LOCK_NOTICE in body
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                    outcome = f"{type(exc).__name__} {path}"
                    conn.close()
                load.ms.append((time.perf_counter() - t0) * 1000)
                load.asked.append(index)
                if outcome:
                    load.errors.append(outcome)
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    load.seconds = time.perf_counter() - started
    return load


# -- wrk: the same closed loop from a C program, for runs where the generator's own CPU must be small ---------
WRK_SCRIPT = """
local paths, i = {}, 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


@dataclass
class WrkRun:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def start_wrk(base: str, paths: list[str], seconds: float, clients: int, folder: Path) -> subprocess.Popen[str]:
    """wrk (Debian's package) with `clients` keep-alive connections on one thread, taking the paths in turn."""
    # Files of this run's own: a wrk started a moment earlier may still be reading its script.
    handle, name = tempfile.mkstemp(prefix="wrk-", suffix=".lua", dir=folder)
    script, listed = Path(name), Path(name).with_suffix(".txt")
    os.close(handle)
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    listed.write_text("\n".join(paths) + "\n", encoding="utf-8")
    command = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script),
               base, "--", str(listed)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_result(proc: subprocess.Popen[str]) -> WrkRun:
    out, _ = proc.communicate(timeout=600)
    line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{out[-2000:]}")
    requests, micros, errors, p50, p95, p99 = (int(x) for x in line.split()[1:])
    return WrkRun(requests, micros / 1e6, errors, p50 / 1000, p95 / 1000, p99 / 1000)
