"""Lint rules a new user missed: ASCII quotes in Chinese, "1、" numbering, 的 where 地 or 得 belongs; and
none of them fires on the demo documents, written as clean official text."""

from __future__ import annotations

from pathlib import Path

import pytest

from sucai.compose.lint import lint
from sucai.demo_setup import build_demo
from sucai.library import open_library

NEW_RULES = {"ascii-quote", "numbering-style", "de-di-de"}


def _found(text: str, rule: str) -> list[tuple[str, str]]:
    return [(text[p.start : p.end], p.suggestion) for p in lint(text).problems if p.rule == rule]


def test_ascii_quotes_in_chinese_text() -> None:
    text = '要牢固树立"四个意识"，坚决做到\'两个维护\'。He said "OK" and it\'s fine.'
    assert _found(text, "ascii-quote") == [('"四个意识"', "“四个意识”"), ("'两个维护'", "‘两个维护’")]


def test_arabic_numbers_with_a_dun_hao_open_no_heading() -> None:
    text = "一、总体情况\n1、加强学习\n　　2、狠抓落实\n3.规范的写法\n今年1、2月份的数据"
    assert _found(text, "numbering-style") == [("1、", "改为「1.」或「一、」"), ("2、", "改为「2.」或「二、」")]


def test_de_where_di_or_de_belongs() -> None:
    text = "要进一步的加强党的建设，把工作做的很好，防止落实的不到位。实现全面的提升，所做的很多工作。"
    assert _found(text, "de-di-de") == [
        ("进一步的加强", "进一步地加强（或进一步加强）"), ("做的很好", "做得很好"), ("落实的不到位", "落实得不到位"),
    ]


@pytest.fixture(scope="module")
def demo_texts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    db = str(tmp_path_factory.mktemp("lint") / "demo.db")
    build_demo(db)
    with open_library(db) as lib:
        _total, docs = lib.list_documents(limit=100)
        return ["\n".join(b.text for b in lib.document(d.id).blocks) for d in docs]


def test_no_new_rule_fires_on_the_demo_documents(demo_texts: list[str]) -> None:
    assert len(demo_texts) == 10
    for text in demo_texts:
        found = [(p.rule, text[p.start : p.end]) for p in lint(text).problems if p.rule in NEW_RULES]
        assert found == []


def test_operators_add_de_di_de_pairs(tmp_path: Path) -> None:
    from sucai.compose.lint_rules import load_lint_rules

    (tmp_path / "lint.toml").write_text(
        "[[de_di_de]]\npattern = '(高质量)的(完成)'\nmessage = \"用“地”\"\nsuggestion = '\\1地\\2'\n", encoding="utf-8"
    )
    text = "高质量的完成任务。"
    problems = [p for p in lint(text, load_lint_rules([tmp_path])).problems if p.rule == "de-di-de"]
    assert [(text[p.start : p.end], p.suggestion) for p in problems] == [("高质量的完成", "高质量地完成")]
