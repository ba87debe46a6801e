"""Placeholder filling: find the fields a template leaves (xx县, X月X日, ××同志) and fill them in.

A field is a placeholder plus the word after it that says what it stands for (县, 市, 同志 …), so "xx县"
and "xx市" are two fields even though both are "xx". Placeholders are those of the lint rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sucai.compose.lint import placeholders
from sucai.compose.lint_rules import LintRules, load_lint_rules

# The word after a placeholder, and what the field asks for. Longest first when matching.
UNITS: dict[str, str] = {
    "省": "省名", "自治区": "自治区名", "市": "市名", "州": "州名", "盟": "盟名", "县": "县名", "区": "区名",
    "旗": "旗名", "镇": "镇名", "乡": "乡名", "街道": "街道名", "村": "村名", "社区": "社区名",
    "党委": "党委名称", "党组": "党组名称", "支部": "支部名称", "委员会": "委员会名称", "局": "单位名称",
    "委": "单位名称", "办": "单位名称", "厅": "单位名称", "部": "单位名称", "处": "单位名称", "科": "单位名称",
    "公司": "公司名称", "集团": "集团名称", "学校": "学校名称", "医院": "医院名称", "单位": "单位名称",
    "同志": "姓名", "书记": "姓名", "主任": "姓名", "县长": "姓名", "市长": "姓名", "局长": "姓名",
    "精神": "名称", "品格": "名称", "工程": "工程名称", "项目": "项目名称", "大地": "地名", "人民": "地名",
}
_UNITS_LONGEST = sorted(UNITS, key=len, reverse=True)


@dataclass(frozen=True)
class Field:
    key: str  # what fill() is given a value for: placeholder + suffix ("xx县", "X月X日")
    token: str  # the placeholder as written ("xx")
    suffix: str  # the word after it that names what it stands for ("县"; "" when none)
    label: str  # what to ask the user for ("县名", "日期")
    count: int
    example: str  # the first occurrence with a little context


def _suffix(text: str, end: int) -> str:
    return next((u for u in _UNITS_LONGEST if text.startswith(u, end)), "")


def _label(token: str, suffix: str) -> str:
    if "月" in token or "日" in token:
        return "日期"
    if token.endswith("年"):
        return "年份"
    return UNITS.get(suffix, "内容")


def _occurrences(text: str, rules: LintRules) -> list[tuple[int, int, str, str]]:
    """(start, end, token, suffix) of every placeholder, in order."""
    found = []
    for problem in sorted(placeholders(text, rules), key=lambda p: p.start):
        token = text[problem.start : problem.end]
        dated = "月" in token or "日" in token or token.endswith("年")
        found.append((problem.start, problem.end, token, "" if dated else _suffix(text, problem.end)))
    return found


def find_fields(text: str, rules: LintRules | None = None) -> list[Field]:
    """The fields to fill, in order of first occurrence."""
    rules = rules if rules is not None else load_lint_rules()
    fields: dict[str, Field] = {}
    for start, end, token, suffix in _occurrences(text, rules):
        key = token + suffix
        seen = fields.get(key)
        if seen is not None:
            fields[key] = Field(key, token, suffix, seen.label, seen.count + 1, seen.example)
            continue
        example = text[max(0, start - 12) : end + len(suffix) + 12].replace("\n", " ")
        fields[key] = Field(key, token, suffix, _label(token, suffix), 1, example)
    return list(fields.values())


def fill(text: str, values: dict[str, str], rules: LintRules | None = None) -> str:
    """The text with each field whose key (or bare placeholder) has a non-blank value filled in.

    A value that already ends with the field's suffix replaces placeholder and suffix ("xx县" filled with
    "平安县" gives "平安县", not "平安县县"); otherwise it replaces the placeholder alone."""
    rules = rules if rules is not None else load_lint_rules()
    out: list[str] = []
    pos = 0
    for start, end, token, suffix in _occurrences(text, rules):
        value = (values.get(token + suffix) or values.get(token) or "").strip()
        if not value or start < pos:
            continue
        if suffix and value.endswith(suffix):
            end += len(suffix)
        out += [text[pos:start], value]
        pos = end
    out.append(text[pos:])
    return "".join(out)
