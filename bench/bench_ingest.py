"""Ingest throughput of the whole pipeline, against the floor of merely reading the bytes.

Run: .venv/bin/python bench/bench_ingest.py                       (the shared corpus, ../shared/corpus)
     .venv/bin/python bench/bench_ingest.py --synthetic 90000000  (bench/corpus.py documents, one .txt each)
Each writes its own section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import sucai
from corpus import as_text, generate
from results import write_section

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def measure(files: list[Path], work: Path) -> dict[str, float]:
    start = time.perf_counter()
    raw_chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    read_s = time.perf_counter() - start
    with sucai.open(work / "bench.db") as lib:
        start = time.perf_counter()
        report = lib.ingest(files)  # returns once every document is stored and searchable
        ingest_s = time.perf_counter() - start
        stored = lib.store.library_chars()
        assert not report.failed, report.failed[:3]
        probe = lib.search("同志们").total
    return {
        "raw": raw_chars, "read_s": read_s, "ingest_s": ingest_s, "stored": stored,
        "docs": len(report.documents), "probe": probe,
    }


def table(facts: dict[str, float]) -> str:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    read_rate = facts["raw"] / facts["read_s"]
    ingest_rate = facts["stored"] / facts["ingest_s"]
    return f"""| step | seconds | characters/s |
|---|---|---|
| baseline: read and decode the files only | {facts['read_s']:.2f} | {read_rate:,.0f} |
| `Library.ingest` (all of it; searchable on return) | {facts["ingest_s"]:.1f} | {ingest_rate:,.0f} |

{facts['docs']:,} documents, {facts['stored']:,} stored characters; a search right after found
{facts['probe']:,} documents with 同志们. Peak RSS of the process: {rss:,.0f} MiB."""


def shared_corpus() -> None:
    files = sorted(CORPUS.glob("*.jsonl"))
    if not files:
        sys.exit(f"no corpus at {CORPUS}")
    with tempfile.TemporaryDirectory() as tmp:
        facts = measure(files, Path(tmp))
    body = f"""Full pipeline (read, clean, split, structure, classify, fingerprint, phrases, store in SQLite, index in
tantivy) over {', '.join(f.name for f in files)}.

{table(facts)}

Reproduce: `.venv/bin/python bench/bench_ingest.py`."""
    write_section("Ingest (shared corpus)", body)
    print(body)


def synthetic(chars: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        start = time.perf_counter()
        for n, doc in enumerate(generate(chars)):
            (folder / f"{n:06d}.txt").write_text(as_text(doc), encoding="utf-8")
        written_s = time.perf_counter() - start
        facts = measure(sorted(folder.iterdir()), Path(tmp))
    body = f"""The same pipeline over one .txt file per document of `bench/corpus.py --chars {chars}` (paywall markers
in the files; written in {written_s:.0f} s, not counted), into a new SQLite library.

{table(facts)}

Target: ingest plus indexing of the 90M corpus ≤ 5 minutes.
Reproduce: `.venv/bin/python bench/bench_ingest.py --synthetic {chars}`."""
    write_section(f"Ingest (synthetic, {chars:,} characters)", body)
    print(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=0, help="characters of generated documents instead")
    args = parser.parse_args()
    if args.synthetic:
        synthetic(args.synthetic)
    else:
        shared_corpus()


if __name__ == "__main__":
    main()
