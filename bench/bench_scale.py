"""Scale-out over PostgreSQL: ingest on PostgreSQL against SQLite, a new node's time to serve a
full index (built from the store at --chars; copied from a peer's snapshot at --peer-chars), search
latency while another process ingests, and two nodes against one.

    .venv/bin/python bench/bench_scale.py --pg postgresql://postgres@127.0.0.1:5432/test [--chars 9000000]

Documents come from bench/corpus.py (one .txt each, written once under bench/data/scale-<chars>/). The
PostgreSQL library lives in its own schema (bench_scale_<chars>), recreated by each run; the --peer-chars
library is bench_search.py's corpus bulk-loaded (no parsing) into bench_scale_peer_<chars>. Servers are
`python -m sucai serve` processes; clients are bench/load.py's (closed-loop, keep-alive, one asyncio loop).
Writes the "Scale-out" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg

from bench_search import load_store, percentile
from bench_web import free_port, wait_ready
from corpus import as_text, generate
from load import CLIENTS, run_load, start_wrk, wrk_available, wrk_result
from results import write_section
from sucai.library import open_library
from sucai.settings import Settings
from sucai.store import open_store
from sucai.store.postgres import redact

DATA = Path(__file__).with_name("data")
NODE_PIDS: dict[str, int] = {}  # a running node's process, by base URL
QUERY_WORDS = ("主题教育", "乡村振兴", "同志们", "高质量发展", "基层", "责任", "党的建设", "安全生产", "调研", "群众")


def files_for(chars: int, name: str = "files", seed: int = 20240501) -> Path:
    folder = DATA / f"scale-{chars}" / name
    if not (folder / ".done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for n, doc in enumerate(generate(chars, seed)):
            (folder / f"{name}-{n:06d}.txt").write_text(as_text(doc), encoding="utf-8")
        (folder / ".done").write_text("ok\n")
    return folder


def pg_schema_url(base: str, schema: str) -> str:
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def timed_ingest(db: str, folder: Path, index: Path) -> tuple[float, int, int]:
    with open_library(settings=Settings(db=db, index_dir=index)) as lib:
        started = time.perf_counter()
        report = lib.ingest([folder])
        seconds = time.perf_counter() - started
        assert not report.failed, report.failed[:3]
        return seconds, len(report.documents), lib.store.library_chars()


# -- servers -----------------------------------------------------------------------------------------------
@contextmanager
def node(
    db: str, index: Path, workers: int = 1, extra_env: dict[str, str] | None = None, cpu: int | None = None
) -> Iterator[str]:
    """A `sucai serve` process; with `cpu`, held to that one core (a node is then one core's worth)."""
    port = free_port()
    # The load comes from one address: the per-address search limit (on by default) would answer 429.
    env = dict(os.environ, SUCAI_INDEX=str(index), SUCAI_LIMIT_SEARCH_GUEST="none", SUCAI_LIMIT_SEARCH_ACCOUNT="none",
               **(extra_env or {}))
    log = tempfile.TemporaryFile()
    cmd = [sys.executable, "-m", "sucai", "serve", "--db", db, "--port", str(port), "--workers", str(workers)]
    pin = None if cpu is None else (lambda: os.sched_setaffinity(0, {cpu}))
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, preexec_fn=pin)
    base = f"http://127.0.0.1:{port}"
    NODE_PIDS[base] = proc.pid
    try:
        wait_ready(base, proc, log, poll=0.05)  # the new node's first answer is timed from here
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def caught_up(base: str, timeout: float = 900) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, object] = httpx.get(base + "/api/health", timeout=10).json()
        if state["lag"] == 0 and not state["building"]:
            return state
        time.sleep(0.1)
    raise SystemExit(f"{base} did not catch up in {timeout} s")


def search_paths(n: int, seed: int = 7, folder: Path | None = None, distinct: int = 400) -> list[str]:
    """n search pages: the fixed words, or (with a folder) `distinct` queries of 2-6 characters cut from
    its files, drawn with repeats as real traffic repeats (the node keeps answers per index generation)."""
    rng = random.Random(seed)
    words: list[str] = list(QUERY_WORDS)
    if folder is not None:
        files = sorted(folder.glob("*.txt"))
        words = []
        while len(words) < distinct:
            lines = [x for x in rng.choice(files).read_text(encoding="utf-8").splitlines() if len(x) > 10]
            line = rng.choice(lines)
            size = rng.randint(2, 6)
            start = rng.randrange(len(line) - size)
            words.append(line[start : start + size])
    return ["/search?q=" + quote(rng.choice(words)) for _ in range(n)]


# -- measurements ------------------------------------------------------------------------------------------
def new_node(db: str, work: Path) -> dict[str, float]:
    """A node with an empty index folder: first answer, then the full index."""
    index = work / "new-node"
    shutil.rmtree(index, ignore_errors=True)
    started = time.perf_counter()
    with node(db, index) as base:
        first = httpx.get(base + "/api/search", params={"q": "同志们"}, timeout=30)
        first_s = time.perf_counter() - started
        state = caught_up(base)
        full_s = time.perf_counter() - started
        total = httpx.get(base + "/api/search", params={"q": "同志们", "limit": 1}, timeout=30).json()["total"]
    return {"first_s": first_s, "first_status": first.status_code, "full_s": full_s,
            "documents": float(state["documents"]), "total": float(total)}  # type: ignore[arg-type]


def load_pg(db: str, chars: int) -> int:
    """The search bench's corpus bulk-loaded into the store (no parsing, no fingerprints): a big library fast."""
    store = open_store(db)
    try:
        docs = list(generate(chars))
        load_store(store, docs)  # type: ignore[arg-type]
        return len(docs)
    finally:
        store.close()


def new_node_from_peer(db: str, work: Path, secret: str = "bench-node-secret") -> dict[str, float]:
    """A node that builds its index from the store, then a new node that copies the first one's snapshot."""
    env = {"SUCAI_NODE_SECRET": secret}
    started = time.perf_counter()
    with node(db, work / "peer-a", extra_env=env) as peer:
        state = caught_up(peer)
        built_s = time.perf_counter() - started
        started = time.perf_counter()
        with node(db, work / "peer-b", extra_env={**env, "SUCAI_INDEX_FROM": peer}) as fresh:
            first_s = time.perf_counter() - started
            copied = caught_up(fresh)
            full_s = time.perf_counter() - started
            totals = [httpx.get(base + "/api/search", params={"q": "同志们", "limit": 1}, timeout=30).json()["total"]
                      for base in (peer, fresh)]
    assert totals[0] == totals[1], totals
    return {"built_s": built_s, "first_s": first_s, "full_s": full_s, "documents": float(copied["documents"]),
            "peer_documents": float(state["documents"])}  # type: ignore[arg-type]


def latency_while_ingesting(db: str, index: Path, extra: Path) -> dict[str, float]:
    """One client searching back to back on a caught-up node while a CLI process ingests another folder."""
    with node(db, index) as base:
        caught_up(base)
        stop = threading.Event()
        times: list[float] = []
        errors = 0

        def client() -> None:
            nonlocal errors
            paths = search_paths(100_000, seed=11)
            with httpx.Client(base_url=base, timeout=60) as http:
                for path in paths:
                    if stop.is_set():
                        return
                    t0 = time.perf_counter()
                    if http.get(path).status_code != 200:
                        errors += 1
                    times.append((time.perf_counter() - t0) * 1000)

        reader = threading.Thread(target=client)
        env = dict(os.environ, SUCAI_INDEX=str(index.with_name("cli-index")))
        started = time.perf_counter()
        ingest = subprocess.Popen([sys.executable, "-m", "sucai", "ingest", "--db", db, "--json", str(extra)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        reader.start()
        ingest.wait()
        ingest_s = time.perf_counter() - started
        stop.set()
        reader.join()
        state = caught_up(base)
    return {"n": len(times), "p50": percentile(times, 50), "p90": percentile(times, 90),
            "p99": percentile(times, 99), "max": max(times), "errors": errors, "ingest_s": ingest_s,
            "documents": float(state["documents"])}  # type: ignore[arg-type]


def throughput(
    db: str, work: Path, requests: int, cap_s: float, folder: Path, rounds: int = 4
) -> dict[str, tuple[float, float, float]]:
    """req/s and p50/p95 of the search page with CLIENTS clients: one node, then two (half the clients each).
    Each node is held to a core of its own, as if each were a machine: on this 2-core machine an unpinned
    node's engine threads already take more than one core, and a second node would have none to add. The
    clients are wrk's where it is installed (a C program: its CPU, taken from the nodes' cores, is a tenth of
    bench/load.py's), else load.py's, one process per node. This machine's speed drifts by 10-30% over
    minutes, so the two kinds of run alternate in short rounds and the figures sum the rounds."""
    paths = search_paths(requests, folder=folder)
    with node(db, work / "node-1", cpu=0) as one, node(db, work / "node-2", cpu=1) as two:
        # Warm: every distinct query once, so that both runs measure serving, not a first answer's counting.
        warm = list(dict.fromkeys(paths))
        for base in (one, two):
            caught_up(base)
            run_load(base, warm, {}, cap_s)
        runs: dict[str, list[tuple[float, float, float, float]]] = {"one node": [], "two nodes": []}
        for _ in range(rounds):
            runs["one node"].append(_clients_on([one], [paths], cap_s / rounds, work))
            runs["two nodes"].append(_clients_on([one, two], [paths[0::2], paths[1::2]], cap_s / rounds, work))
    ratios = [b[0] / a[0] for a, b in zip(runs["one node"], runs["two nodes"], strict=True)]
    print(f"two nodes / one node, round by round: {', '.join(f'{r:.2f}' for r in ratios)}", file=sys.stderr)
    return {kind: _summed(parts) for kind, parts in runs.items()}


def _summed(parts: list[tuple[float, float, float, float]]) -> tuple[float, float, float]:
    """(req/s, p50, p95) over rounds of (req/s, p50, p95, seconds): rates by time, percentiles by requests."""
    seconds = sum(p[3] for p in parts)
    done = [p[0] * p[3] for p in parts]
    return (sum(done) / seconds, *(sum(p[i] * n for p, n in zip(parts, done, strict=True)) / sum(done) for i in (1, 2)))


def _clients_on(
    bases: list[str], paths: list[list[str]], cap_s: float, work: Path
) -> tuple[float, float, float, float]:
    """CLIENTS clients shared out over the nodes, all at once: (req/s over all, p50 ms, p95 ms, seconds)."""
    clients = CLIENTS // len(bases)
    if wrk_available():
        machine, nodes = machine_busy(), [process_cpu(NODE_PIDS[base]) for base in bases]
        procs = [start_wrk(base, part, cap_s, clients, work) for base, part in zip(bases, paths, strict=True)]
        runs = [wrk_result(proc) for proc in procs]
        spent = machine_busy() - machine
        used = [process_cpu(NODE_PIDS[base]) - before for base, before in zip(bases, nodes, strict=True)]
        print(f"{len(bases)} node(s): machine busy {spent:.1f} CPU-s, nodes {', '.join(f'{u:.1f}' for u in used)} "
              f"CPU-s; the rest (clients, kernel, PostgreSQL) {spent - sum(used):.1f}", file=sys.stderr)
        if any(run.errors for run in runs):
            raise SystemExit(f"errors under load: {runs}")
        weights = [run.requests for run in runs]  # percentiles of the parts, weighted by their requests
        p50, p95 = (sum(getattr(r, name) * w for r, w in zip(runs, weights, strict=True)) / sum(weights)
                    for name in ("p50_ms", "p95_ms"))
        return sum(run.rate for run in runs), p50, p95, max(run.seconds for run in runs)
    # One load process per node: two event loops in one process would take turns with the GIL.
    with ProcessPoolExecutor(len(bases), mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(percentile, [1.0], 50).result()  # started before the clock
        started = time.perf_counter()
        parts = [pool.submit(run_load, base, part, {}, cap_s, clients) for base, part in zip(bases, paths, strict=True)]
        loads = [part.result() for part in parts]
        seconds = time.perf_counter() - started
    ms = [m for load in loads for m in load.ms]
    return len(ms) / seconds, percentile(ms, 50), percentile(ms, 95), seconds


def machine_busy() -> float:
    """CPU-seconds all cores have spent busy since boot (/proc/stat: everything but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU-seconds of a process and its children (a node with --workers) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def only_throughput(args: argparse.Namespace, folder: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="sucai-scale-"))
    try:
        pg = pg_schema_url(args.pg, f"bench_scale_{args.chars}")
        timed_ingest(pg, folder, work / "pg-index")
        rates = throughput(pg, work, args.requests, args.cap, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    one, two = rates["one node"], rates["two nodes"]
    print(f"one node {one[0]:.0f} req/s (p50 {one[1]:.0f}, p95 {one[2]:.0f}); two nodes {two[0]:.0f} req/s "
          f"(p50 {two[1]:.0f}, p95 {two[2]:.0f}): {two[0] / one[0]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", required=True, help="a PostgreSQL server URL (a schema of it is used)")
    parser.add_argument("--chars", type=int, default=9_000_000)
    parser.add_argument("--requests", type=int, default=6000, help="search pages per throughput run")
    parser.add_argument("--cap", type=float, default=40.0)
    parser.add_argument("--peer-chars", type=int, default=90_000_000, help="library size for the new-node runs")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--throughput-only", action="store_true", help="ingest into PostgreSQL, then only the "
                        "one-node and two-node runs (printed; RESULTS.md untouched)")
    args = parser.parse_args()
    folder = files_for(args.chars)
    if args.throughput_only:
        only_throughput(args, folder)
        return
    extra = files_for(max(args.chars // 3, 500_000), name="extra", seed=99)
    work = Path(tempfile.mkdtemp(prefix="sucai-scale-"))
    try:
        # Twice each, alternating: this machine's speed drifts by 10-20% over minutes.
        runs: list[tuple[float, float]] = []
        for n in range(2):
            sqlite_s, docs, stored = timed_ingest(str(work / f"lib{n}.db"), folder, work / f"sqlite-index{n}")
            pg = pg_schema_url(args.pg, f"bench_scale_{args.chars}")
            pg_s, pg_docs, _ = timed_ingest(pg, folder, work / "pg-index")
            assert pg_docs == docs
            runs.append((sqlite_s, pg_s))
            print(f"ingest: sqlite {sqlite_s:.1f} s, postgres {pg_s:.1f} s", file=sys.stderr)
            if n == 0:
                shutil.rmtree(work / "pg-index")
        sqlite_s, pg_s = (sum(r[i] for r in runs) / len(runs) for i in (0, 1))
        fresh = new_node(pg, work)
        print(f"new node: {fresh}", file=sys.stderr)
        during = latency_while_ingesting(pg, work / "pg-index", extra)
        print(f"during ingest: {during}", file=sys.stderr)
        rates = throughput(pg, work, args.requests, args.cap, folder)
        print(f"throughput: {rates}", file=sys.stderr)
        big = pg_schema_url(args.pg, f"bench_scale_peer_{args.peer_chars}")
        big_docs = load_pg(big, args.peer_chars)
        peer = new_node_from_peer(big, work)
        print(f"new node from a peer ({big_docs} documents): {peer}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    one, two = rates["one node"], rates["two nodes"]
    big_label = f"{args.peer_chars / 1e6:.0f}M characters"
    pairs = ", ".join(f"{p:.1f}/{q:.1f} s" for q, p in runs)
    rows = [
        "| measurement | result | target |",
        "|---|---|---|",
        f"| ingest into SQLite (`Library.ingest`, searchable on return; mean of two) | {sqlite_s:.1f} s "
        f"({stored / sqlite_s:,.0f} chars/s) | — |",
        f"| ingest into PostgreSQL (pooled connections, pipelined writes; mean of two) | {pg_s:.1f} s "
        f"({stored / pg_s:,.0f} chars/s), {pg_s / sqlite_s:.2f}× SQLite (runs, PostgreSQL/SQLite: {pairs}) | ≤ 1.5× |",
        f"| new node, empty index folder: first search answered (HTTP {fresh['first_status']:.0f}) | "
        f"{fresh['first_s']:.1f} s after start | at once |",
        f"| new node: full index built by its follower | {fresh['full_s']:.1f} s "
        f"({fresh['documents']:,.0f} documents) | — |",
        f"| {big_label}: a node builds its index from the store | {peer['built_s']:.1f} s "
        f"({peer['peer_documents']:,.0f} documents) | — |",
        f"| {big_label}: a new node copies that node's snapshot (`SUCAI_INDEX_FROM`), serving | "
        f"{peer['first_s']:.1f} s after start; full index {peer['full_s']:.1f} s | ≤ 60 s |",
        f"| search page while another process ingests ({during['ingest_s']:.0f} s) | p50 {during['p50']:.1f} ms, "
        f"p90 {during['p90']:.1f}, p99 {during['p99']:.1f}, max {during['max']:.0f} ({during['n']:,.0f} searches, "
        f"{during['errors']:.0f} errors) | p99 ≤ 100 ms |",
        f"| search page, {CLIENTS} clients, one node (one core; 400 distinct queries drawn with repeats, each asked "
        f"once before; {'wrk' if wrk_available() else 'bench/load.py'}; four rounds alternating with the next row) | "
        f"{one[0]:.0f} req/s "
        f"(p50 {one[1]:.0f} ms, p95 {one[2]:.0f}) | — |",
        f"| search page, {CLIENTS} clients, two nodes (each its own index and core) | {two[0]:.0f} req/s "
        f"(p50 {two[1]:.0f} ms, "
        f"p95 {two[2]:.0f}), {two[0] / one[0]:.2f}× one node | ≥ 1.7× |",
    ]
    command = f".venv/bin/python bench/bench_scale.py --pg {redact(args.pg)} --chars {args.chars}"
    body = "\n".join([
        f"{docs:,} documents, {stored:,} characters (`bench/corpus.py --chars {args.chars}`, one .txt each); "
        "PostgreSQL 15 on the same machine (2 cores shared by the servers, PostgreSQL and the load).",
        "",
        *rows,
        "",
        f"After the concurrent ingest the node held {during['documents']:,.0f} documents (its lag 0).",
        f"Reproduce: `{command}`.",
    ])
    print(body)
    if not args.no_write:
        write_section("Scale-out (PostgreSQL, several nodes)", body)


if __name__ == "__main__":
    main()
