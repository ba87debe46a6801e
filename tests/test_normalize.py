from hypothesis import given, settings
from hypothesis import strategies as st

from sucai.normalize import (
    PARAGRAPH_SEP,
    normalize,
    normalize_paragraphs,
    normalize_with_offsets,
    original_span,
)


def test_width_case_and_whitespace_fold() -> None:
    assert normalize("ＡＢｃ　１９５５ 年\n报告") == "abc1955年报告"


def test_traditional_becomes_simplified() -> None:
    assert normalize("我們國家的經濟") == "我们国家的经济"


def test_query_and_text_agree_character_by_character() -> None:
    text = "關於憲法草案的報告"
    assert normalize(text[2:6]) in normalize(text)


def test_offsets_map_back_to_the_original() -> None:
    text = "主题 教育\n在基层"
    norm, offsets = normalize_with_offsets(text)
    start = norm.index("题教")
    a, b = original_span(offsets, start, start + 2)
    assert text[a:b] == "题 教"


def test_paragraph_separator_never_in_a_query() -> None:
    joined = normalize_paragraphs(["第一段结尾", "第二段开头"])
    assert PARAGRAPH_SEP in joined
    assert normalize("结尾 第二") not in joined
    assert normalize(PARAGRAPH_SEP) == ""


def test_normal_form_holds_no_whitespace() -> None:
    assert normalize("a\u00a8b\u3000c\u2003d") == "a\u0308bcd"


# Characters from every kind the table handles: CJK (traditional and simplified), full-width forms,
# compatibility ideographs and enclosed forms (㈶ -> (财)), ellipses, spaces, zero-width marks.
_VARIED = "主题教育學習經濟，。（）：；！？、…　 \t\u200b㈶㈠ＡＢｃ１½ﬁ¨a,.()"
_VARIED += "".join(map(chr, range(0x3200, 0x3260)))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_VARIED, max_size=60) | st.text(max_size=40))
def test_normalize_equals_the_character_table_and_is_idempotent(text: str) -> None:
    from sucai.normalize import _table

    assert normalize(text) == text.translate(_table())
    assert normalize(normalize(text)) == normalize(text)


def test_many_distinct_changing_characters_take_the_table_path() -> None:
    traditional = "關於憲法草案的報告經濟體制改革實現現代化建設發展過程學習運動會議開幕閉幕選舉團結"
    assert normalize(traditional) == "关于宪法草案的报告经济体制改革实现现代化建设发展过程学习运动会议开幕闭幕选举团结"
