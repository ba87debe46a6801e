"""End to end through the `sucai` command: the project's compilation (and the shared sample and corpus, when
they are beside the repository), re-ingest, a batch with bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import COMPILATION, SAMPLE, shared_path
from sucai.cli import app
from sucai.export import strip_zero_width

runner = CliRunner()


def run_json(*args: str, ok: bool = True) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    if ok:
        assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "lib.db")


def test_sample_gives_four_documents_with_titles_and_salutations(db: str) -> None:
    report = run_json("ingest", str(shared_path(SAMPLE)), "--db", db)
    assert len(report["documents"]) == 4
    assert report["failed"] == []
    for entry in report["documents"]:
        doc = run_json("show", str(entry["id"]), "--db", db)
        assert "发言材料" in doc["title"] and "主T" not in doc["title"]
        assert any(b["kind"] == "salutation" and b["text"] == "同志们：" for b in doc["blocks"])
        text = "".join(b["text"] for b in doc["blocks"])
        for banned in ("主T", "=+大", "##paid", "哒哒", "公众号", "客服"):
            assert banned not in text


COMPILATION_TITLES = ["2024年主题教育专题学习研讨发言材料", "在主题教育专题读书班结业式上的交流发言"]


def test_the_compilation_gives_two_documents_with_repaired_titles_and_salutations(db: str) -> None:
    report = run_json("ingest", str(COMPILATION), "--db", db)
    assert report["failed"] == []
    titles = []
    for entry in report["documents"]:
        doc = run_json("show", str(entry["id"]), "--db", db)
        titles.append(doc["title"])
        assert any(b["kind"] == "salutation" and b["text"] == "同志们：" for b in doc["blocks"])
        text = "".join(b["text"] for b in doc["blocks"])
        for banned in ("主T", "=+大", "##paid", "墨香", "公众号", "客服"):
            assert banned not in text
        assert "主题" in text
    assert titles == COMPILATION_TITLES


def test_list_reports_every_document(db: str) -> None:
    run_json("ingest", str(COMPILATION), "--db", db)
    listing = run_json("list", "--db", db)
    assert listing["total"] == 2
    assert {"id", "title", "source", "year", "genre", "chars"} <= set(listing["documents"][0])


def test_same_file_again_changes_nothing(db: str) -> None:
    path = str(COMPILATION)
    run_json("ingest", path, "--db", db)
    again = run_json("ingest", path, "--db", db)
    assert again["documents"] == []
    assert [s["reason"] for s in again["skipped"]] == ["already ingested (same bytes)"]
    assert run_json("list", "--db", db)["total"] == 2


def test_same_text_in_another_file_is_a_duplicate(db: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text(COMPILATION.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    first = run_json("ingest", str(COMPILATION), "--db", db)
    second = run_json("ingest", str(copy), "--db", db)
    originals = [d["id"] for d in first["documents"]]
    assert len(originals) == 2 and [d["duplicate_of"] for d in second["documents"]] == originals
    assert run_json("list", "--db", db)["total"] == 2


def test_export_txt_and_md(db: str, tmp_path: Path) -> None:
    report = run_json("ingest", str(COMPILATION), "--db", db)
    doc_id = str(report["documents"][1]["id"])
    for fmt in ("txt", "md"):
        target = tmp_path / f"out.{fmt}"
        run_json("export", doc_id, "--format", fmt, "-o", str(target), "--db", db)
        text = strip_zero_width(target.read_text(encoding="utf-8"))  # a trace may weave marks into the text
        assert "读书班是一次能力的提升" in text and COMPILATION_TITLES[1] in text


def test_corpus_gov_work_reports(db: str) -> None:
    report = run_json("ingest", str(shared_path("corpus/gov-work-reports.jsonl")), "--db", db)
    assert len(report["documents"]) == 72
    assert report["failed"] == []


def test_batch_with_bad_files_stores_the_good_ones_and_fails(db: str, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "good.txt").write_text("学习心得\n同志们：\n这是一篇正常的心得体会，内容完整。\n", encoding="utf-8")
    (batch / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (batch / "empty.txt").write_bytes(b"")
    (batch / "bad.docx").write_bytes(b"PK\x03\x04 not really a docx")
    result = runner.invoke(app, ["ingest", str(batch), "--db", db, "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [Path(d["source"]).name for d in report["documents"]] == ["good.txt"]
    failed = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert set(failed) == {"bad.docx"}
    assert all(failed.values())
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}  # binary data is judged, not failed
    assert skipped == {"empty.txt": "empty file", "junk.txt": "binary data, not text"}


def test_module_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "sucai", "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in result.stdout
