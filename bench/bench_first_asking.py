"""What a first asking costs, by query class and by pass over the matching documents: where the search page's
p95 is made (a query asked for the first time is computed; a repeated one is answered from what was kept).

    .venv/bin/python bench/bench_first_asking.py                    (the 90M library; writes "First askings")
    .venv/bin/python bench/bench_first_asking.py --chars 9000000 --no-write

In-process and single-threaded, on bench_web.py's large library (built the first time), without kept answers:
`Library.search(limit=20, snippets=False)` as the results page asks it, CPU and wall per query, per viewer
(guest: free text only; operator: all text); then, per class, the engine's passes timed alone: the counting
pass with each facet aggregation on its own and all together, and the ranking (search/ranking.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_search import choose_queries
from bench_web import SEARCH_CLASSES, large_library
from corpus import SEED
from results import write_section
from sucai import access
from sucai.library import Library, open_library
from sucai.normalize import normalize_paragraphs
from sucai.search.engine import FACET_SIZE, match_query
from sucai.search.index import fields_for
from sucai.search.query import parse
from sucai.search.ranking import ranked_page
from sucai.search.result_cache import ResultCache
from sucai.settings import Settings

VIEWERS = (("guest", access.GUEST), ("member", access.OPERATOR))


def mean_ms(fn: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    """(mean CPU ms, mean wall ms) of fn over the queries (CPU includes the engine's counting thread)."""
    cpu, wall = [], []
    for q in queries:
        c0, w0 = time.process_time(), time.perf_counter()
        fn(q)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return statistics.mean(cpu), statistics.mean(wall)


def pass_times(lib: Library, queries: list[str], paid: bool) -> dict[str, float]:
    """Mean wall ms of each engine pass alone over these queries."""
    engine = lib.engine
    schema, searcher, fields = engine.index.schema, engine.index.searcher(), fields_for(paid)
    aggs: dict[str, dict[str, Any]] = {
        name: {"terms": {"field": fields.facet(name), "size": FACET_SIZE, "segment_size": FACET_SIZE}}
        for name in ("genre", "year", "tag")
    }
    aggs["total"] = {"value_count": {"field": "id"}}
    runs: dict[str, Callable[[Any, Any], object]] = {
        f"{name} alone": lambda p, m, one={name: agg}: searcher.aggregate(m, one) for name, agg in aggs.items()
    }
    runs["counting pass"] = lambda p, m: searcher.aggregate(m, aggs)
    runs["ranking"] = lambda p, m: ranked_page(searcher, schema, p, m, 20, 0)
    compiled = {q: (parse(q), match_query(schema, parse(q), fields)) for q in queries}  # outside the timing
    return {name: mean_ms(lambda q, run=run: run(*compiled[q]), queries)[1] for name, run in runs.items()}


def measure(chars: int) -> str:
    db = large_library(chars)
    lib = open_library(db, Settings.from_env(db=str(db)))
    try:
        _total, summaries = lib.list_documents(limit=10**9)
        texts = [normalize_paragraphs(b.text for b in lib.document(s.id).blocks) for s in summaries]
        chosen = choose_queries(texts, lib.engine, SEED)
        lib.search("的")  # the index opened and warm
        lib.engine.answers = ResultCache(entries=0)
        rows = ["| class | viewer | matching documents (median) | CPU ms | wall ms | counting pass ms | of it: tag "
                "facet alone | genre | year | total | ranking ms |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for name in SEARCH_CLASSES:
            for viewer_name, viewer in VIEWERS:
                queries = chosen[name]
                totals = [lib.search(q, viewer=viewer, snippets=False).total for q in queries]
                cpu, wall = mean_ms(lambda q, v=viewer: lib.search(q, limit=20, viewer=v, snippets=False), queries)
                passes = pass_times(lib, queries, access.can_read_paid(viewer))
                rows.append(
                    f"| {name} | {viewer_name} | {int(statistics.median(totals)):,} | {cpu:.1f} | {wall:.1f} | "
                    f"{passes['counting pass']:.2f} | {passes['tag alone']:.2f} | {passes['genre alone']:.2f} | "
                    f"{passes['year alone']:.2f} | {passes['total alone']:.2f} | {passes['ranking']:.2f} |"
                )
                print(rows[-1], file=sys.stderr)
        docs = f"{len(summaries):,} documents, {sum(s.chars for s in summaries):,} characters"
    finally:
        lib.close()
    return "\n".join([
        f"In-process, one thread, {docs}; {len(chosen[SEARCH_CLASSES[0]])} queries per class, no kept answers. "
        "`CPU ms` includes the engine's counting thread (it runs beside the ranking, so CPU exceeds wall). The "
        "passes are timed alone, each evaluating the query over every matching document: the counting pass "
        "(exact total and the genre, year and tag facets in one aggregation; each aggregation alone beside it) "
        "and the ranking (title tiers, BM25, ties by id). A guest's facets come from the free-text fields.",
        "",
        *rows,
        "",
        f"Reproduce: `.venv/bin/python bench/bench_first_asking.py"
        f"{'' if chars == 90_000_000 else f' --chars {chars}'}`.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chars", type=int, default=90_000_000, help="size of the large library")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    body = measure(args.chars)
    print(body)
    if not args.no_write:
        write_section("First askings", body)


if __name__ == "__main__":
    main()
