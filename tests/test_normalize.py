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
