"""A batch killed with SIGKILL leaves a library that opens, holds only whole files, and search agrees with it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import sucai

FILES = 150
DOCS_PER_FILE = 2


def _write_batch(folder: Path) -> None:
    folder.mkdir()
    for i in range(FILES):
        parts = [f"第{i}批学习材料两篇"]
        for j in range(DOCS_PER_FILE):
            parts += [
                f"关于加强基层治理的发言{i}之{j}" if j else "",
                "同志们：",
                f"今天我们围绕唯一标记{i:04d}号{j}开展交流研讨，大家结合实际谈了认识体会。",
                "一、提高政治站位",
                f"要深刻认识基层治理的重要意义，第{i}号材料第{j}篇对此作了阐述。",
                "二、压实工作责任",
                "要把责任扛在肩上，把任务落到实处，确保各项工作取得实效。",
                "发言完毕，不妥之处请批评指正。",
            ]
        (folder / f"f{i:04d}.txt").write_text("\n".join(p for p in parts if p), encoding="utf-8")


def _stored_documents(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_sigkill_during_ingest_leaves_whole_files(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    _write_batch(folder)
    db = tmp_path / "lib.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sucai", "ingest", str(folder), "--db", str(db), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _stored_documents(db) < 20 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        per_file = conn.execute("SELECT file_id, COUNT(*) FROM documents GROUP BY file_id").fetchall()
    assert per_file, "the batch was killed before any file was stored"
    assert all(count == DOCS_PER_FILE for _file, count in per_file)
    stored_files = len(per_file)
    assert stored_files < FILES, "the batch finished before it was killed: make it longer"

    with sucai.open(db) as lib:
        assert lib.store.count_documents() == stored_files * DOCS_PER_FILE
        assert lib.search("唯一标记").total == stored_files * DOCS_PER_FILE
        report = lib.ingest([folder])  # the rest of the batch: nothing lost, nothing twice
        assert len(report.documents) == (FILES - stored_files) * DOCS_PER_FILE
        assert lib.search("唯一标记").total == FILES * DOCS_PER_FILE
