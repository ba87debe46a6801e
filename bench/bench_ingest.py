"""Ingest throughput on the shared corpus (../shared/corpus), against the floor of merely reading the bytes.

Run: .venv/bin/python bench/bench_ingest.py      (writes the "Ingest" section of bench/RESULTS.md)
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import sucai
from results import write_section

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    files = sorted(CORPUS.glob("*.jsonl"))
    if not files:
        sys.exit(f"no corpus at {CORPUS}")
    start = time.perf_counter()
    raw_chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    read_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp, sucai.open(Path(tmp) / "bench.db") as lib:
        start = time.perf_counter()
        report = lib.ingest(files)
        ingest_s = time.perf_counter() - start
        stored = lib.store.library_chars()  # type: ignore[attr-defined]
        docs = len(report.documents)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    body = f"""Full pipeline (read, clean, split, structure, classify, fingerprint, store in SQLite, index in tantivy)
over {', '.join(f.name for f in files)}: {docs} documents, {stored:,} stored characters.

| step | seconds | characters/s |
|---|---|---|
| baseline: read and decode the files only | {read_s:.3f} | {raw_chars / read_s:,.0f} |
| `Library.ingest` (everything) | {ingest_s:.2f} | {stored / ingest_s:,.0f} |

Peak RSS of the process: {rss:.0f} MiB. Reproduce: `.venv/bin/python bench/bench_ingest.py`."""
    write_section("Ingest (shared corpus)", body)
    print(body)


if __name__ == "__main__":
    main()
