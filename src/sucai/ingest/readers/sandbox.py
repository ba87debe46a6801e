"""A long-lived helper process for parsers that may hang or crash on hostile input (PDFium is C code).

A call that outlives its time limit, or kills the helper, costs that one file: the helper is ended and a new
one starts with the next call. One helper per process, started on first use (`python -m` this module, about
a fifth of a second), so a batch of PDFs pays the start once; calls are serialised by a lock (a web server
has threads). Calls and replies are pickled frames over the helper's stdin and stdout: no multiprocessing,
so the caller's __main__ is never re-imported.
"""

from __future__ import annotations

import atexit
import os
import pickle
import selectors
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sucai.errors import InputError
from sucai.ingest.readers.base import NotRead

_MEMORY_LIMIT = 2 << 30  # bytes of address space for the helper: a decompression bomb dies there, not here
_FRAME = struct.Struct("<Q")
_START_SECONDS = 60.0


class Sandbox:
    def __init__(self, what: str) -> None:
        self._what = what  # "the PDF reader": named in the messages
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        atexit.register(self.stop)

    def run(self, function: Callable[[bytes], Any], data: bytes, seconds: float) -> Any:
        """function(data) in the helper; raises InputError on a time-out, a crash, or the error it raised."""
        with self._lock:
            process = self._helper()
            assert process.stdin is not None and process.stdout is not None
            try:
                _write(process.stdin, pickle.dumps((function, data), protocol=pickle.HIGHEST_PROTOCOL))
                reply = _read(process.stdout, time.monotonic() + seconds)
            except TimeoutError as exc:
                self.stop()
                raise InputError(f"{self._what} took longer than {seconds:g} s on this file and was stopped "
                                 "(a malformed or hostile file?)") from exc
            except (EOFError, OSError) as exc:
                self.stop()
                raise InputError(f"{self._what} crashed on this file (a malformed or hostile file?)") from exc
        kind, result = pickle.loads(reply)
        if kind == "ok":
            return result
        if kind == "not-read":
            raise NotRead(result)
        raise InputError(result)

    def stop(self) -> None:
        """End the helper (the next call starts another)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    def _helper(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self.stop()
            package_root = str(Path(__file__).resolve().parents[3])  # the folder holding `sucai`
            path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
            process = subprocess.Popen(
                [sys.executable, "-m", "sucai.ingest.readers.sandbox"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": path},
            )
            self._process = process
            assert process.stdout is not None
            try:  # the start-up (imports) is not charged to the first file's time limit
                _read(process.stdout, time.monotonic() + _START_SECONDS)
            except (TimeoutError, EOFError, OSError) as exc:
                self.stop()
                raise InputError(f"{self._what} could not be started") from exc
        return self._process


def _write(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_FRAME.pack(len(payload)) + payload)
    stream.flush()


def _read(stream: IO[bytes], deadline: float) -> bytes:
    """One frame, or TimeoutError past the deadline; EOFError when the helper died."""
    header = _read_exactly(stream, _FRAME.size, deadline)
    return _read_exactly(stream, _FRAME.unpack(header)[0], deadline)


def _read_exactly(stream: IO[bytes], size: int, deadline: float) -> bytes:
    fd = stream.fileno()
    chunks: list[bytes] = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise TimeoutError
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
    return b"".join(chunks)


def _serve() -> None:
    """The helper's loop: one call at a time until the parent closes its end of the pipe."""
    _limit_memory()
    sink = os.fdopen(os.dup(1), "wb")  # frames only: anything a library prints goes to stderr instead
    os.dup2(2, 1)
    source = sys.stdin.buffer
    _write(sink, b"ready")
    while True:
        header = source.read(_FRAME.size)
        if len(header) < _FRAME.size:
            return
        function, data = pickle.loads(source.read(_FRAME.unpack(header)[0]))
        try:
            reply: tuple[str, Any] = ("ok", function(data))
        except NotRead as exc:
            reply = ("not-read", str(exc))
        except InputError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("error", "the file needs more memory than sucai allows one file")
        except Exception as exc:  # a parser's bug costs this file only
            reply = ("error", f"internal error while reading: {type(exc).__name__}: {exc}")
        _write(sink, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT, _MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass  # not on every platform; the time limit still holds


if __name__ == "__main__":
    _serve()
