"""One document's lines -> blocks and outline: numbering schemes, run-in headings, relative levels."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sucai.ingest.structure import (
    build_blocks,
    chinese_number,
    is_closing,
    is_salutation_line,
    numbering_at,
    sentence_end,
)
from sucai.model import Block, Line


def blocks_of(*texts: str) -> list[Block]:
    return build_blocks("标题", [Line(t) for t in texts])[0]


def outline_of(*texts: str) -> list[tuple[int, str]]:
    return [(item.level, item.text) for item in build_blocks("标题", [Line(t) for t in texts])[1]]


@pytest.mark.parametrize(
    ("text", "scheme", "ordinal"),
    [
        ("一、在学深悟透上下功夫", "cn", 1),
        ("十二、加强党的建设", "cn", 12),
        ("（三）坚持问题导向科学干。", "cn-paren", 3),
        ("(2)加强领导", "num-paren", 2),
        ("3.保障措施", "num", 3),
        ("３．保障措施", "num", 3),
        ("2、工作措施", "num", 2),
        ("第四，主题教育对于实现历史使命具有重大意义", "ordinal", 4),
        ("第二部分 主要任务", "part", 2),
        ("②完善机制", "circled", 2),
        ("二要加强党性锤炼。", "seq-yao", 2),
        ("一是因时因势加强和创新宏观调控。", "seq-shi", 1),
    ],
)
def test_numbering_schemes(text: str, scheme: str, ordinal: int) -> None:
    found = numbering_at(text)
    assert found is not None and (found.scheme, found.ordinal) == (scheme, ordinal)


@pytest.mark.parametrize("text", ["1956年以来", "1.5%的增长", "一、二线城市房价", "2023年工作回顾", "其次，要深刻领会"])
def test_not_numbering(text: str) -> None:
    assert numbering_at(text) is None


def test_chinese_numbers() -> None:
    assert [chinese_number(t) for t in ("一", "十", "十一", "二十", "二十三", "九十九", "一百零五")] == [
        1,
        10,
        11,
        20,
        23,
        99,
        105,
    ]


def test_sentence_end_skips_quotes() -> None:
    text = "（三）筑牢“两个维护。”底线。后文。"
    assert text[: sentence_end(text)] == "（三）筑牢“两个维护。”底线。"


def test_run_in_heading_keeps_the_rest_as_a_paragraph() -> None:
    blocks = blocks_of(
        "二、在真抓实干上下功夫",
        "（一）扑下身子真抓实干。习近平总书记非常重视。",
        "（二）解放思想创新干。创新是第一动力。",
    )
    assert [(b.kind, b.level, b.text) for b in blocks[1:]] == [
        ("heading", 1, "二、在真抓实干上下功夫"),
        ("heading", 2, "（一）扑下身子真抓实干。"),
        ("paragraph", None, "习近平总书记非常重视。"),
        ("heading", 2, "（二）解放思想创新干。"),
        ("paragraph", None, "创新是第一动力。"),
    ]


def test_sequenced_points_after_a_heading_sentence() -> None:
    blocks = blocks_of(
        "一、要在以学铸魂上下功夫。一要坚定理想信念。要推动学习。二要加强党性锤炼。党性是基石。",
        "二、要在以学增智上下功夫。一要全面学习。坚持读原著。二要深刻领悟。全面领会。",
    )
    assert [(b.kind, b.level, b.text) for b in blocks[1:6]] == [
        ("heading", 1, "一、要在以学铸魂上下功夫。"),
        ("heading", 2, "一要坚定理想信念。"),
        ("paragraph", None, "要推动学习。"),
        ("heading", 2, "二要加强党性锤炼。"),
        ("paragraph", None, "党性是基石。"),
    ]
    assert [lvl for lvl, _ in outline_of(*(b.text for b in blocks[1:] if b.kind != "paragraph"))] == [1, 2, 2, 1, 2, 2]


def test_sequenced_points_in_running_text_are_not_headings() -> None:
    text = "其次，要把握它的重大意义。一是政治意义。就是提供理论支撑。二是理论意义。它坚持了基本原理。"
    assert outline_of("一、在学深悟透上下功夫", text, "二、在真抓实干上下功夫") == [
        (1, "一、在学深悟透上下功夫"),
        (1, "二、在真抓实干上下功夫"),
    ]
    assert blocks_of(text)[1] == Block("paragraph", text)


def test_sequenced_points_starting_paragraphs() -> None:
    assert outline_of("一、工作回顾", "一是加强宏观调控。内容。", "二是深化改革。内容。", "二、今年任务") == [
        (1, "一、工作回顾"),
        (2, "一是加强宏观调控。"),
        (2, "二是深化改革。"),
        (1, "二、今年任务"),
    ]


def test_a_number_needs_its_sequence() -> None:
    assert outline_of("第一，要坚持学习。这是前提。", "正文。") == []
    assert outline_of("1.总体要求", "正文。") == []
    assert outline_of("一是政治意义。后文。", "正文。") == []
    assert outline_of("1.总体要求", "正文。", "2.工作措施", "正文。") == [(1, "1.总体要求"), (1, "2.工作措施")]


def test_levels_follow_first_appearance() -> None:
    assert outline_of("1.总体要求", "（1）指导思想", "（2）基本原则", "2.工作措施") == [
        (1, "1.总体要求"),
        (2, "（1）指导思想"),
        (2, "（2）基本原则"),
        (1, "2.工作措施"),
    ]
    assert outline_of("（一）关于经济", "正文。", "（二）关于改革", "一是简政放权。", "二是优化服务。") == [
        (1, "（一）关于经济"),
        (1, "（二）关于改革"),
        (2, "一是简政放权。"),
        (2, "二是优化服务。"),
    ]


def test_a_list_restarting_under_its_own_heading_nests() -> None:
    assert [
        lvl
        for lvl, _ in outline_of(
            "一、总体任务", "二、主要措施", "一、稳定增长。内容。", "二、调整结构。内容。", "三、对外工作"
        )
    ] == [
        1,
        1,
        2,
        2,
        1,
    ]


def test_a_lone_heading_line_of_a_strong_scheme_counts() -> None:
    assert outline_of("三、加强组织领导", "要压实责任。") == [(1, "三、加强组织领导")]


def test_markdown_headings() -> None:
    blocks = blocks_of("## 一、主要成绩", "成绩显著。", "### （一）经济发展", "经济向好。", "## 二、存在问题")
    assert [(b.kind, b.level, b.text) for b in blocks[1:] if b.kind == "heading"] == [
        ("heading", 1, "一、主要成绩"),
        ("heading", 2, "（一）经济发展"),
        ("heading", 1, "二、存在问题"),
    ]


def test_salutations_and_closings() -> None:
    for text in ("同志们：", "各位代表：", "各位领导、同志们：", "尊敬的各位领导、各位来宾：", "各位代表！"):
        assert is_salutation_line(text), text
    for text in ("感谢各位领导！", "同志们要认真学习：", "一、同志们："):
        assert not is_salutation_line(text), text
    assert is_closing("发言完毕，不妥之处请各位领导批评指正。")
    assert is_closing("谢谢大家！")
    assert not is_closing("以上就是今年的主要任务，内容很多" * 10)
    blocks = blocks_of("同志们：", "开场。", "不当之处，敬请大家批评指正。正文继续。", "正文。", "谢谢大家！")
    assert [b.kind for b in blocks] == ["title", "salutation", "paragraph", "paragraph", "paragraph", "closing"]


def test_a_run_in_salutation_is_split_off() -> None:
    blocks = blocks_of("同志们：今天我们召开全县经济工作会议，主要任务是总结工作。")
    assert [(b.kind, b.text) for b in blocks[1:]] == [
        ("salutation", "同志们："),
        ("paragraph", "今天我们召开全县经济工作会议，主要任务是总结工作。"),
    ]


def test_no_text_is_lost_and_paid_flags_carry_over() -> None:
    lines = [
        Line("一、要在以学铸魂上下功夫。一要坚定理想信念。要推动学习。二要加强党性锤炼。党性是基石。"),
        Line("（一）扑下身子真抓实干。习近平总书记非常重视。", paid=True),
        Line("第一，做好调研。内容。", paid=True),
    ]
    blocks, outline = build_blocks("标题", lines)
    assert "".join(b.text for b in blocks[1:]) == "".join(line.text for line in lines)
    assert [b.paid for b in blocks if b.text.startswith("（一）")] == [True]
    assert all(blocks[item.block].kind == "heading" and blocks[item.block].text == item.text for item in outline)


ALPHABET = "一二三四五六七八九十是要第、，。！？；：（）()“”12.．同志们代表谢谢大家发言完毕批评指正主题教育x"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=40), max_size=12))
def test_structure_never_loses_or_reorders_text(texts: list[str]) -> None:
    blocks, outline = build_blocks("标题", [Line(t) for t in texts])
    assert "".join(b.text for b in blocks[1:]) == "".join(texts)
    assert all(b.text for b in blocks)
    assert all(item.level >= 1 and blocks[item.block] == Block("heading", item.text, item.level) for item in outline)


def test_a_closing_quote_stays_with_the_sentence_before_a_point() -> None:
    blocks = blocks_of("一、要在以学铸魂上下功夫。一要坚定信念。要“学思想。”二要锤炼党性。党性是基石。", "二、以学增智")
    assert [b.text for b in blocks[1:-1]] == [
        "一、要在以学铸魂上下功夫。",
        "一要坚定信念。",
        "要“学思想。”",
        "二要锤炼党性。",
        "党性是基石。",
    ]
