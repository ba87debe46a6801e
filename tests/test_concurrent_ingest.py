"""Ingest with several writers at once on PostgreSQL: every file gets its fate in its own report, one body is
one original, and a node following meanwhile ends with every document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pg_helpers import pg_schema
from scale_helpers import notice, wait_for, write_notices
from sucai.library import open_library
from sucai.search.follower import Follower
from sucai.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def url() -> Iterator[str]:
    with pg_schema("ci") as found:
        yield found


def start_ingest(url: str, folder: Path, index: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SUCAI_INDEX": str(index)}
    return subprocess.Popen(
        [sys.executable, "-m", "sucai", "ingest", "--db", url, "--json", str(folder)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(proc: subprocess.Popen[str]) -> dict[str, list[dict[str, object]]]:
    out, err = proc.communicate(timeout=300)
    assert "Traceback" not in err, err
    assert proc.returncode == 0, err
    report: dict[str, list[dict[str, object]]] = json.loads(out)
    assert report["failed"] == []
    return report


def test_the_same_folder_twice_at_once_gives_two_whole_reports(url: str, tmp_path: Path) -> None:
    files = write_notices(tmp_path / "inbox", range(1, 31))
    procs = [start_ingest(url, tmp_path / "inbox", tmp_path / f"index-{i}") for i in range(2)]
    reports = [finish(p) for p in procs]
    for report in reports:  # each process accounts for every file: stored, or skipped as already stored
        fates = [str(d["source"]) for d in report["documents"]] + [str(s["path"]) for s in report["skipped"]]
        assert sorted(Path(f).name for f in fates) == sorted(f.name for f in files)
        assert all("already" in str(s["reason"]) for s in report["skipped"])
    stored = [d["id"] for r in reports for d in r["documents"]]
    assert len(stored) == len(set(stored)) == 30
    with open_library(settings=Settings(db=url, index_dir=tmp_path / "check")) as lib:
        assert lib.store.count_documents() == 30 and lib.search("请认真贯彻执行").total == 30


def test_one_body_in_two_encodings_at_once_is_one_original(url: str, tmp_path: Path) -> None:
    for name, encoding in (("utf8", "utf-8"), ("gb", "gb18030")):
        folder = tmp_path / name
        folder.mkdir()
        for n in range(1, 21):
            (folder / f"{name}_{n:03d}.txt").write_text(notice(n), encoding=encoding)
    procs = [start_ingest(url, tmp_path / name, tmp_path / f"index-{name}") for name in ("utf8", "gb")]
    reports = [finish(p) for p in procs]
    documents = [d for r in reports for d in r["documents"]]
    assert len(documents) == 40  # both copies are stored (their sources differ) ...
    assert sum(d["duplicate_of"] is None for d in documents) == 20  # ... but each body once as an original
    with open_library(settings=Settings(db=url, index_dir=tmp_path / "check")) as lib:
        assert lib.store.count_documents() == 20 and lib.search("请认真贯彻执行").total == 20


def test_a_node_following_two_writers_ends_with_every_document(url: str, tmp_path: Path) -> None:
    write_notices(tmp_path / "a", range(1, 61))
    write_notices(tmp_path / "b", range(1001, 1061))
    node = open_library(settings=Settings(db=url, index_dir=tmp_path / "node"))
    node._following = True
    follower = Follower(node.engine, poll_s=0.02).start()  # polls often: it reads between the writers' commits
    try:
        procs = [start_ingest(url, tmp_path / name, tmp_path / f"index-{name}") for name in ("a", "b")]
        reports = [finish(p) for p in procs]
        assert sum(len(r["documents"]) for r in reports) == 120
        wait_for(lambda: follower.health()["lag"] == 0, what="the node catching up")
        assert node.engine.index.num_docs() == 120
        assert node.search("请认真贯彻执行", limit=0).total == 120
        assert {h.id for h in node.search("甲01060号").hits} and {h.id for h in node.search("甲00001号").hits}
    finally:  # stopped before its store closes: a follower left polling a closed store logs errors until exit
        follower.stop()
        node.close()
