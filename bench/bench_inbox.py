"""The inbox under a burst: 2,000 files dropped at once into a folder that `sucai serve --watch` follows, with
searches served meanwhile. Measures files/s through the inbox and the search page's latency before and during
the burst, next to the baseline of the same files ingested in one `Library.ingest` call in this process.

    .venv/bin/python bench/bench_inbox.py                 (2,000 files; writes the "Inbox" section)
    .venv/bin/python bench/bench_inbox.py --files 200 --no-write

The library starts with the demo documents; the burst is bench/corpus.py's generated genre documents, one
.txt each (about 3,000 characters). The server runs in its own process; one client thread searches in a loop.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from corpus import as_text, generate
from results import write_section
from sucai.library import open_library
from sucai.settings import Settings

DEMO = Path(__file__).resolve().parents[1] / "src" / "sucai" / "demo"
QUERIES = ("主题教育", "调查研究", "安全生产", "乡村振兴", "以学铸魂", "高质量发展", "基层治理", "作风建设")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_files(folder: Path, count: int) -> int:
    """`count` generated genre documents as .txt files; returns their characters."""
    folder.mkdir(parents=True)
    chars = 0
    for n, doc in enumerate(generate(count * 10_000, seed=7)):  # more than enough: stops at `count`
        if n == count:
            break
        (folder / f"{n:05d}.txt").write_text(as_text(doc), encoding="utf-8")
        chars += doc.chars
    made = len(list(folder.iterdir()))
    assert made == count, f"made {made} files, wanted {count}"
    return chars


def baseline(files: Path, work: Path) -> float:
    """Files/s of one Library.ingest call over the same files (no inbox, no server)."""
    with open_library(settings=Settings(db=str(work / "baseline.db"))) as lib:
        started = time.perf_counter()
        report = lib.ingest([files])
        took = time.perf_counter() - started
    assert not report.failed, report.failed[:3]
    return len(list(files.iterdir())) / took


class Searcher(threading.Thread):
    """Searches in a loop, recording each request's latency with the time it ended."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base, timeout=30)
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            started = time.perf_counter()
            response = self.client.get("/search", params={"q": QUERIES[n % len(QUERIES)]})
            self.samples.append((time.monotonic(), time.perf_counter() - started))
            self.errors += response.status_code != 200
            n += 1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def wait_until(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise TimeoutError("timed out")


def serve(work: Path, inbox: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SUCAI_DB": str(work / "served.db"), "SUCAI_LIMIT_SEARCH_GUEST": "none"}
    with open_library(settings=Settings(db=env["SUCAI_DB"])) as lib:
        lib.ingest([DEMO])
    cmd = [sys.executable, "-m", "sucai", "serve", "--port", str(port), "--watch", str(inbox)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(count: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="sucai-bench-inbox-"))
    try:
        files = work / "burst"
        chars = make_files(files, count)
        base_rate = baseline(files, work)
        inbox, port = work / "inbox", free_port()
        inbox.mkdir()
        server = serve(work, inbox, port)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until(lambda: _up(url), 60)
            searcher = Searcher(url)
            searcher.start()
            time.sleep(10)  # latency before the burst
            burst_start = time.monotonic()
            for f in files.iterdir():  # a burst: every file at once (moved in, as a sync client does)
                shutil.copy(f, inbox / f.name)
            wait_until(lambda: len(list((inbox / "done").glob("*.txt"))) + len(list((inbox / "failed").glob("*.txt")))
                       >= count, 3600)
            burst_end = time.monotonic()
            searcher.stop.set()
            searcher.join()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        before = [t for end, t in searcher.samples if end < burst_start]
        during = [t for end, t in searcher.samples if burst_start <= end <= burst_end]
        return {
            "files": count, "chars": chars, "baseline_fps": base_rate, "inbox_fps": count / (burst_end - burst_start),
            "burst_s": burst_end - burst_start, "failed": len(list((inbox / "failed").glob("*.txt"))),
            "before_p50": percentile(before, 0.5) * 1000, "before_p99": percentile(before, 0.99) * 1000,
            "during_p50": percentile(during, 0.5) * 1000, "during_p99": percentile(during, 0.99) * 1000,
            "during_n": len(during), "errors": searcher.errors,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _up(url: str) -> bool:
    try:
        return httpx.get(url + "/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def report(r: dict[str, float]) -> str:
    return (
        f"`sucai serve --watch INBOX` (one process: the web library and the inbox watcher), a library of the demo "
        f"documents; {r['files']:,.0f} generated genre documents ({r['chars']:,.0f} characters, one .txt each) "
        "copied into the inbox at once; one client searches the results page in a loop throughout.\n\n"
        "| measure | value |\n|---|---|\n"
        f"| baseline: one `Library.ingest` of the same files, in process | {r['baseline_fps']:.1f} files/s |\n"
        f"| through the inbox, first copy to last file filed | {r['inbox_fps']:.1f} files/s ({r['burst_s']:.0f} s) |\n"
        f"| files failed | {r['failed']:.0f} |\n"
        f"| search page before the burst, p50 / p99 | {r['before_p50']:.0f} / {r['before_p99']:.0f} ms |\n"
        f"| search page during the burst, p50 / p99 ({r['during_n']:.0f} requests) | "
        f"{r['during_p50']:.0f} / {r['during_p99']:.0f} ms |\n"
        f"| search errors | {r['errors']:.0f} |\n\n"
        f"A day of 1,000+ documents is {1000 / max(r['inbox_fps'], 1e-9) / 60:.1f} minutes of inbox work at this rate."
        "\n\nReproduce: `.venv/bin/python bench/bench_inbox.py`."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true", help="print, do not write bench/RESULTS.md")
    args = parser.parse_args()
    text = report(run(args.files))
    print(text)
    if not args.no_write:
        write_section("Inbox (a burst of files while searching)", text)


if __name__ == "__main__":
    main()
