"""Ingest as a sequence of small steps: expand -> read -> parse -> fingerprint -> store, one file at a time.

Every file ends in the report (stored, skipped or failed with its reason); one bad file never stops the
batch, and each file is stored whole in one transaction or not at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sucai.errors import InputError, SucaiError
from sucai.ingest.limits import Limits
from sucai.ingest.parse import parse_text
from sucai.ingest.readers import SourceText, read
from sucai.ingest.sources import expand
from sucai.model import Document, Failed, IngestedDocument, IngestReport, Skipped
from sucai.originality.fingerprint import document_fingerprints
from sucai.store.base import Store, StoredFile

# (files done, origin of the file just finished)
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class IngestOptions:
    limits: Limits = field(default_factory=Limits)
    rules_dirs: tuple[Path, ...] = ()


def ingest(
    paths: Sequence[str | Path],
    store: Store,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
    after_file: Callable[[], object] | None = None,
    relative_to: Path | None = None,
) -> IngestReport:
    """Ingest files and folders into the store; `after_file` runs after each stored file (index sync).

    With `relative_to`, sources are recorded relative to that folder (an upload's temporary folder)."""
    options = options or IngestOptions()
    report = IngestReport()
    done = 0
    for found in expand(paths, options.limits):
        item = _relabel(found, relative_to)
        if isinstance(item, Failed):
            report.failed.append(item)
        elif isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            stored = _ingest_file(item, store, options, report)
            if stored and after_file is not None:
                after_file()
        done += 1
        if progress is not None:
            progress(done, _origin(item))
    return report


def count_inputs(paths: Sequence[str | Path]) -> int:
    """How many files a batch holds (an archive counts once per member later; here once), for progress."""
    total = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            total += 1
    return total


def _relabel(item: StoredFile | Failed | Skipped, root: Path | None) -> StoredFile | Failed | Skipped:
    if root is None:
        return item
    prefix = str(root).rstrip("/") + "/"

    def label(origin: str) -> str:
        return origin.removeprefix(prefix)

    if isinstance(item, StoredFile):
        return dataclasses.replace(item, origin=label(item.origin))
    return dataclasses.replace(item, path=label(item.path))


def _origin(item: StoredFile | Failed | Skipped) -> str:
    return item.origin if isinstance(item, StoredFile) else item.path


def _ingest_file(file: StoredFile, store: Store, options: IngestOptions, report: IngestReport) -> bool:
    if store.has_file(file.sha256):
        report.skipped.append(Skipped(file.origin, "already ingested (same bytes)"))
        return False
    try:
        documents = parse_file(file, options)
    except InputError as exc:
        report.failed.append(Failed(file.origin, str(exc)))
        return False
    except Exception as exc:  # a parser bug must cost one file, not the batch
        report.failed.append(Failed(file.origin, f"internal error while parsing: {type(exc).__name__}: {exc}"))
        return False
    if not documents:
        report.skipped.append(Skipped(file.origin, "no text found"))
        return False
    try:
        ids = store.add_file(file, documents, [document_fingerprints(d) for d in documents])
    except SucaiError as exc:
        report.failed.append(Failed(file.origin, f"could not store: {exc}"))
        return False
    for doc_id, doc in zip(ids, documents, strict=True):
        original = store.document(doc_id).duplicate_of
        report.documents.append(IngestedDocument(doc_id, doc.title, doc.source, doc.chars, original))
    return True


def parse_file(file: StoredFile, options: IngestOptions) -> list[Document]:
    """The documents one stored file holds (a jsonl file holds many)."""
    documents: list[Document] = []
    for text in read(file, options.limits):
        documents.extend(_parse_source_text(text, file, options))
    return documents


def _parse_source_text(text: SourceText, file: StoredFile, options: IngestOptions) -> list[Document]:
    from sucai.ingest.clean import load_rules

    rules = load_rules(options.rules_dirs)
    docs = parse_text(text.text, source=text.origin, title_hint=text.title, year_hint=text.year, rules=rules)
    return [dataclasses.replace(d, source_sha256=file.sha256) for d in docs]
