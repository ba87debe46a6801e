"""Ingest jobs started from the admin page: run one at a time in the background, with progress to poll."""

from __future__ import annotations

import secrets
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from sucai.errors import NotFound
from sucai.library import Library
from sucai.model import IngestReport

KEEP_JOBS = 50


@dataclass
class IngestJob:
    id: str
    user: str
    files: list[str]
    total: int
    done: int = 0
    current: str = ""
    finished: bool = False
    error: str = ""
    report: IngestReport = field(default_factory=IngestReport)

    def progress(self) -> dict[str, object]:
        return {
            "id": self.id, "done": self.done, "total": max(self.total, self.done), "current": self.current,
            "finished": self.finished, "error": self.error,
            "documents": len(self.report.documents), "skipped": len(self.report.skipped),
            "failed": len(self.report.failed),
        }


class IngestJobs:
    """Jobs by id (the last few kept in memory); a lock runs them one after another."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self._jobs: OrderedDict[str, IngestJob] = OrderedDict()
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()

    def start(self, directory: Path, user: str) -> IngestJob:
        """Ingest every file in `directory` (then delete it) in a background thread."""
        from sucai.ingest.pipeline import count_inputs

        files = sorted(p.name for p in directory.iterdir())
        job = IngestJob(secrets.token_urlsafe(8), user, files, count_inputs([directory]))
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        name = f"ingest-{job.id}"
        threading.Thread(target=self._run, args=(job, directory), name=name, daemon=True).start()
        return job

    def get(self, job_id: str) -> IngestJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"没有这个导入任务：{job_id}。No such ingest job.")
        return job

    def _run(self, job: IngestJob, directory: Path) -> None:
        def progress(done: int, origin: str) -> None:
            job.done, job.current = done, origin.replace("!", "/").rsplit("/", 1)[-1]

        try:
            with self._run_lock:
                job.report = self.lib.ingest([directory], progress=progress, relative_to=directory)
        except Exception as exc:  # the page must say the job died rather than spin forever
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = True
            shutil.rmtree(directory, ignore_errors=True)
