"""Placeholder filling: fields keyed by placeholder and what follows it, filled without doubling suffixes."""

from __future__ import annotations

from sucai.compose.fill import fill, find_fields

TEMPLATE = (
    "在xx县2025年安全生产工作会议上的讲话\n"
    "X月X日，xx县召开会议，xx市领导出席。请××同志讲话。××同志要求，xx县要抓落实。"
)


def test_fields_are_keyed_by_placeholder_and_context() -> None:
    fields = {f.key: f for f in find_fields(TEMPLATE)}
    assert list(fields) == ["xx县", "X月X日", "xx市", "××同志"]
    assert fields["xx县"].count == 3
    assert (fields["xx县"].token, fields["xx县"].suffix, fields["xx县"].label) == ("xx", "县", "县名")
    assert fields["X月X日"].label == "日期"
    assert fields["××同志"].label == "姓名"
    assert "xx县" in fields["xx县"].example


def test_fill_replaces_each_field_and_keeps_the_rest() -> None:
    filled = fill(TEMPLATE, {"xx县": "平安", "X月X日": "5月20日", "xx市": "江城市", "××同志": ""})
    assert filled.startswith("在平安县2025年")
    assert "5月20日，平安县召开会议，江城市领导出席。请××同志讲话。" in filled
    assert filled.count("平安县") == 3 and "县县" not in filled and "市市" not in filled


def test_a_bare_placeholder_value_fills_every_context() -> None:
    assert fill("xx县和xx市", {"xx": "某"}) == "某县和某市"


def test_compilation_fields(compilation_text: str) -> None:
    keys = {f.key for f in find_fields(compilation_text)}
    assert {"xx镇", "××镇", "××乡", "X月X日"} <= keys


def test_sample_fields(sample_text: str) -> None:
    keys = {f.key for f in find_fields(sample_text)}
    assert {"xx", "x月x日", "XX精神", "××大地"} <= keys
