"""Page latency under load: the search page and the document page with 20 concurrent clients, on the demo
library and on the large benchmark library, next to the same work done in-process (no HTTP) and brute force.

    .venv/bin/python bench/bench_web.py                     (9M characters; writes the "Web" section)
    .venv/bin/python bench/bench_web.py --chars 90000000    (the 90M library)

Libraries are kept under bench/data/ (git-ignored) and reused by the next run: demo.db (`build_demo`) and
large-<chars>.db (bench/corpus.py's documents bulk-loaded as bench/bench_search.py does; its index beside
it). `--large-db/--large-index` point at any other built library, e.g. bench_search.py's `--work` folder.

Each library is served by `python -m sucai serve` in its own process (so the load generator does not share
its GIL), on 127.0.0.1 at a free port. The clients are bench/load.py's: closed-loop, one keep-alive
connection each, on one asyncio loop.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench_search import brute_force, choose_queries, load_store, percentile
from corpus import SEED, generate
from load import CLIENTS, run_load
from results import write_section
from sucai import access
from sucai.demo_setup import build_demo
from sucai.library import Library, open_library
from sucai.normalize import normalize_paragraphs
from sucai.passwords import hash_password
from sucai.search.result_cache import ResultCache
from sucai.settings import Settings
from sucai.store.sqlite import SqliteStore

DATA = Path(__file__).with_name("data")
SEARCH_CLASSES = ("1 char, frequent", "1 char, rare", "2 chars, frequent", "2 chars, rare",
                  "4 chars, frequent", "4 chars, rare", "8 chars")
MEMBER = ("bench-member", "bench-member-password")


@dataclass
class Target:
    """One library to serve: where it is and what to ask it."""

    name: str
    db: Path
    index: Path | None
    docs: int = 0
    chars: int = 0
    queries: list[str] = field(default_factory=list)
    doc_ids: list[int] = field(default_factory=list)
    baseline: dict[str, list[float]] = field(default_factory=dict)


# -- building (or reusing) the libraries ------------------------------------------------------------------
def demo_library() -> Path:
    db = DATA / "demo.db"
    if not db.exists():
        build_demo(str(db))
    return db


def large_library(chars: int) -> Path:
    """bench/corpus.py's documents, bulk-loaded like bench_search.py; the index built by the engine's catch-up.
    A marker file says the build finished, so an interrupted build is redone rather than reused."""
    DATA.mkdir(exist_ok=True)
    db, done = DATA / f"large-{chars}.db", DATA / f"large-{chars}.built"
    if db.exists() and done.exists():
        return db
    for stale in DATA.glob(f"large-{chars}.db*"):  # only this script's own half-built files
        if stale.is_file():
            stale.unlink()
    print(f"building the {chars:,}-character library in {db} ...", file=sys.stderr)
    store = SqliteStore(db)
    load_store(store, list(generate(chars)))
    store.close()
    with open_library(db) as lib:
        lib.engine.sync()
    done.write_text("ok\n")
    return db


def ensure_member(lib: Library) -> None:
    """A member account for the signed-in runs (its password reset when it exists)."""
    name, password = MEMBER
    expires = (access.today() + timedelta(days=365)).isoformat()
    if lib.store.password_hash(name) is None:
        lib.add_user(name, "member", password, expires)
    else:
        lib.store.set_password_hash(name, hash_password(password))
        lib.set_tier(name, "member", expires)


# -- what to ask, and the same work in-process ----------------------------------------------------------
def prepare(target: Target, requests: int) -> None:
    """Queries from the library's own text, random document ids, and the in-process baselines."""
    lib = open_library(target.db, Settings.from_env(db=str(target.db), index_dir=target.index))
    try:
        ensure_member(lib)
        total, summaries = lib.list_documents(limit=10**9)
        ids = [s.id for s in summaries]
        texts = [normalize_paragraphs(b.text for b in lib.document(i).blocks) for i in ids]
        target.docs, target.chars = total, sum(s.chars for s in summaries)
        chosen = choose_queries(texts, lib.engine, SEED)
        target.queries = [q for name in SEARCH_CLASSES for q in chosen[name]]
        rng = random.Random(SEED)
        target.doc_ids = [rng.choice(ids) for _ in range(requests)]
        target.baseline = baselines(lib, texts, target.queries, target.doc_ids)
    finally:
        lib.close()


def _timed(fn: Callable[[Any], object], items: Sequence[Any]) -> list[float]:
    times = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def baselines(lib: Library, texts: list[str], queries: list[str], doc_ids: list[int]) -> dict[str, list[float]]:
    """Single-threaded, no HTTP, per viewer: the document page's data, the search page's result; brute force."""
    lib.search("的")  # warm the index, as the HTTP runs are warmed
    lib.engine.answers = ResultCache(entries=0)  # the search itself, every time: no kept answers
    out = {"brute": _timed(lambda q: brute_force(texts, q), queries)}
    for name, viewer in (("guest", access.GUEST), ("member", lib.user(MEMBER[0]))):
        out[f"document {name}"] = _timed(lambda i, v=viewer: (lib.document(i, v), lib.locked_blocks(i, v)), doc_ids)
        out[f"search {name}"] = _timed(lambda q, v=viewer: lib.search(q, limit=20, viewer=v), queries)
    return out


# -- the server process ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory of the server: its own, plus its workers' with `--workers N` (their sum)."""
    total = 0.0
    for one in (pid, *_children(pid)):
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
    return total or float("nan")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


@contextmanager
def server(target: Target, workers: int = 1) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m sucai serve` on a free port; yields its base URL once it answers."""
    port = free_port()
    # The load comes from one address: the per-address search limit (on by default) would answer 429.
    env = dict(os.environ, SUCAI_LIMIT_SEARCH_GUEST="none", SUCAI_LIMIT_SEARCH_ACCOUNT="none",
               **({"SUCAI_INDEX": str(target.index)} if target.index else {}))
    log = tempfile.TemporaryFile()
    cmd = [sys.executable, "-m", "sucai", "serve", "--db", str(target.db), "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc, log)
        yield base, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Any, timeout: float = 120, poll: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            sys.exit(f"the server exited ({proc.returncode}):\n{log.read().decode(errors='replace')[-3000:]}")
        try:
            if httpx.get(base + "/search", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(poll)
    sys.exit(f"the server at {base} did not answer within {timeout:.0f} s")


def member_cookies(base: str) -> dict[str, str]:
    """Sign in once through the login form (CSRF token from the form); all clients share the session."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/login").text
        match = re.search(r'name="csrf" value="([^"]+)"', form)
        if match is None:
            sys.exit("no CSRF token in the login form")
        data = {"csrf": match.group(1), "name": MEMBER[0], "password": MEMBER[1], "next": "/"}
        answer = client.post("/login", data=data)
        if answer.status_code != 303 or client.get("/account").status_code != 200:
            sys.exit(f"signing in as {MEMBER[0]} failed: {answer.status_code}")
        return dict(client.cookies.items())


# -- the load ---------------------------------------------------------------------------------------------
def measure(target: Target, requests: int, cap_s: float, workers: int = 1) -> dict[str, Any]:
    """Serve the library; guest and member runs of the search page and the document page."""
    rng = random.Random(SEED + 1)
    searches = ["/search?q=" + quote(q) for q in target.queries]
    searches = [rng.choice(searches) for _ in range(requests)]
    documents = [f"/d/{i}" for i in target.doc_ids]
    out: dict[str, Any] = {"runs": {}, "cpu": {}}
    with server(target, workers) as (base, proc):
        t0 = time.perf_counter()
        httpx.get(base + "/search", params={"q": "主题教育"}, timeout=120)  # opens the index
        out["first_search_ms"] = (time.perf_counter() - t0) * 1000
        member = member_cookies(base)
        for viewer, cookies in (("guest", {}), ("member", member)):
            run_load(base, searches[:CLIENTS] + documents[:CLIENTS], cookies, cap_s)  # warm up
            for page, paths in (("search", searches), ("document", documents)):
                before = cpu_seconds(proc.pid), machine_ticks(), time.perf_counter()
                out["runs"][(page, viewer)] = run_load(base, paths, cookies, cap_s)
                out["cpu"][(page, viewer)] = cpu_use(proc.pid, before, len(out["runs"][(page, viewer)].ms))
        out["rss_mib"] = peak_rss_mib(proc.pid)
    return out


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server and its workers so far."""
    total = 0.0
    for one in (pid, *_children(pid)):
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_ticks() -> tuple[int, int]:
    """(idle, all) jiffies of the machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return values[3] + values[4], sum(values)


def cpu_use(pid: int, before: tuple[float, tuple[int, int], float], requests: int) -> dict[str, float]:
    """Server CPU per request, cores the server kept busy, and the machine's idle share over one run (a worker
    that exited and was replaced meanwhile would be missed)."""
    cpu, (idle, ticks), started = before
    spent, (idle_now, ticks_now), wall = cpu_seconds(pid) - cpu, machine_ticks(), time.perf_counter() - started
    return {"ms_per_request": spent / max(requests, 1) * 1000, "cores": spent / wall,
            "idle": (idle_now - idle) / max(ticks_now - ticks, 1)}


# -- reporting ------------------------------------------------------------------------------------------
def _ms(values: Sequence[float], p: float) -> str:
    if not values:
        return "—"
    value = percentile(values, p)
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def table(target: Target, served: dict[str, Any], requests: int) -> list[str]:
    base = target.baseline
    rows = ["| page | viewer | requests | errors | p50 ms | p95 | p99 | first fifth p95 | req/s | 1 / throughput | "
            "server CPU / request | cores busy (server) | machine idle | no HTTP, 1 thread: p50 ms | p95 |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (page, viewer), load in sorted(served["runs"].items(), key=lambda item: item[0][0] != "search"):
        done = f"{len(load.ms):,}" + ("" if len(load.ms) == requests else f" of {requests:,} (time cap)")
        rate = len(load.ms) / load.seconds if load.seconds else 0.0
        label = "search `/search?q=`" if page == "search" else "document `/d/{id}`"
        cpu = served["cpu"][(page, viewer)]
        rows.append(f"| {label} | {viewer} | {done} | {len(load.errors)} | {_ms(load.ms, 50)} | "
                    f"{_ms(load.ms, 95)} | {_ms(load.ms, 99)} | {_ms(load.ms[: len(load.ms) // 5], 95)} | "
                    f"{rate:.0f} | {1000 / rate if rate else 0:.1f} ms | {cpu['ms_per_request']:.2f} ms | "
                    f"{cpu['cores']:.2f} | {cpu['idle']:.0%} | "
                    f"{_ms(base[f'{page} {viewer}'], 50)} | {_ms(base[f'{page} {viewer}'], 95)} |")
    rows.append(f"| brute-force search (Python `in`) | — | {len(base['brute'])} queries | — | "
                f"{_ms(base['brute'], 50)} | {_ms(base['brute'], 95)} | {_ms(base['brute'], 99)} | — | — | — | — | — "
                "| — | — | — |")
    return rows


def repeat_rows(repeats: list[dict[str, Any]]) -> list[str]:
    """One line per serving of the same library: how much the search page's figures vary from run to run."""
    rows = ["| run | search p95 guest / member ms | p50 guest / member | first fifth p95 guest / member | "
            "req/s guest / member | server CPU / request guest / member |", "|---|---|---|---|---|---|"]
    for number, served in enumerate(repeats, start=1):
        guest, member = served["runs"][("search", "guest")], served["runs"][("search", "member")]
        cpu = served["cpu"]
        rows.append(
            f"| {number} | {_ms(guest.ms, 95)} / {_ms(member.ms, 95)} | {_ms(guest.ms, 50)} / {_ms(member.ms, 50)} | "
            f"{_ms(guest.ms[: len(guest.ms) // 5], 95)} / {_ms(member.ms[: len(member.ms) // 5], 95)} | "
            f"{len(guest.ms) / guest.seconds:.0f} / {len(member.ms) / member.seconds:.0f} | "
            f"{cpu[('search', 'guest')]['ms_per_request']:.2f} / {cpu[('search', 'member')]['ms_per_request']:.2f} |"
        )
    return rows


def library_section(target: Target, served: dict[str, Any], requests: int, repeats: list[dict[str, Any]]) -> str:
    """The table of the last serving; with several, first a line per serving (the search page)."""
    runs = served["runs"]
    errors = [e for load in runs.values() for e in load.errors]
    speedup = percentile(target.baseline["brute"], 50) / percentile(target.baseline["search guest"], 50)
    faster = f"{speedup:.0f}× faster than" if speedup >= 1 else f"{1 / speedup:.0f}× slower than"
    lines = [
        f"### {target.name}: {target.docs:,} documents, {target.chars:,} characters",
        "",
        f"Server peak RSS (VmHWM, workers summed) {served['rss_mib']:.0f} MiB; first search after start (opens the "
        f"index) {served['first_search_ms']:.0f} ms. {len(target.queries)} distinct queries (1–8 characters, frequent "
        f"and rare), drawn at random; documents at random ({len(set(target.doc_ids)):,} distinct).",
        "",
        *([f"The search page over {len(repeats)} servings of this library, each a new server process and the same "
            "requests (the full table below is the last one's):", "", *repeat_rows(repeats), ""]
          if len(repeats) > 1 else []),
        *table(target, served, requests),
        "",
        f"The index answers the search itself {faster} brute force at p50 (in-process "
        "`Library.search`: exact total, ranked top 20 with snippets and facets; brute force: `in` over every "
        "normalised text held in memory, counting only). "
        f"Guest document pages carrying a lock notice: {runs[('document', 'guest')].locked_pages:,}; member "
        f"pages: {runs[('document', 'member')].locked_pages:,} (must be 0).",
    ]
    if errors:
        lines += ["", f"**Errors ({len(errors)})**, first: " + "; ".join(f"`{e}`" for e in dict.fromkeys(errors))[:600]]
    return "\n".join(lines)


def report(sections: list[str], args: argparse.Namespace, minutes: float) -> str:
    command = ("" if args.chars == 9_000_000 else f" --chars {args.chars}") + (
        f" --workers {args.workers}" if args.workers != 1 else "") + (
        f" --repeat {args.repeat}" if args.repeat != 1 else "")
    return "\n".join([
        f"{CLIENTS} concurrent clients (bench/load.py: closed-loop, one keep-alive connection each, one asyncio "
        f"loop) against `python -m sucai serve --workers {args.workers}` (search rate limits off) on 127.0.0.1; the "
        "load generator runs in another process. The queries repeat (350 distinct, drawn at random), and the "
        "server keeps the answers of repeated searches until its index changes: the HTTP figures include those "
        "kept answers, the `no HTTP` columns are computed without them. "
        f"Per page type and viewer up to {args.requests:,} requests or {args.cap:.0f} s, after a "
        "warm-up; latency is the client's wall time per request, so it includes queueing behind the other 19 "
        "clients. `first fifth p95`: over the first fifth of the requests, where most first askings of a query "
        "fall (each computed, the rest answered from what was kept). `1 / throughput` is wall time per completed "
        "request; `server CPU / request` the server's CPU time (its workers' summed) over the run divided by the "
        "requests, `cores busy` that CPU time over the run's wall time, `machine idle` the share of both cores "
        "nobody used; `no HTTP` is the same data fetched "
        "in-process, single-threaded, through `Library.document` + `locked_blocks` (document page) and "
        "`Library.search(limit=20)` (search page). The member is signed in through the login form.",
        "",
        "Noisy: the machine's 2 cores are shared with the load generator and with other work running at the "
        f"same time. Whole run: {minutes:.1f} min.",
        "",
        *[s + "\n" for s in sections],
        f"Reproduce: `.venv/bin/python bench/bench_web.py{command}` (libraries cached under bench/data/).",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chars", type=int, default=9_000_000, help="size of the large library")
    parser.add_argument("--large-db", type=Path, help="an already built large library (SQLite file)")
    parser.add_argument("--large-index", type=Path, help="its index folder, when not beside the file")
    parser.add_argument("--requests", type=int, default=2000, help="per page type and viewer")
    parser.add_argument("--cap", type=float, default=45.0, help="seconds per page type and viewer")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (`serve --workers`)")
    parser.add_argument("--repeat", type=int, default=1, help="serve the large library this many times over")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    started = time.perf_counter()
    DATA.mkdir(exist_ok=True)
    large = args.large_db or large_library(args.chars)
    targets = [Target("Demo library", demo_library(), None),
               Target("Large benchmark library", large, args.large_index)]
    sections = []
    for target in targets:
        prepare(target, args.requests)
        print(f"{target.name}: {target.docs} documents; serving ...", file=sys.stderr)
        servings = args.repeat if target is targets[-1] else 1
        repeats = [measure(target, args.requests, args.cap, args.workers) for _ in range(servings)]
        sections.append(library_section(target, repeats[-1], args.requests, repeats))
    body = report(sections, args, (time.perf_counter() - started) / 60)
    print(body)
    if not args.no_write:
        workers = "" if args.workers == 1 else f", serve --workers {args.workers}"
        write_section(f"Web ({CLIENTS} concurrent clients{workers})", body)


if __name__ == "__main__":
    main()
