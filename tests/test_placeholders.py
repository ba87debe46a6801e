"""Placeholders a writer must fill in are found per block with offsets; real words and years are not."""

from __future__ import annotations

import pytest

from sucai.ingest.placeholders import find_placeholders
from sucai.model import Block, Placeholder


def found(text: str) -> list[str]:
    return [p.text for p in find_placeholders([Block("paragraph", text)])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("作为欠发达、欠开发的xx来说", ["xx"]),
        ("重要指示在XX条条落实", ["XX"]),
        ("XXX同志在会上指出", ["XXX"]),
        ("书写在××大地上", ["××"]),
        ("助推“××××”建设", ["××××"]),
        ("去年x月x日，在中央政治局民主生活会上", ["x月x日"]),
        ("于X月X日召开", ["X月X日"]),
        ("20xx年上半年工作总结", ["20xx年"]),
        ("某某同志，某某某局长", ["某某", "某某某"]),
        ("〇〇县委书记", ["〇〇"]),
        ("□□单位", ["□□"]),
        ("会议召开后，X立即召开了主题教育动员部署会", ["X"]),
        ("地区生产总值增长X.X%，财政收入XX.X亿元", ["X.X", "XX.X"]),
        ("城镇调查失业率下降X个百分点，增速为X%", ["X", "X"]),
    ],
)
def test_placeholders_are_found(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "使用Excel和Xbox，尺码XXL，maxx值",
        "第XIX届会议，X光检查，X射线，X型结构",
        "二〇〇三年政府工作报告，一九〇〇年",
        "某县一名干部",
        "3x3的方阵",
        "被告人何某某、王某某等人",  # anonymised names are left as they are
        "经查，王X华违规收受礼品，由李X负责",
        "升级到Windows X.Y后，Python 3.11.x可用",
    ],
)
def test_real_words_and_years_are_not_placeholders(text: str) -> None:
    assert found(text) == []


def test_offsets_and_block_indexes() -> None:
    blocks = [Block("title", "20xx年工作总结"), Block("paragraph", "正文。"), Block("paragraph", "在xx县，某某同志")]
    assert find_placeholders(blocks) == [
        Placeholder("20xx年", 0, 0, 5),
        Placeholder("xx", 2, 1, 3),
        Placeholder("某某", 2, 5, 7),
    ]
