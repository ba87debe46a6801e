"""The shared sample in every format material arrives in: throughput and fidelity per format.

Run: .venv/bin/python bench/bench_formats.py [--copies 40] [--converted-copies 8]
Each format's file is built once (tests/sample_formats.py: .doc, .odt, .rtf and .pdf by LibreOffice from a
.docx), then made into distinct copies without changing its text (a zip comment, a trailing PDF comment, ...)
so that none is skipped as already ingested; the copies are ingested into a new SQLite library and timed.
Fidelity is judged against the .txt: titles, outlines and member-only text of the four documents, and the
characters of the reference the format lost. Writes the "Formats" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import sucai
from results import write_section
from sample_formats import CONVERTED, FORMATS, build
from sucai.ingest.limits import Limits
from sucai.ingest.readers import read
from sucai.ingest.readers.pdf import pdf_pages
from sucai.ingest.readers.pdf_layout import layout
from sucai.ingest.sources import expand
from sucai.model import Document
from sucai.store.base import StoredFile

NOTE = (
    "PDF: about half the reader's CPU is PDFium parsing the pages, the rest the line geometry in Python; the\n"
    "target of 20 PDF files/s holds per CPU-second for this 8-page file (its first speech alone, 3 pages, reads\n"
    "at 67 files/CPU-s), while the wall rates are what 2 cores shared with other work gave. .doc/.odt/.rtf cost\n"
    "about 1.2 CPU-seconds per file, nearly all of it LibreOffice starting up once per conversion.\n\n"
)
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "000_c3783159abc01423.txt"


def copies(fmt: str, data: bytes, count: int) -> list[bytes]:
    """Distinct files with the same text: what changes is a comment or padding no reader turns into text."""
    if fmt in ("docx", "odt"):
        return [_with_zip_comment(data, n) for n in range(count)]
    if fmt in ("zip", "7z"):  # the member itself must differ, or it is skipped as already ingested
        return [build(fmt, SAMPLE.read_text(encoding="utf-8") + "\n" * n) or b"" for n in range(count)]
    if fmt == "doc":
        return [data + bytes(512 * n) for n in range(count)]  # whole unused sectors after an OLE file
    if fmt == "pdf":
        return [data + f"\n% copy {n}\n".encode() for n in range(count)]
    if fmt == "html":
        return [data + f"<!-- copy {n} -->".encode() for n in range(count)]
    return [data + b"\n" * n for n in range(count)]  # txt, md, csv, rtf: trailing blank lines


def _with_zip_comment(data: bytes, n: int) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.comment = f"copy {n}".encode()
    return out.getvalue()


def ingest(files: list[Path], db: Path) -> tuple[float, list[Document], int]:
    with sucai.open(db) as lib:
        start = time.perf_counter()
        report = lib.ingest(files)
        seconds = time.perf_counter() - start
        first = str(files[0])
        docs = [lib.document(d.id) for d in report.documents if d.source.split("!")[0].split("#")[0] == first]
        return seconds, docs, len(report.failed) + len(report.skipped)


def shape(doc: Document) -> tuple[str, list[tuple[int | None, str]], str]:
    return doc.title, [(o.level, o.text) for o in doc.outline], "".join(b.text for b in doc.blocks if b.paid)


def chars_lost(reference: list[Document], docs: list[Document]) -> int:
    """Characters of the reference's documents (whitespace aside) that the format's documents lack."""
    def count(ds: list[Document]) -> Counter[str]:
        return Counter(ch for d in ds for b in d.blocks for ch in b.text if not ch.isspace())

    return sum((count(reference) - count(docs)).values())


def measure(fmt: str, data: bytes, count: int, work: Path, reference: list[Document] | None) -> dict[str, object]:
    folder = work / fmt
    folder.mkdir()
    files = []
    for n, variant in enumerate(copies(fmt, data, count)):
        path = folder / f"sample-{n:03d}.{fmt}"
        path.write_bytes(variant)
        files.append(path)
    read_seconds, read_cpu = read_only(fmt, files)
    seconds, docs, problems = ingest(files, work / f"{fmt}.db")
    reference = reference or docs
    ref_shapes, shapes = [shape(d) for d in reference], [shape(d) for d in docs]
    pairs = list(zip(ref_shapes, shapes, strict=False))
    total = sum(len(b.text) for d in reference for b in d.blocks)
    return {
        "fmt": fmt, "files": count, "rate": count / seconds, "read_rate": count / read_seconds,
        "cpu_rate": count / read_cpu, "docs": len(docs),
        "problems": problems,
        "titles": sum(a[0] == b[0] for a, b in pairs), "outlines": sum(a[1] == b[1] for a, b in pairs),
        "paid": sum(a[2].replace(" ", "") == b[2].replace(" ", "") for a, b in pairs), "expected": len(reference),
        "lost": chars_lost(reference, docs), "total": total, "docs_list": docs,
    }


def read_only(fmt: str, files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds (this process and LibreOffice's) of the reader alone over the files; archives are
    expanded first. The PDF reader's CPU is measured in this process (its helper's is not counted by rusage)."""
    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    start_cpu, start = cpu(), time.perf_counter()
    for item in expand(files, Limits()):
        assert isinstance(item, StoredFile), item
        read(item, Limits())
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
    if fmt == "pdf":
        start_cpu = cpu()
        for path in files:
            layout(pdf_pages(path.read_bytes()))
        cpu_seconds = cpu() - start_cpu
    return seconds, cpu_seconds


def row(m: dict[str, object]) -> str:
    lost, total, expected = int(m["lost"]), int(m["total"]), m["expected"]  # type: ignore[call-overload]
    cells = [
        m["fmt"], m["files"], f"{m['read_rate']:.1f}", f"{m['cpu_rate']:.1f}", f"{m['rate']:.1f}", m["docs"],
        f"{m['titles']}/{expected}",
        f"{m['outlines']}/{expected}", f"{m['paid']}/{expected}", f"{lost} ({lost / max(total, 1):.2%})",
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=40, help="files per format")
    parser.add_argument("--converted-copies", type=int, default=8, help="files per LibreOffice format (slow)")
    args = parser.parse_args()
    if not SAMPLE.exists():
        sys.exit(f"no sample at {SAMPLE}")
    text = SAMPLE.read_text(encoding="utf-8")
    rows: list[str] = []
    missing: list[str] = []
    reference: list[Document] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.txt"  # rules, index and the PDF helper started before any timing
        warm.write_text(text, encoding="utf-8")
        ingest([warm], Path(tmp) / "warm.db")
        pdf = build("pdf", "预热")
        if pdf is not None:
            read(StoredFile("warm.pdf", "", pdf, "pdf"), Limits())
        for fmt in FORMATS:
            data = build(fmt, text, title=text.split("\n", 1)[0])
            if data is None:
                missing.append(fmt)
                continue
            count = args.converted_copies if fmt in CONVERTED and fmt != "pdf" else args.copies
            facts = measure(fmt, data, count, Path(tmp), reference)
            if reference is None:
                reference = facts["docs_list"]  # type: ignore[assignment]
            rows.append(row(facts))
            print(rows[-1], flush=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    body = f"""The shared sample (a compilation of four speeches with a member-only part, 10.6k characters; as a PDF
8 pages) in each format, ingested whole (read, clean, split, structure, classify, fingerprint, store, index)
into a new SQLite library, one process ("read": the format's reader alone, `readers.read`; "ingest": the whole
pipeline, `Library.ingest`; files/CPU-s: per CPU-second of the reader, LibreOffice included, a figure that
other load on the machine does not halve). Load average while measuring: {load}. Right = the same as from the .txt (the
first row) for titles, outlines and member-only (paid) text; chars lost = the .txt's document characters (whitespace
aside) missing from the format's documents. .doc, .odt, .rtf, .pdf are LibreOffice's conversions of a .docx
of the sample; the .doc, .rtf and .odt rows include one LibreOffice conversion per file (headless, a fresh
profile each).

| format | files | read files/s | read files/CPU-s | ingest files/s | docs | titles | outlines | paid | chars lost |
|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
{f"{chr(10)}Not measured (LibreOffice absent): {', '.join(missing)}." if missing else ""}
{NOTE}Reproduce: `.venv/bin/python bench/bench_formats.py` (needs ../shared and LibreOffice)."""
    write_section("Formats", body)
    print(body)


if __name__ == "__main__":
    main()
