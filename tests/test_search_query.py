"""The query language: every form a user may type, and clear messages for what cannot be parsed."""

from __future__ import annotations

import pytest

from sucai.errors import QueryError
from sucai.search.query import AnyOf, Filter, ParsedQuery, Phrase, parse


def _one(atom: Phrase | Filter) -> AnyOf:
    return AnyOf((atom,))


def test_space_separated_terms_are_all_required() -> None:
    assert parse("以学铸魂  以学增智") == ParsedQuery((_one(Phrase("以学铸魂")), _one(Phrase("以学增智"))))


def test_terms_are_normalised_like_the_indexed_text() -> None:
    assert parse("以學鑄魂").must == (_one(Phrase("以学铸魂")),)  # traditional -> simplified
    assert parse("ＡＢＣ").must == (_one(Phrase("abc")),)  # full width, case folded


def test_a_quoted_phrase_keeps_its_words_together() -> None:
    assert parse('"以学 铸魂" 增智').must == (_one(Phrase("以学铸魂")), _one(Phrase("增智")))


def test_a_leading_minus_excludes() -> None:
    parsed = parse('主题教育 -乡村 -"以学 正风"')
    assert parsed.must == (_one(Phrase("主题教育")),)
    assert parsed.must_not == (_one(Phrase("乡村")), _one(Phrase("以学正风")))


def test_or_joins_the_terms_on_each_side() -> None:
    parsed = parse("乡村 OR 城市 OR 县域 振兴")
    assert parsed.must == (AnyOf((Phrase("乡村"), Phrase("城市"), Phrase("县域"))), _one(Phrase("振兴")))


def test_lowercase_or_and_quoted_or_are_words() -> None:
    assert parse("a or b").must == (_one(Phrase("a")), _one(Phrase("or")), _one(Phrase("b")))
    assert parse('a "OR" b').must[1] == _one(Phrase("or"))


def test_filters() -> None:
    parsed = parse('genre:讲话 year:2023 tag:主题教育 title:"研讨 发言" 以学')
    assert parsed.must == (
        _one(Filter("genre", "讲话")),
        _one(Filter("year", year_from=2023, year_to=2023)),
        _one(Filter("tag", "主题教育")),
        _one(Filter("title", "研讨发言")),
        _one(Phrase("以学")),
    )


def test_year_ranges_and_excluded_filters() -> None:
    assert parse("year:2020-2023 a").must[0] == _one(Filter("year", year_from=2020, year_to=2023))
    assert parse("year:2023..2020 a").must[0] == _one(Filter("year", year_from=2020, year_to=2023))
    assert parse("a -genre:讲话").must_not == (_one(Filter("genre", "讲话")),)


def test_a_filter_alone_is_a_query() -> None:
    assert parse("genre:讲话").must == (_one(Filter("genre", "讲话")),)


def test_colons_that_are_not_filters_are_text() -> None:
    assert parse("同志们：").must == (_one(Phrase("同志们:")),)  # a full-width colon
    assert parse("10:30").must == (_one(Phrase("10:30")),)
    assert parse('"http://x"').must == (_one(Phrase("http://x")),)


def test_a_lone_minus_is_searched_for() -> None:
    assert parse("a - b").must == (_one(Phrase("a")), _one(Phrase("-")), _one(Phrase("b")))


def test_phrases_for_highlighting_are_the_positive_ones_longest_first() -> None:
    parsed = parse("学 以学铸魂 OR 增智 -乡村 title:发言")
    assert parsed.phrases() == ["以学铸魂", "增智", "学"]
    assert parsed.title_phrases() == ["以学铸魂", "发言", "增智", "学"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ('"以学铸魂', "quote"),
        ('以学 "铸魂', "quote"),
        ("-乡村", "exclusion"),
        ("-乡村 -城市", "exclusion"),
        ("OR", "OR"),
        ("乡村 OR", "OR"),
        ("OR 乡村", "OR"),
        ("乡村 OR OR 城市", "OR"),
        ("乡村 OR -城市", "exclusion"),
        ("author:张三", "Unknown filter"),
        ("year:abc", "Invalid year"),
        ("year:", "Invalid year"),
        ("genre:", "needs a value"),
        ('""', "nothing to search"),
        ("title:", "nothing to search"),
        ("\u200b", "nothing to search"),
        ("x" * 1001, "too long"),
    ],
)
def test_malformed_queries_get_a_message_in_chinese_and_english(query: str, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    message = str(caught.value)
    assert fragment in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
