"""Deleting is final for `reindex`; `ingest --again` takes a deleted source back deliberately."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pg_helpers import pg_schema
from scale_helpers import notice, write_notices
from sucai.cli import app
from sucai.library import Library, open_library
from sucai.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "lib.db")
    else:
        with pg_schema("del") as url:
            yield url


def open_lib(db: str, tmp_path: Path) -> Library:
    return open_library(settings=Settings(db=db, index_dir=tmp_path / "index"))


def write_jsonl(path: Path, numbers: range) -> Path:
    records = [{"title": notice(n).splitlines()[0], "content": notice(n)} for n in numbers]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reindex_keeps_deleted_documents_deleted(db: str, tmp_path: Path) -> None:
    records = write_jsonl(tmp_path / "batch.jsonl", range(1, 6))
    singles = write_notices(tmp_path / "singles", range(10, 13))
    with open_lib(db, tmp_path) as lib:
        ids = [d.id for d in lib.ingest([records, *singles]).documents]
        assert len(ids) == 8
        gone = [ids[1], ids[6]]  # the second record of the jsonl file, and one file's only document
        for doc_id in gone:
            lib.delete(doc_id)
        assert lib.reindex() == 6
        assert lib.store.count_documents() == 6 and lib.search("甲00002号").total == 0
        assert {d.id for d in lib.store.iter_documents()} == set(ids) - set(gone)  # the others keep their ids
        assert lib.search("甲00011号").total == 0 and lib.search("甲00012号").total == 1


def test_ingest_again_takes_back_a_deleted_source(db: str, tmp_path: Path) -> None:
    [path] = write_notices(tmp_path / "inbox", range(7, 8))
    runner = CliRunner()

    def sucai(*args: str) -> dict[str, list[dict[str, object]]]:
        result = runner.invoke(app, [*args, "--db", db, "--json"], env={"SUCAI_INDEX": str(tmp_path / "i")})
        assert result.exit_code == 0, result.output
        found: dict[str, list[dict[str, object]]] = json.loads(result.stdout)
        return found

    [stored] = sucai("ingest", str(path))["documents"]
    sucai("delete", str(stored["id"]))
    assert sucai("ingest", str(path))["documents"] == []  # the same bytes: skipped, the deletion stands
    [back] = sucai("ingest", "--again", str(path))["documents"]
    assert back["id"] != stored["id"] and back["title"] == stored["title"]
    with open_lib(db, tmp_path) as lib:
        assert lib.search("甲00007号").total == 1 and lib.reindex() == 1  # and reindex keeps it now
