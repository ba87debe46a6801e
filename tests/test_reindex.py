"""`sucai reindex`: stored sources re-parsed with today's rules, ids kept, the search index rebuilt from the store."""

from __future__ import annotations

import shutil
from pathlib import Path

import sucai
from conftest import COMPILATION, project_documents
from sucai.settings import Settings


def test_reindex_applies_new_rules_and_keeps_ids(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.db")
    with sucai.open(db) as lib:
        ids = [d.id for d in lib.ingest([COMPILATION]).documents]
        assert len(ids) == 2 and lib.search("聚焦安全隐患抓整治").total == 1

    rules = tmp_path / "rules"
    rules.mkdir()
    # An operator decides a phrase is boilerplate to strip: one rule file, no code.
    (rules / "ads.txt").write_text("operator-boilerplate 请同志们批评指正。\n", encoding="utf-8")
    settings = Settings.from_env(db=db, rules_dirs=(rules,))
    with sucai.open(db, settings=settings) as lib:
        assert lib.search("请同志们批评指正").total == 1
        lib.reindex()
        assert [d.id for d in lib.list_documents()[1]][::-1] == ids
        assert lib.search("请同志们批评指正").total == 0
        assert lib.search("聚焦安全隐患抓整治").total == 1
        first = lib.document(ids[0])
        assert any(r.rule == "operator-boilerplate" for r in first.removed)


def test_index_thrown_away_is_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    with sucai.open(db) as lib:
        lib.ingest(project_documents())
        index_dir = lib.settings.resolved_index_dir()
        before = lib.search("以严治党").total
    shutil.rmtree(index_dir)
    with sucai.open(db) as lib:
        assert lib.search("以严治党").total == before == 2  # the compilation's first speech and the report
