"""Generic repair of disguised key terms: each known trick repaired, ordinary text never touched."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import project_documents, shared_path
from sucai.ingest.clean import clean_text, load_rules, repair_text
from sucai.ingest.deobfuscate import Deobfuscator, chinese_numbers, merge_terms
from sucai.ingest.parse import parse_text
from sucai.model import Repair


@pytest.fixture(scope="module")
def deob() -> Deobfuscator:
    deobfuscator = load_rules().deobfuscator
    assert deobfuscator is not None
    return deobfuscator


def fixed(deob: Deobfuscator, text: str) -> str:
    """The text with the generic repairs alone made (no literal table)."""
    out, pos = [], 0
    for fix in deob.find(text):
        out += [text[pos : fix.start], fix.replaced]
        pos = fix.end
    return "".join(out) + text[pos:]


# ---------------------------------------------------------------- trick 1: Latin letters for pinyin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("开展主T教育。", "开展主题教育。"),
        ("开展主ti教育。", "开展主题教育。"),
        ("深化主题jiao育成果", "深化主题教育成果"),
        ("开展主TI教育", "开展主题教育"),
        ("开展主Ｔ教育", "开展主题教育"),  # full-width letter
        ("zt教育要见实效", "主题教育要见实效"),
        ("习j平总书记强调", "习近平总书记强调"),
        ("习J平同志指出", "习近平同志指出"),
        ("xi近平同志指出", "习近平同志指出"),
        ("加强党风lian政建设", "加强党风廉政建设"),
        ("学习二十da精神", "学习二十大精神"),
        ("严格落实中Y八项规定精神", "严格落实中央八项规定精神"),
        ("做到两个wei护", "做到两个维护"),
        ("弘扬chang征精神", "弘扬长征精神"),  # 长 read chang, not its commonest reading zhang
        ("学习贯彻新思xiang", "学习贯彻新思想"),
        ("认真开展批评与自我pi评", "认真开展批评与自我批评"),
    ],
)
def test_latin_letters_standing_for_pinyin_are_repaired(deob: Deobfuscator, text: str, expected: str) -> None:
    assert fixed(deob, text) == expected


# ---------------------------------------------------------------- trick 2: look-alike numerals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("学习党的=+大精神", "学习党的二十大精神"),
        ("学习党的＝＋大精神", "学习党的二十大精神"),
        ("学习二+大报告", "学习二十大报告"),
        ("学习2十大报告", "学习二十大报告"),
        ("学习20大精神", "学习二十大精神"),
        ("党的20大胜利召开", "党的二十大胜利召开"),
        ("党的２０大以来，", "党的二十大以来，"),
        ("十⑨大以来", "十九大以来"),
        ("党的二⑩大", "党的二十大"),
        ("二十届3中全会作出部署", "二十届三中全会作出部署"),
        ("20届三中全会作出部署", "二十届三中全会作出部署"),
        ("增强4个意识、坚定4个自信", "增强四个意识、坚定四个自信"),
        ("开展3严3实专题教育", "开展三严三实专题教育"),
        ("共建一带1路倡议", "共建一带一路倡议"),
    ],
)
def test_look_alike_numerals_are_repaired(deob: Deobfuscator, text: str, expected: str) -> None:
    assert fixed(deob, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "全省20大项目全部开工",
        "实施20大工程",
        "位列第20大",
        "跻身全球前20大港口",
        "增强4个意识形态领域的工作",
        "选出3个代表团",
        "提高1个百分点",
        "C919大飞机首飞",
        "1+1大于2",
        "今年是2023年",
        "中央8项规定要求",  # a count-shaped term must end where the term ends
    ],
)
def test_numbers_that_are_counts_or_ranks_are_left_alone(deob: Deobfuscator, text: str) -> None:
    assert deob.find(text) == []


# ---------------------------------------------------------------- trick 3: separators inside a term


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("开展主*题*教*育", "开展主题教育"),
        ("开展主-题教育", "开展主题教育"),
        ("开展主.题教育", "开展主题教育"),
        ("开展主·题教育", "开展主题教育"),
        ("开展主 题 教 育活动", "开展主题教育活动"),
        ("开展主\u3000题\u3000教\u3000育活动", "开展主题教育活动"),
        ("习/近/平总书记", "习近平总书记"),
        ("主*题*教*育", "主题教育"),  # marks, not letter-spacing, even alone on a line
    ],
)
def test_separators_inside_a_term_are_removed(deob: Deobfuscator, text: str, expected: str) -> None:
    assert fixed(deob, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "主题、教育",  # real punctuation
        "主题，教育",
        "主题——教育",
        "主题 教育",  # one gap between two words
        "学习党的 二十大精神",
        "习近平 总书记",
        "（2022年10月16日）\n\n习\u3000近\u3000平\n\n同志们：",  # a letter-spaced byline (the congress reports)
        "\n主 题 教 育\n",  # a letter-spaced heading
        "主----题教育",  # a rule of dashes is not a separator (up to three marks per gap)
    ],
)
def test_real_punctuation_and_letter_spacing_are_kept(deob: Deobfuscator, text: str) -> None:
    assert deob.find(text) == []


# ---------------------------------------------------------------- ordinary Latin and placeholders


@pytest.mark.parametrize(
    "text",
    [
        "GDP增长5.2%",
        "5G网络覆盖所有乡镇",
        "A股市场平稳运行",
        "用PPT汇报主题教育成效",
        "下载App学习党史",
        "CT检查和B超、X光",
        "省委T恤衫",
        "主T恤",  # not 主题: 主题 alone is no term
        "主Table中的字段",
        "Public domain",
        "学习Marxism理论",
        "详见www.gov.cn和http://www.12371.cn",
        "型号为ZT-100的设备",
        "xx县主题教育",
        "XX同志在主题教育中",
        "X立即召开了主题教育动员部署会",
        "X近平",  # a lone X is a placeholder too
        "××大地上",
        "在xx乡村振兴",
        "PM2.5浓度下降",
        "甲型H1N1流感",
    ],
)
def test_ordinary_latin_and_placeholders_are_left_alone(deob: Deobfuscator, text: str) -> None:
    assert deob.find(text) == []


# ---------------------------------------------------------------- recorded like a table repair


def test_generic_repairs_are_recorded_like_table_repairs_with_offsets() -> None:
    text = "开展主ti教育。\n【公众号：哒哒君】\n学习党的20大精神，主T教育，习j平总书记，主ti教育。"
    cleaned = clean_text(text)
    assert cleaned.text == "开展主题教育。\n\n学习党的二十大精神，主题教育，习近平总书记，主题教育。"
    assert cleaned.repairs == [
        Repair("主ti教育", "主题教育", 2),
        Repair("党的20大精神", "党的二十大精神", 1),
        Repair("主T", "主题", 1),  # the table's own repair, unchanged
        Repair("习j平总书记", "习近平总书记", 1),
    ]
    for offset, _found, replaced in cleaned.repaired:
        assert cleaned.text[offset : offset + len(replaced)] == replaced
    assert [o for o, _, _ in cleaned.repaired] == sorted(o for o, _, _ in cleaned.repaired)
    [(removed_at, removal)] = cleaned.removed
    assert removed_at == len("开展主题教育。\n") and "哒哒" in removal.text


def test_repairs_go_to_the_document_they_fell_in() -> None:
    text = "材料两篇\n同志们：\n第一篇讲主ti教育。\n发言完毕，谢谢大家！\n第二篇的标题材料\n同志们：\n学习20大精神。\n"
    first, second = parse_text(text, source="d.txt")
    assert first.repairs == [Repair("主ti教育", "主题教育", 1)]
    assert second.repairs == [Repair("20大精神", "二十大精神", 1)]
    assert "主题教育" in first.text and "二十大精神" in second.text


def test_title_hints_get_generic_repairs() -> None:
    assert repair_text("2023年主ti教育心得") == ("2023年主题教育心得", [Repair("主ti教育", "主题教育", 1)])


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="主题教育习近平二十大党的j平ti*· 、2０=+⑨个意识项\n【公众号】", max_size=60))
def test_every_repair_points_at_its_replacement(text: str) -> None:
    cleaned = clean_text(text)
    for offset, _found, replaced in cleaned.repaired:
        assert cleaned.text[offset : offset + len(replaced)] == replaced


# ---------------------------------------------------------------- the vocabulary as a rule file


def test_vocabulary_ships_and_operators_extend_or_switch_off_terms(tmp_path: Path) -> None:
    shipped = load_rules().terms
    assert len(shipped) >= 300
    assert {"习近平新时代中国特色社会主义思想", "主题教育", "二十大", "三中全会", "对照检查"} <= set(shipped)
    (tmp_path / "terms.txt").write_text("# ours\n林长制\n!主题教育\n", encoding="utf-8")
    rules = load_rules([tmp_path])
    assert "林长制" in rules.terms and "主题教育" not in rules.terms
    assert clean_text("推行林zhang制，开展主ti教育。", rules).text == "推行林长制，开展主ti教育。"


def test_merge_terms_and_numbers() -> None:
    assert merge_terms(["主题教育", " 二十大 ", "党建", "!主题教育", "# not a comment here"]) == (
        "二十大",
        "# not a comment here",
    )
    assert [chinese_numbers(n) for n in (2, 3, 10, 19, 20, 24, 100)] == [
        ("二", "两"),
        ("三",),
        ("十",),
        ("十九",),
        ("二十",),
        ("二十四",),
        (),
    ]


# ---------------------------------------------------------------- precision and speed on real text


def corpus_records() -> list[dict]:
    records = []
    for name in ("gov-work-reports.jsonl", "cpc-congress-reports.jsonl"):
        path = shared_path(f"corpus/{name}")
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return records


def test_the_real_corpus_gets_no_generic_repair() -> None:
    table = set(load_rules().obfuscations)
    for record in corpus_records():
        year = record.get("year")
        hint = int(year) if year not in (None, "None") else None
        for doc in parse_text(record["content"], source="corpus", title_hint=record["title"], year_hint=hint):
            assert all((r.found, r.replaced) in table for r in doc.repairs), (record["title"], doc.repairs)


@pytest.mark.parametrize("path", project_documents(), ids=lambda p: p.name[:12])
def test_the_project_documents_get_no_generic_repair(path: Path) -> None:
    """The demo set and the fixtures: only the table's repairs (主T, =+大 in the compilation), nothing guessed."""
    table = set(load_rules().obfuscations)
    text = path.read_bytes().decode("gb18030" if "gbk" in path.name else "utf-8")
    for doc in parse_text(text, source=path.name):
        assert all((r.found, r.replaced) in table for r in doc.repairs), (path.name, doc.repairs)


def test_the_compilation_gets_no_generic_repair(compilation_text: str) -> None:
    rules = load_rules()
    table_only = clean_text(compilation_text, type(rules)(rules.ads, rules.obfuscations, rules.topics))
    assert clean_text(compilation_text, rules) == table_only
    assert {(r.found, r.replaced) for r in table_only.repairs} == {("主T", "主题"), ("=+大", "二十大")}


def test_the_sample_gets_no_generic_repair(sample_text: str) -> None:
    rules = load_rules()
    table_only = clean_text(sample_text, type(rules)(rules.ads, rules.obfuscations, rules.topics))
    assert clean_text(sample_text, rules) == table_only


def test_scanning_clean_text_is_fast(deob: Deobfuscator) -> None:
    records = corpus_records()
    start = time.perf_counter()
    assert [fix for record in records for fix in deob.find(record["content"])] == []
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, f"{sum(len(r['content']) for r in records)} characters took {elapsed:.2f} s"
