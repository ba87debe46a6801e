"""What a new user tripped on at the command line: overwrites, queries starting with '-', the demo's port and
passwords, the library made without a word, wrapped pipes, plurals, the trace line."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sucai.cli import app
from sucai.demo_setup import build_demo, passwords_file

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("trips") / "demo.db")
    build_demo(db)
    return db


@pytest.fixture
def db(demo_db: str, tmp_path: Path) -> str:
    """A copy of the demo library for a test that writes to it."""
    copy = tmp_path / "lib.db"
    shutil.copy(demo_db, copy)
    return str(copy)


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


# -- export never overwrites ------------------------------------------------------------------------
def test_export_refuses_to_overwrite_an_existing_file(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "讲话.docx"
    target.write_bytes(b"my own speech")
    result = run("export", "3", "--format", "docx", "-o", str(target), "--db", demo_db)
    assert result.exit_code != 0
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.output
    assert target.read_bytes() == b"my own speech"


def test_export_refusal_with_json_is_an_error_object(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "讲话.txt"
    target.write_text("mine", encoding="utf-8")
    result = run("export", "3", "--format", "txt", "-o", str(target), "--db", demo_db, "--json")
    assert result.exit_code != 0
    obj = json.loads(result.stdout)
    assert "already exists" in obj["error"] and obj["exit_code"] == result.exit_code
    assert target.read_text(encoding="utf-8") == "mine"


def test_export_force_overwrites(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "讲话.txt"
    target.write_text("mine", encoding="utf-8")
    result = run("export", "3", "--format", "txt", "-o", str(target), "--force", "--db", demo_db, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bytes"] == target.stat().st_size > 4


def test_export_to_the_default_name_does_not_overwrite_either(
    demo_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = run("export", "3", "--format", "md", "--db", demo_db, "--json")
    assert first.exit_code == 0, first.output
    written = Path(json.loads(first.stdout)["path"])
    written.write_text("edited by me", encoding="utf-8")
    second = run("export", "3", "--format", "md", "--db", demo_db)
    assert second.exit_code != 0
    assert written.read_text(encoding="utf-8") == "edited by me"


# -- queries that start with '-' ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "args", [["-党课 以学铸魂"], ["--", "-党课 以学铸魂"], ["-党课", "以学铸魂"]], ids=["quoted", "dashdash", "words"]
)
def test_a_query_may_start_with_an_exclusion(demo_db: str, args: list[str]) -> None:
    result = run("search", "--db", demo_db, "--json", *args)
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    plain = json.loads(run("search", "以学铸魂", "--db", demo_db, "--json").stdout)
    assert 0 < obj["total"] < plain["total"]  # the exclusion took effect: some documents mention 党课


def test_a_misspelt_option_is_an_error_not_a_search_term(demo_db: str) -> None:
    result = run("search", "--db", demo_db, "以学铸魂", "--limt", "5")
    assert result.exit_code == 2 and "--limt" in result.output


# -- the library made without a word ------------------------------------------------------------------
def test_the_first_command_says_where_it_created_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUCAI_DB", raising=False)
    first = run("list", "--json")
    assert first.exit_code == 0
    assert str(tmp_path / "library.db") in first.stderr.replace("\n", "")
    assert json.loads(first.stdout)["total"] == 0  # stdout stays one JSON object
    second = run("list", "--json")
    assert "library.db" not in second.stderr


# -- output for pipes and people ---------------------------------------------------------------------
def test_piped_output_is_not_wrapped(demo_db: str) -> None:
    result = run("list", "--db", demo_db)
    long_title = "党建引领聚合力 网格治理暖民心——在全市基层治理工作推进会上的交流发言"
    assert any(long_title in line for line in result.stdout.splitlines())
    phrases = run("phrases", "--db", demo_db, "--limit", "50")
    assert all(line.startswith("[") or " of " in line for line in phrases.stdout.splitlines() if line)


def test_counts_are_singular_for_one(demo_db: str) -> None:
    result = run("search", "title:述职述廉", "--db", demo_db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 document contains")
    listing = run("list", "--db", demo_db, "--limit", "1")
    assert "10 documents" in listing.stdout


def test_reindex_counts_its_documents(db: str) -> None:
    result = run("reindex", "--db", db)
    assert result.exit_code == 0, result.output
    assert "indexed 10 documents" in result.stderr
    assert json.loads(run("reindex", "--db", db, "--json").stdout) == {"indexed": 10}


def test_trace_names_the_document(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    assert run("export", "3", "--format", "txt", "-o", str(target), "--db", demo_db).exit_code == 0
    result = run("trace", str(target), "--db", demo_db)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("document #3")


# -- the demo -----------------------------------------------------------------------------------------
@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_busy_port_is_named_without_a_traceback(command: str, busy_port: int, tmp_path: Path) -> None:
    result = run(command, "--port", str(busy_port), "--db", str(tmp_path / "d.db"))
    assert result.exit_code != 0
    assert f"port {busy_port}" in result.stderr and "busy" in result.stderr
    assert f"--port {busy_port + 1}" in result.stderr
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit | None)
    assert not (tmp_path / "d.db").exists()  # the port is checked before the library is built


def test_demo_prints_the_same_passwords_under_a_header_every_run(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    first = run("demo", "--no-serve", "--db", db)
    second = run("demo", "--no-serve", "--db", db)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    lines = first.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split() == ["tier", "account", "password"])
    rows = [line.split() for line in lines[header + 1 :]]
    assert [row[0] for row in rows] == ["guest", "free", "member", "svip", "admin"]
    kept = passwords_file(db).read_text(encoding="utf-8")
    assert all(row[2] in kept for row in rows[1:])
