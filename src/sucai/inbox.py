"""The inbox: files dropped into a folder (copied, moved, synced from a shared drive) are ingested within
seconds and moved to ``done/`` or ``failed/`` with a per-file report beside them.

    inbox = Inbox(Path("收件箱"), library)
    fates = inbox.run_once()            # resume what a stopped run left, then take what has settled

A file is taken once its size and modification time have stood still for `settle_s` (a copy or a sync
still writing it is waited out). Taking is a rename into ``.processing/``, so a restart finds there exactly
the files whose ingest may not have finished and ingests them again — ingest skips a file already stored by
its hash, so nothing is stored twice, and a file leaves ``.processing/`` only after its fate is written.
One watcher per folder: a lock file refuses a second.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sucai.errors import InputError
from sucai.ingest.pipeline import ALREADY_INGESTED
from sucai.model import IngestReport, to_dict

if TYPE_CHECKING:
    from sucai.library import Library

PROCESSING, DONE, FAILED = ".processing", "done", "failed"
LOCK_NAME = ".sucai-inbox.lock"
REPORT_SUFFIX = ".report.json"
# Names a copy or a sync writes before the real one appears, and our own files.
_TEMPORARY_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".download", REPORT_SUFFIX)
BATCH_FILES = 64  # files ingested per call: filed as each call ends (64 is where parsing moves to a worker process)


@dataclass(frozen=True)
class InboxFate:
    """What became of one dropped file."""

    name: str  # its path inside the inbox
    outcome: str  # "done" or "failed"
    documents: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    moved_to: str = ""


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class InboxBusy(InputError):
    """Another watcher holds this inbox."""


class Inbox:
    def __init__(self, folder: Path, library: Library, settle_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = Path(folder)
        self.library = library
        self.settle_s = settle_s
        self.clock = clock
        self._seen: dict[str, _Seen] = {}
        self._lock_file: IO[str] | None = None
        for sub in (PROCESSING, DONE, FAILED):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)

    # -- one watcher per folder ---------------------------------------------------------------------
    def lock(self) -> None:
        handle = open(self.folder / LOCK_NAME, "w")  # held for the watcher's life, closed by unlock()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise InboxBusy(f"收件箱 {self.folder} 已有另一个进程在处理。Another watcher holds {self.folder}.") from exc
        self._lock_file = handle

    def unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # -- finding settled files ----------------------------------------------------------------------
    def _candidates(self) -> Iterator[Path]:
        skip = {PROCESSING, DONE, FAILED}
        for root, dirs, files in os.walk(self.folder):
            rel_root = Path(root).relative_to(self.folder)
            if rel_root == Path("."):
                dirs[:] = [d for d in dirs if d not in skip and not d.startswith(".")]
            else:
                dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith((".", "~$")) or name.endswith(_TEMPORARY_SUFFIXES):
                    continue
                yield rel_root / name

    def settled(self) -> list[Path]:
        """Files whose size and modification time have not changed for settle_s (relative paths)."""
        now, ready, present = self.clock(), [], set()
        for rel in self._candidates():
            key = str(rel)
            present.add(key)
            try:
                stat = (self.folder / rel).stat()
            except FileNotFoundError:
                continue
            seen = self._seen.get(key)
            if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                self._seen[key] = _Seen(stat.st_size, stat.st_mtime_ns, now)
            elif now - seen.since >= self.settle_s:
                ready.append(rel)
        self._seen = {k: v for k, v in self._seen.items() if k in present}
        return sorted(ready)

    def claim(self, rels: list[Path]) -> list[Path]:
        """Move settled files into .processing/ (a rename: atomic, and a restart knows what was taken)."""
        claimed = []
        for rel in rels:
            target = self.folder / PROCESSING / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(self.folder / rel, target)
            except FileNotFoundError:
                continue  # gone meanwhile (moved away by its owner)
            self._seen.pop(str(rel), None)
            claimed.append(rel)
        return claimed

    def in_processing(self) -> list[Path]:
        base = self.folder / PROCESSING
        return sorted(p.relative_to(base) for p in base.rglob("*") if p.is_file())

    # -- ingesting and filing -----------------------------------------------------------------------
    def process(self, rels: list[Path]) -> list[InboxFate]:
        base = self.folder / PROCESSING
        fates: list[InboxFate] = []
        for start in range(0, len(rels), BATCH_FILES):
            batch = rels[start : start + BATCH_FILES]
            report = self.library.ingest([base / rel for rel in batch], relative_to=base)
            fates += [self._file(rel, report) for rel in batch]
        return fates

    def _file(self, rel: Path, report: IngestReport) -> InboxFate:
        """Write the file's report and move it out of .processing/ to done/ or failed/."""
        fate = fate_of(str(rel), report)
        target = _free_name(self.folder / fate.outcome / rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        fate = InboxFate(**{**to_dict(fate), "moved_to": str(target.relative_to(self.folder))})
        report_path = target.with_name(target.name + REPORT_SUFFIX)
        report_path.write_text(json.dumps(to_dict(fate), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(self.folder / PROCESSING / rel, target)
        return fate

    def run_once(self) -> list[InboxFate]:
        """Finish what a stopped run left in .processing/, then take and ingest every settled file."""
        leftovers = self.in_processing()
        fates = self.process(leftovers) if leftovers else []
        claimed = self.claim(self.settled())
        return fates + (self.process(claimed) if claimed else [])

    def run(self, stop: threading.Event, interval_s: float = 1.0,
            on_fates: Callable[[list[InboxFate]], None] | None = None) -> None:
        """Watch until `stop` is set: a pass every interval_s (polling works on every file system and share)."""
        self.lock()
        try:
            while not stop.is_set():
                fates = self.run_once()
                if fates and on_fates is not None:
                    on_fates(fates)
                stop.wait(interval_s)
        finally:
            self.unlock()


def _owns(rel: str, path: str) -> bool:
    """Whether a report entry (a source like a.zip/x.txt or a.jsonl#3) comes from the dropped file rel."""
    return path == rel or path.startswith((rel + "/", rel + "#"))


def fate_of(rel: str, report: IngestReport) -> InboxFate:
    """One dropped file's part of a batch's report: failed when any part of it failed or nothing was kept."""
    docs = [d for d in report.documents if _owns(rel, d.source)]
    skipped = [s.reason for s in report.skipped if _owns(rel, s.path)]
    errors = [f.error for f in report.failed if _owns(rel, f.path)]
    already = bool(skipped) and all(r == ALREADY_INGESTED for r in skipped)
    # A file that gave documents is done, even when some members of an archive failed (listed in its report).
    outcome = "done" if docs or (already and not errors) else "failed"
    return InboxFate(rel, outcome, documents=len(docs), duplicates=sum(d.duplicate_of is not None for d in docs),
                     skipped=skipped, errors=errors)


def _free_name(path: Path) -> Path:
    """The path, or the first 'name (2).ext' that does not exist yet: a file is never overwritten."""
    if not path.exists():
        return path
    for n in range(2, 10_000):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
    raise InputError(f"too many files named {path.name} in {path.parent}")
