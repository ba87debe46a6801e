"""The inbox: dropped files are ingested once each and filed under done/ or failed/, across restarts and kills."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sucai.inbox import DONE, FAILED, PROCESSING, Inbox, InboxBusy
from sucai.library import Library, open_library
from sucai.settings import Settings

COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
)


def speech(i: int) -> str:
    rng = random.Random(i)
    body = "\n".join("".join(rng.choice(COMMON) for _ in range(80)) + "。" for _ in range(4))
    return f"关于第{i}项重点工作的讲话\n同志们：\n{body}\n"


def drop(folder: Path, count: int, start: int = 0) -> list[str]:
    names = []
    for i in range(start, start + count):
        name = f"讲话{i:04d}.txt"
        (folder / name).write_text(speech(i), encoding="utf-8")
        names.append(name)
    return names


def filed(folder: Path) -> dict[str, list[str]]:
    """Every dropped file's place: outcome folder -> names (reports aside)."""
    out: dict[str, list[str]] = {}
    for outcome in (DONE, FAILED):
        out[outcome] = sorted(p.name for p in (folder / outcome).rglob("*")
                              if p.is_file() and not p.name.endswith(".report.json"))
    return out


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = open_library(settings=Settings(db=str(tmp_path / "lib.db")))
    yield library
    library.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_file_still_being_written_waits_until_it_settles(tmp_path: Path, lib: Library) -> None:
    clock = Clock()
    inbox = Inbox(tmp_path / "in", lib, settle_s=2.0, clock=clock)
    growing = tmp_path / "in" / "growing.txt"
    growing.write_text(speech(1)[:30], encoding="utf-8")
    assert inbox.run_once() == []
    clock.now = 1.5
    with open(growing, "a", encoding="utf-8") as fh:
        fh.write(speech(1)[30:])
    os.utime(growing, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert inbox.run_once() == []  # it changed: the wait starts again
    clock.now = 3.0
    assert inbox.run_once() == []
    clock.now = 3.6
    fates = inbox.run_once()
    assert [(f.name, f.outcome, f.documents) for f in fates] == [("growing.txt", "done", 1)]
    assert lib.store.count_documents() == 1
    report = json.loads((tmp_path / "in" / DONE / "growing.txt.report.json").read_text(encoding="utf-8"))
    assert report["outcome"] == "done" and report["documents"] == 1


def test_each_file_is_filed_once_with_a_report_and_nothing_is_overwritten(tmp_path: Path, lib: Library) -> None:
    folder = tmp_path / "in"
    inbox = Inbox(folder, lib, settle_s=0.0)
    drop(folder, 5)
    (folder / "坏文件.txt").write_bytes(b"\x00\x01\x02\x03 binary")
    (folder / "sub").mkdir()
    (folder / "sub" / "讲话0000.txt").write_text(speech(0), encoding="utf-8")  # same bytes as one above
    (folder / "copy.tmp").write_text("still copying", encoding="utf-8")  # a temporary name: left alone
    inbox.settled()
    fates = {f.name: f for f in inbox.run_once()}
    assert len(fates) == 7
    assert fates["坏文件.txt"].outcome == "failed" and fates["坏文件.txt"].skipped
    twins = [fates["sub/讲话0000.txt"], fates["讲话0000.txt"]]  # the same bytes twice: stored once
    assert all(f.outcome == "done" for f in twins) and sorted(f.documents for f in twins) == [0, 1]
    assert [r for f in twins for r in f.skipped] and not [e for f in twins for e in f.errors]
    assert lib.store.count_documents() == 5
    drop(folder, 1, start=0)  # the same name again: filed beside the first, never over it
    inbox.settled()
    inbox.run_once()
    assert filed(folder)[DONE].count("讲话0000 (2).txt") == 1
    assert (folder / "copy.tmp").exists()
    assert not list((folder / PROCESSING).rglob("*.txt"))


def test_a_second_watcher_on_the_same_folder_is_refused(tmp_path: Path, lib: Library) -> None:
    first = Inbox(tmp_path / "in", lib)
    first.lock()
    try:
        with pytest.raises(InboxBusy):
            Inbox(tmp_path / "in", lib).lock()
    finally:
        first.unlock()


def test_a_watcher_killed_mid_burst_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "lib.db"
    folder.mkdir()
    names = drop(folder, 150)
    (folder / "坏文件.txt").write_bytes(b"\x00\x01\x02\x03 binary")
    env = {**os.environ, "SUCAI_DB": str(db)}
    cmd = [sys.executable, "-m", "sucai", "watch", str(folder), "--settle", "0.2", "--interval", "0.1", "--json"]
    watcher = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not filed(folder)[DONE]:
        time.sleep(0.05)
    watcher.send_signal(signal.SIGKILL)  # in the middle of the burst
    watcher.wait(10)
    done_before = len(filed(folder)[DONE])
    assert done_before < len(names), "the burst finished before the kill: nothing was tested"
    subprocess.run([sys.executable, "-m", "sucai", "watch", str(folder), "--once", "--json"], env=env,
                   check=True, capture_output=True, timeout=240)
    place = filed(folder)
    assert sorted(place[DONE]) == sorted(names) and place[FAILED] == ["坏文件.txt"]
    assert not [p for p in folder.iterdir() if p.is_file() and p.suffix == ".txt"]
    assert not list((folder / PROCESSING).rglob("*.txt"))
    with open_library(settings=Settings(db=str(db))) as lib:
        assert lib.store.count_documents() == len(names)
        assert lib.search("关于第149项重点工作").total == 1
