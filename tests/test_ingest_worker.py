"""Big batches are parsed in a worker process; a worker that dies costs time, never files."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import sucai
from sucai.ingest.pipeline import PARALLEL_FROM_FILES


def _write(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        body = [
            f"关于第{i}项工作的心得体会",
            "同志们：",
            f"围绕编号{i:04d}的任务，我们坚持问题导向，把调查研究作为谋事之基、成事之道。",
            "一、提高认识",
            f"要把第{i}项工作放在全局中谋划，做到以学铸魂、以学增智、以学正风、以学促干。",
        ]
        (folder / f"{i:04d}.txt").write_text("\n".join(body), encoding="utf-8")


def test_a_killed_worker_does_not_lose_files(tmp_path: Path) -> None:
    count = PARALLEL_FROM_FILES + 40
    folder = tmp_path / "batch"
    _write(folder, count)
    killed: list[int] = []

    def kill_workers_once(done: int, _origin: str) -> None:
        if done == 10 and not killed:
            for child in multiprocessing.active_children():
                os.kill(child.pid, signal.SIGKILL)
                killed.append(child.pid)

    with sucai.open(tmp_path / "lib.db") as lib:
        report = lib.ingest([folder], progress=kill_workers_once)
        assert killed, "the batch ran without a worker process"
        assert report.failed == []
        assert len(report.documents) == count
        assert lib.search("以学铸魂").total == count
