"""The lint for official writing: one test per rule on planted problems, none on the clean compilation (and
the clean shared sample, when it is present)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sucai.compose.lint import lint
from sucai.compose.lint_rules import load_lint_rules
from sucai.model import LintProblem

CLOSING = "发言完毕，不妥之处请各位领导批评指正。"


def _found(text: str, rule: str) -> list[tuple[str, str]]:
    """(the flagged text, the suggestion) for each problem of one rule."""
    return [(text[p.start : p.end], p.suggestion) for p in lint(text).problems if p.rule == rule]


def clean_sample(sample: str) -> str:
    """The sample's speeches as a writer would use them: advertisement and paywall markers out, the two
    obfuscations repaired; only the template placeholders are left."""
    speeches = sample[: sample.index(CLOSING) + len(CLOSING)]
    speeches = speeches.replace("##paidbegin##", "").replace("##paidend##", "")
    return speeches.replace("主T", "主题").replace("=+大", "二十大")


def test_clean_sample_has_only_placeholder_findings(sample_text: str) -> None:
    text = clean_sample(sample_text)
    problems = lint(text).problems
    assert {p.rule for p in problems} == {"placeholder"}
    assert {text[p.start : p.end] for p in problems} == {"X", "XX", "x月x日", "xx", "××", "××××"}


def test_raw_sample_flags_obfuscations_and_the_advert_punctuation(sample_text: str) -> None:
    rules = {p.rule for p in lint(sample_text).problems}
    assert {"placeholder", "obfuscation", "halfwidth-punct"} <= rules
    assert ("主T", "主题") in _found(sample_text, "obfuscation")
    assert ("=+大", "二十大") in _found(sample_text, "obfuscation")


def clean_compilation(text: str) -> str:
    """The fixture compilation's speeches as a writer would use them: advertisement and paywall markers out,
    the two obfuscations repaired; only the template placeholders are left."""
    speeches = text[: text.index("【公众号")]
    speeches = speeches.replace("##paidbegin##", "").replace("##paidend##", "")
    return speeches.replace("主T", "主题").replace("=+大", "二十大")


def test_clean_compilation_has_only_placeholder_findings(compilation_text: str) -> None:
    text = clean_compilation(compilation_text)
    problems = lint(text).problems
    assert {p.rule for p in problems} == {"placeholder"}
    assert {text[p.start : p.end] for p in problems} == {"xx", "××", "X月X日"}


def test_raw_compilation_flags_obfuscations_and_the_advert_punctuation(compilation_text: str) -> None:
    rules = {p.rule for p in lint(compilation_text).problems}
    assert {"placeholder", "obfuscation", "halfwidth-punct"} <= rules
    assert ("主T", "主题") in _found(compilation_text, "obfuscation")
    assert ("=+大", "二十大") in _found(compilation_text, "obfuscation")


def test_placeholder() -> None:
    text = "在xx县召开，X月X日前报某某同志，XXX单位参加，由X负责。X光检查不算。"
    assert [t for t, _ in _found(text, "placeholder")] == ["xx", "X月X日", "某某", "XXX", "X"]


def test_obfuscation() -> None:
    assert _found("深入开展主T教育，学习=+大精神。", "obfuscation") == [("主T", "主题"), ("=+大", "二十大")]
    assert _found("主Table is English", "obfuscation") == []


def test_obfuscations_beyond_the_table_are_flagged_like_ingest_repairs_them() -> None:
    found = _found("要把主ti教育抓实，坚持习j平新时代中国特色社会主义思想，推进主*题*教*育。GDP增长5%。", "obfuscation")
    assert found == [("主ti教育", "主题教育"), ("习j平新时代中国特色社会主义思想", "习近平新时代中国特色社会主义思想"),
                     ("主*题*教*育", "主题教育")]


def test_numbering_gap() -> None:
    text = "一、甲\n二、乙\n四、丁"
    assert _found(text, "numbering-gap") == [("四、", "改为「三、」")]


def test_numbering_repeat() -> None:
    text = "一、总体要求\n（一）甲\n（一）乙\n二、主要任务\n（一）丙"
    assert _found(text, "numbering-repeat") == [("（一）", "改为「（二）」")]  # 二、 restarts (一) legitimately


def test_numbering_order() -> None:
    text = "（一）先用了二级标题\n一、后出现一级标题\n二、再一个"
    found = [p for p in lint(text).problems if p.rule == "numbering-order"]
    assert [(text[p.start : p.end]) for p in found] == ["一、"]


def test_numbering_restarts_with_each_speech() -> None:
    text = "同志们：\n一、甲\n二、乙\n同志们：\n一、丙\n二、丁"
    assert not [p for p in lint(text).problems if p.rule.startswith("numbering")]


def test_halfwidth_punctuation() -> None:
    text = "我们要坚持,不断推进;确保实效.方案(试行)已印发。Version 1.2, ok. 3.5亿元"
    assert [(t, s) for t, s in _found(text, "halfwidth-punct")] == [
        (",", "，"), (";", "；"), (".", "。"), ("(", "（"), (")", "）"),
    ]


def test_unpaired_quotes_and_brackets() -> None:
    text = "他说：“要抓落实。\n学习《条例，很重要）。\n“好”《书》（注）【按】"
    found = _found(text, "unpaired")
    assert [t for t, _ in found] == ["“", "《", "）"]


def test_doubled_characters() -> None:
    text = "这是我们的的任务，做好了了。常常、天天、认认真真、实实在在、为了了解、的的确确、工作作风都不算。"
    assert [t for t, _ in _found(text, "doubled-char")] == ["的的", "了了"]


def test_long_sentence_limit_is_configurable() -> None:
    sentence = "加" * 130 + "。"
    assert _found(sentence, "long-sentence") == []  # default limit: 250
    strict = dataclasses.replace(load_lint_rules(), max_sentence_chars=120)
    found = [p for p in lint(sentence + "短句。", strict).problems if p.rule == "long-sentence"]
    assert [(p.start, p.end) for p in found] == [(0, 131)]


def test_outdated_formulations() -> None:
    text = "为决胜全面建成小康社会而奋斗，坚决打赢脱贫攻坚战。我们如期打赢了脱贫攻坚战。"
    assert [t for t, _ in _found(text, "outdated")] == ["决胜全面建成小康社会", "打赢脱贫攻坚战"]


def test_positions_are_in_the_text_as_given() -> None:
    text = "　　第一段。\r\n\t在xx县。"
    problem = next(p for p in lint(text).problems if p.rule == "placeholder")
    assert text[problem.start : problem.end] == "xx"
    assert problem == LintProblem("placeholder", problem.start, problem.end, problem.message, problem.suggestion)


def test_operators_extend_the_rules(tmp_path: Path) -> None:
    (tmp_path / "lint.toml").write_text(
        '[settings]\nmax_sentence_chars = 10\n\n[doubled]\nchars = ["就"]\n\n'
        '[[outdated]]\npattern = "老提法"\nmessage = "过时"\nsuggestion = "新提法"\n',
        encoding="utf-8",
    )
    (tmp_path / "obfuscations.tsv").write_text("# extra\n党J\t党建\n", encoding="utf-8")
    rules = load_lint_rules([tmp_path])
    text = "抓好党J工作就就是老提法。这句话已经超过了十个字吧。"
    found = {(p.rule, text[p.start : p.end], p.suggestion) for p in lint(text, rules).problems}
    assert ("obfuscation", "党J", "党建") in found
    assert ("doubled-char", "就就", "就") in found
    assert ("outdated", "老提法", "新提法") in found
    assert any(rule == "long-sentence" for rule, _, _ in found)
    assert ("obfuscation", "主T", "主题") in {(p.rule, "主T", p.suggestion) for p in lint("主T", rules).problems}
