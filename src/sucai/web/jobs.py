"""Ingest jobs started from the admin page: run one at a time in the background of the node that received
the files; their progress is kept in the store, so a poll answered by any node sees it."""

from __future__ import annotations

import json
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sucai.errors import NotFound
from sucai.library import Library
from sucai.model import Failed, IngestedDocument, IngestReport, Skipped, to_dict
from sucai.store.base import JobRow

PROGRESS_EVERY = 0.5  # seconds between progress writes (one small transaction each)
HEARTBEAT = 30.0  # a running job touches its row this often, even inside one long file
STALE_AFTER = timedelta(minutes=5)  # a running job silent this long lost its process


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

    @classmethod
    def from_row(cls, row: JobRow, now: datetime | None = None) -> IngestJob:
        job = cls(row.id, row.user, row.files, row.total, row.done, row.current, row.finished, row.error,
                  _report(row.report))
        silent = (now or datetime.now(UTC)) - datetime.fromisoformat(row.updated_at)
        if not row.finished and silent > STALE_AFTER:  # its process died (a restart, a crash)
            job.finished = True
            job.error = job.error or "导入任务所在的服务进程已停止，任务未完成；请重新上传未入库的文件。"
        return job

    def progress(self) -> dict[str, object]:
        return {
            "id": self.id, "done": self.done, "total": max(self.total, self.done), "current": self.current,
            "finished": self.finished, "error": self.error,
            "documents": len(self.report.documents), "skipped": len(self.report.skipped),
            "failed": len(self.report.failed),
        }


def _report(text: str | None) -> IngestReport:
    if not text:
        return IngestReport()
    data = json.loads(text)
    return IngestReport(
        documents=[IngestedDocument(**d) for d in data.get("documents", [])],
        skipped=[Skipped(**s) for s in data.get("skipped", [])],
        failed=[Failed(**f) for f in data.get("failed", [])],
    )


class IngestJobs:
    """Starts jobs on this node (one after another) and reads any job's state from the store."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self._run_lock = threading.Lock()

    def start(self, directory: Path, user: str) -> IngestJob:
        """Ingest every file in `directory` (then delete it) in a background thread."""
        from sucai.ingest.pipeline import count_inputs

        files = sorted(p.name for p in directory.iterdir())
        job = IngestJob(secrets.token_urlsafe(12), user, files, count_inputs([directory]))
        self.lib.store.add_job(job.id, user, files, job.total)
        name = f"ingest-{job.id}"
        threading.Thread(target=self._run, args=(job, directory), name=name, daemon=True).start()
        return job

    def get(self, job_id: str) -> IngestJob:
        row = self.lib.store.job(job_id)
        if row is None:
            raise NotFound(f"没有这个导入任务：{job_id}。No such ingest job.")
        return IngestJob.from_row(row)

    def _run(self, job: IngestJob, directory: Path) -> None:
        store, written = self.lib.store, [0.0]
        stop = threading.Event()

        def save() -> None:
            store.update_job(job.id, job.done, job.current)
            written[0] = time.monotonic()

        def progress(done: int, origin: str) -> None:
            job.done, job.current = done, origin.replace("!", "/").rsplit("/", 1)[-1]
            if time.monotonic() - written[0] >= PROGRESS_EVERY:
                save()

        def heartbeat() -> None:
            while not stop.wait(HEARTBEAT):
                save()

        threading.Thread(target=heartbeat, name=f"ingest-{job.id}-heartbeat", daemon=True).start()
        try:
            with self._run_lock:
                job.report = self.lib.ingest([directory], progress=progress, relative_to=directory)
        except Exception as exc:  # the page must say the job died rather than spin forever
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            stop.set()
            report = json.dumps(to_dict(job.report), ensure_ascii=False)
            store.update_job(job.id, job.done, job.current, finished=True, error=job.error, report=report)
            shutil.rmtree(directory, ignore_errors=True)
