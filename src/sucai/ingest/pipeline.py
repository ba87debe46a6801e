"""Ingest as a sequence of small steps: expand -> read -> parse -> fingerprint -> store, one file at a time.

Every file ends in the report (stored, skipped or failed with its reason); one bad file never stops the
batch, and each file is stored whole in one transaction or not at all.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from sucai.compose.phrases import Phrase, extract_phrases
from sucai.errors import InputError, SucaiError
from sucai.ingest.limits import Limits
from sucai.ingest.page import StubPage
from sucai.ingest.parse import parse_text
from sucai.ingest.readers import NotRead, SourceText, read
from sucai.ingest.sources import expand
from sucai.model import Document, Failed, IngestedDocument, IngestReport, Removal, Skipped
from sucai.originality.fingerprint import document_fingerprints
from sucai.store.base import Fingerprint, Store, StoredFile
from sucai.store.originals import AlreadyStored

UNDECODABLE_RULE = "undecodable-bytes"  # the rule named by the removal a damaged file's first document carries
# (files done, origin of the file just finished)
Progress = Callable[[int, str], None]
PARALLEL_FROM_FILES = 64  # below this, starting a worker process costs more than it saves
WINDOW = 8  # files prepared ahead of the one being stored
STORING_THREADS = 2  # where the store takes concurrent writers
STORING_AHEAD = 4  # files stored ahead of the one being reported
# Files asked about at once (is it stored already?): one round trip for a group rather than one per file, which
# on PostgreSQL kept the process that hands files out waiting. Bounded in bytes too: a group is held in memory.
CHECK_FILES = 8
CHECK_BYTES = 64 * 1024 * 1024

ALREADY_INGESTED = "already ingested (same bytes)"  # the skip reason of a file stored before


@dataclass(frozen=True)
class IngestOptions:
    limits: Limits = field(default_factory=Limits)
    rules_dirs: tuple[Path, ...] = ()
    again: bool = False  # files already stored are taken back whole, deleted documents too (`ingest --again`)


def ingest(
    paths: Sequence[str | Path],
    store: Store,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
    relative_to: Path | None = None,
) -> IngestReport:
    """Ingest files and folders into the store (the caller keeps the search index up with it).

    With `relative_to`, sources are recorded relative to that folder (an upload's temporary folder).
    Big batches are parsed in a worker process while this one stores (on two threads where the store takes
    concurrent writers); every file is stored whole in one transaction, or not at all."""
    options = options or IngestOptions()
    report = IngestReport()
    items = (_relabel(found, relative_to) for found in expand(paths, options.limits))
    # Each file is settled (reported, counted) in the order it came, wherever it was stored.
    in_flight: deque[tuple[str, Stored | Future[Stored]]] = deque()
    done = 0

    def settle(keep: int) -> None:
        nonlocal done
        while len(in_flight) > keep:
            origin, outcome = in_flight.popleft()
            _record(report, outcome.result() if isinstance(outcome, Future) else outcome)
            done += 1
            if progress is not None:
                progress(done, origin)

    with _pool_for(paths) as pool, _storers_for(store) as storers:
        for item, outcome in _outcomes(items, store, options, pool):
            result: Stored | Future[Stored] = outcome if not isinstance(outcome, Prepared) else []
            if isinstance(outcome, Prepared):
                assert isinstance(item, StoredFile)  # _start prepares stored files only
                if storers is not None:
                    result = storers.submit(_store_file, item, outcome, store, options.again)
                else:
                    result = _store_file(item, outcome, store, options.again)
            in_flight.append((_origin(item), result))
            settle(STORING_AHEAD)
        settle(0)
    return report


def _storers_for(store: Store) -> AbstractContextManager[ThreadPoolExecutor | None]:
    """Threads that store files side by side, where the store takes concurrent writers (PostgreSQL: while
    one thread waits for the server, another sends the next file). One connection (SQLite): none."""
    if not store.parallel_writes:
        return nullcontext()
    return ThreadPoolExecutor(max_workers=STORING_THREADS, thread_name_prefix="sucai-store")


def _record(report: IngestReport, stored: Stored) -> None:
    if isinstance(stored, Failed):
        report.failed.append(stored)
    elif isinstance(stored, Skipped):
        report.skipped.append(stored)
    else:
        report.documents.extend(stored)


@dataclass(frozen=True)
class Prepared:
    """A file parsed and fingerprinted, ready to store (made in a worker process for big batches)."""

    documents: list[Document]
    fingerprints: list[list[Fingerprint]]
    phrases: list[list[Phrase]]


Outcome = Prepared | Failed | Skipped
Stored = list[IngestedDocument] | Failed | Skipped  # what became of a prepared file


def prepare(file: StoredFile, options: IngestOptions) -> Outcome:
    """Parse and fingerprint one file; every failure becomes this file's Failed, never the batch's."""
    try:
        documents = parse_file(file, options)
    except NotRead as exc:  # passed over on purpose (a scanned PDF, no LibreOffice): skipped, not failed
        return Skipped(file.origin, str(exc))
    except InputError as exc:
        return Failed(file.origin, str(exc))
    except Exception as exc:  # a parser bug must cost one file, not the batch
        return Failed(file.origin, f"internal error while parsing: {type(exc).__name__}: {exc}")
    if not documents:
        return Skipped(file.origin, "no text found")
    return Prepared(
        documents, [document_fingerprints(d) for d in documents], [extract_phrases(d) for d in documents]
    )


def _pool_for(paths: Sequence[str | Path]) -> AbstractContextManager[ProcessPoolExecutor | None]:
    if count_inputs(paths) < PARALLEL_FROM_FILES:
        return nullcontext()
    workers = max(1, (os.cpu_count() or 2) - 1)  # one core stays with the storing process
    # spawn, not fork: the caller may be a web server with threads (forking those can deadlock).
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent, initargs=(os.getpid(),),
    )


def _die_with_parent(parent: int) -> None:
    """A worker whose ingest was killed (SIGKILL leaves no one to stop it) exits instead of idling forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="sucai-parent-watch", daemon=True).start()


def _outcomes(
    items: Iterable[StoredFile | Failed | Skipped], store: Store, options: IngestOptions,
    pool: ProcessPoolExecutor | None,
) -> Iterator[tuple[StoredFile | Failed | Skipped, Outcome]]:
    """Each input with what became of it, in order; with a pool, files are prepared up to WINDOW ahead."""
    pending: deque[tuple[StoredFile | Failed | Skipped, Outcome | Future[Outcome]]] = deque()
    seen: set[str] = set()
    for group in _groups(items):
        files = [item.sha256 for item in group if isinstance(item, StoredFile)]
        stored = store.stored_files(files) if files and not options.again else set()
        for item in group:
            pending.append((item, _start(item, options, pool, seen, stored)))
            while len(pending) > WINDOW:
                yield _resolved(*pending.popleft(), options)
    while pending:
        yield _resolved(*pending.popleft(), options)


def _groups(items: Iterable[StoredFile | Failed | Skipped]) -> Iterator[list[StoredFile | Failed | Skipped]]:
    """The inputs in order, in groups of at most CHECK_FILES and (but for a single large file) CHECK_BYTES."""
    group: list[StoredFile | Failed | Skipped] = []
    size = 0
    for item in items:
        weight = len(item.data) if isinstance(item, StoredFile) else 0
        if group and (len(group) >= CHECK_FILES or size + weight > CHECK_BYTES):
            yield group
            group, size = [], 0
        group.append(item)
        size += weight
    if group:
        yield group


def _start(
    item: StoredFile | Failed | Skipped, options: IngestOptions, pool: ProcessPoolExecutor | None,
    seen: set[str], stored: set[str],
) -> Outcome | Future[Outcome]:
    """Parse a file (in the pool when there is one), unless it is in this batch already or was stored before
    (`stored`: found so in the store just now; a writer storing it meanwhile is told so when it stores)."""
    if not isinstance(item, StoredFile):
        return item
    if item.sha256 in seen or item.sha256 in stored:
        return Skipped(item.origin, ALREADY_INGESTED)
    seen.add(item.sha256)
    if pool is not None:
        try:
            return pool.submit(prepare, item, options)
        except BrokenProcessPool:  # a worker died earlier: the rest of the batch is prepared here
            pass
    return prepare(item, options)


def _resolved(
    item: StoredFile | Failed | Skipped, outcome: Outcome | Future[Outcome], options: IngestOptions
) -> tuple[StoredFile | Failed | Skipped, Outcome]:
    if not isinstance(outcome, Future):
        return item, outcome
    try:
        return item, outcome.result()
    except BrokenProcessPool:  # the worker died (killed, out of memory): do the work here instead
        assert isinstance(item, StoredFile)
        return item, prepare(item, options)


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


def _store_file(file: StoredFile, prepared: Prepared, store: Store, again: bool = False) -> Stored:
    """One file stored in one transaction: its documents, or why it was not stored."""
    try:
        try:
            ids = store.add_file(file, prepared.documents, prepared.fingerprints, prepared.phrases)
        except AlreadyStored:  # stored before (or by another writer meanwhile)
            if not again:
                return Skipped(file.origin, ALREADY_INGESTED)
            ids = store.restore_file(file.sha256, prepared.documents, prepared.fingerprints)
    except SucaiError as exc:
        return Failed(file.origin, f"could not store: {exc}")
    originals = store.originals_of(ids)  # one query for the file, not one per document
    return [
        IngestedDocument(doc_id, doc.title, doc.source, doc.chars, originals.get(doc_id))
        for doc_id, doc in zip(ids, prepared.documents, strict=True)
    ]


def parse_file(file: StoredFile, options: IngestOptions) -> list[Document]:
    """The documents one stored file holds (a jsonl file holds many)."""
    documents: list[Document] = []
    stub: StubPage | None = None
    for text in read(file, options.limits):
        try:
            documents.extend(_parse_source_text(text, file, options))
        except StubPage as exc:  # a stub record of a csv or jsonl file costs only itself
            stub = exc
    if not documents and stub is not None:
        raise stub  # a NotRead: skipped with its reason
    return documents


def _parse_source_text(text: SourceText, file: StoredFile, options: IngestOptions) -> list[Document]:
    from sucai.ingest.clean import load_rules

    rules = load_rules(options.rules_dirs)
    docs = parse_text(text.text, source=text.origin, title_hint=text.title, year_hint=text.year, rules=rules)
    if docs and text.dropped:  # said where removals are: the file's first document carries it
        docs[0].removed.append(undecodable_removal(text.dropped))
    return [dataclasses.replace(d, source_sha256=file.sha256) for d in docs]


def undecodable_removal(runs: int) -> Removal:
    """What a damaged or cut file lost in decoding (its stored bytes keep everything)."""
    return Removal(
        UNDECODABLE_RULE,
        f"源文件有 {runs} 处无法解码的字节（文件被截断或损坏），已略去。"
        f"{runs} undecodable byte run(s) of the source file left out (a cut or damaged file).",
    )
