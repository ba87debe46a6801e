"""Paywall markers beyond ##paidbegin##: the forms scraped paid documents carry, with the same meaning.

Text between a begin and an end marker is member-only; a begin with no end runs to the end of the document.
Machine tokens count anywhere; worded markers only as a line of their own, decoration allowed. A marker is
never stored, and a sentence that merely mentions 付费 or 会员 is never a marker.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_path
from sucai.ingest.clean import clean_text
from sucai.ingest.lines import (
    _PAID_LINE_RE,
    _PAID_TOKEN_RE,
    PAID_MARKER,
    is_paid_begin,
    lines_with_offsets,
    to_lines,
)
from sucai.ingest.parse import parse_text
from sucai.model import Line

BEGINS = [
    "##paidbegin##",
    "[paid]",
    "[PAID]",
    "<!--paid-->",
    "<!-- paid begin -->",
    "【以下为付费内容】",
    "以下为付费内容",
    "以下为付费内容：",
    "【付费内容】",
    "以下内容为付费内容",
    "以下为会员可见内容",
    "——以下内容需开通会员查看——",
    "—— 以下内容仅限VIP会员阅读 ——",
    "【会员专享】",
    "★VIP专享★",
    "**以下为付费内容**",
    "## 付费内容",
    "↓↓↓ 以下为付费内容 ↓↓↓",
    "以下为付费内容（剩余2860字）",
    "剩余内容需付费查看",
    "\u3000\u3000【以下为付费内容】\u3000",
]
ENDS = [
    "##paidend##",
    "[/paid]",
    "<!--/paid-->",
    "<!-- paid end -->",
    "【付费内容结束】",
    "——会员专享内容结束——",
    "以上为付费内容",
    "以上为会员可见内容",
]
NOT_MARKERS = [
    "要规范知识付费市场秩序，保护消费者合法权益。",
    "以下为付费内容，购买后可查看全文",  # more than a marker: kept as text
    "以下为会议议程",
    "一、付费内容管理",
    "付费内容",  # a bare label needs decoration
    "会员专享",
    "本协会会员大会每年召开一次。",
    "以下内容需开通会员查看完整版请联系客服",
]


@pytest.mark.parametrize("marker", BEGINS)
def test_each_begin_form_makes_the_rest_member_only(marker: str) -> None:
    assert PAID_MARKER.fullmatch(marker) and is_paid_begin(marker)
    assert to_lines(f"免费。\n{marker}\n付费一。\n付费二。") == [
        Line("免费。"),
        Line("付费一。", True),
        Line("付费二。", True),
    ]


@pytest.mark.parametrize("marker", ENDS)
def test_each_end_form_closes_the_member_only_part(marker: str) -> None:
    assert PAID_MARKER.fullmatch(marker) and not is_paid_begin(marker)
    assert to_lines(f"免费一。\n【以下为付费内容】\n付费。\n{marker}\n免费二。") == [
        Line("免费一。"),
        Line("付费。", True),
        Line("免费二。"),
    ]


@pytest.mark.parametrize("text", NOT_MARKERS)
def test_mentions_and_longer_lines_are_not_markers(text: str) -> None:
    assert not PAID_MARKER.search(text)
    lines = to_lines(f"{text}\n后文。")
    assert "".join(x.text for x in lines) == f"{text}后文。" and not any(x.paid for x in lines)


def test_tokens_count_inside_a_line() -> None:
    assert to_lines("前面免费。[paid]中间付费。[/paid]后面免费。<!--paid-->又付费。") == [
        Line("前面免费。"),
        Line("中间付费。", True),
        Line("后面免费。"),
        Line("又付费。", True),
    ]


def test_worded_markers_count_only_as_a_whole_line() -> None:
    text = "我们必须清楚，以下为付费内容。\n正文。"
    assert [(x.text, x.paid) for x in to_lines(text)] == [("我们必须清楚，以下为付费内容。", False), ("正文。", False)]


def test_a_begin_without_an_end_runs_to_the_end_and_a_second_begin_changes_nothing() -> None:
    text = "免费。\n【付费内容】\n付费一。\n【会员专享】\n付费二。\n\n付费三。"
    assert [x.paid for x in to_lines(text)] == [False, True, True, True]


def test_offsets_skip_marker_lines() -> None:
    text = "第一行。\n——以下内容需开通会员查看——\n\u3000\u3000第二行。\n[/paid]\n第三行。"
    lines, offsets = lines_with_offsets(text)
    assert [(line.text, line.paid) for line in lines] == [("第一行。", False), ("第二行。", True), ("第三行。", False)]
    assert [text[o : o + len(line.text)] for line, o in zip(lines, offsets, strict=True)] == [
        "第一行。",
        "第二行。",
        "第三行。",
    ]


def test_advertisement_rules_never_take_a_marker() -> None:
    # svip-membership matches 开通会员 and 会员专享: the marker lines must survive cleaning untouched
    text = "免费。\n——以下内容需开通会员查看——\n付费。\n【会员专享】\n付费。\n"
    cleaned = clean_text(text)
    assert (cleaned.text, cleaned.removals) == (text, [])


def test_an_advertisement_next_to_a_marker_goes_and_the_marker_stays() -> None:
    cleaned = clean_text("免费。\n【以下为付费内容】\n点击上方蓝字关注我们\n付费。[/paid]【公众号：某某君】\n")
    assert cleaned.text == "免费。\n【以下为付费内容】\n\n付费。[/paid]\n"
    assert [r.rule for r in cleaned.removals] == ["follow-prompt", "wechat-account"]


@pytest.mark.parametrize(("begin", "end"), [(b, e) for b in BEGINS for e in ENDS[:1]] + [(BEGINS[0], e) for e in ENDS])
def test_no_marker_text_is_ever_stored(begin: str, end: str) -> None:
    text = (
        f"关于加强基层治理的几点思考\n同志们：\n基层治理是国家治理的基石。\n{begin}\n"
        f"要坚持党建引领，完善网格化管理。\n{end}\n以上是我的几点思考，谢谢大家！"
    )
    [doc] = parse_text(text, source="m.txt")
    assert [(b.text, b.paid) for b in doc.blocks[1:]] == [
        ("同志们：", False),
        ("基层治理是国家治理的基石。", False),
        ("要坚持党建引领，完善网格化管理。", True),
        ("以上是我的几点思考，谢谢大家！", False),
    ]
    assert doc.removed == []


def test_the_official_corpus_has_no_marker() -> None:
    for name in ("gov-work-reports.jsonl", "cpc-congress-reports.jsonl"):
        for line in shared_path(f"corpus/{name}").read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                assert not PAID_MARKER.search(record["content"]), record["title"]


def test_the_sample_keeps_its_two_markers(sample_text: str) -> None:
    assert [m.group(0) for m in PAID_MARKER.finditer(sample_text)] == ["##paidbegin##", "##paidend##"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*BEGINS, *ENDS, *NOT_MARKERS, "正文。", "【", "】", "——", " ", "付费", "<!--", "[paid"]))
)
def test_lines_find_the_markers_cleaning_protects(parts: list[str]) -> None:
    # clean.py keeps what PAID_MARKER finds; lines.py reads a line with two faster patterns: they must agree
    raw = "".join(parts)
    whole = _PAID_LINE_RE.match(raw)
    fast = [whole.span()] if whole else [m.span() for m in _PAID_TOKEN_RE.finditer(raw)]
    assert fast == [m.span() for m in PAID_MARKER.finditer(raw)]
