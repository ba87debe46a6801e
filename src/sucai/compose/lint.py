"""A lint for official writing: each problem with its rule, position (characters of the text as given),
message and suggestion.

Rules: placeholder, obfuscation, numbering-gap, numbering-repeat, numbering-order, numbering-style,
halfwidth-punct, ascii-quote, unpaired, doubled-char, long-sentence, outdated, de-di-de. What they look
for is data where it is a list of words (see lint_rules.py); the rest is here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from sucai.compose.lint_rules import LintRules, load_lint_rules
from sucai.ingest.structure import is_opening_salutation, numbering_at
from sucai.model import LintProblem, LintReport

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_INDENT = " \t\u3000"
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”’」』）)]*|$)")
_PAIRS = {"“": "”", "‘": "’", "《": "》", "（": "）", "【": "】", "「": "」", "『": "』"}
_SAME_AS = {"(": "（", ")": "）"}  # half-width brackets pair with full-width ones (the width is another rule)
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}
# GB/T 9704 heading hierarchy; 第一， and 第一部分 sit in it for resets but not for the order rule.
_RANK = {"part": 0, "cn": 1, "cn-paren": 2, "ordinal": 2.5, "num": 3, "num-paren": 4, "circled": 5}
_ORDERED = ("cn", "cn-paren", "num", "num-paren")
_SCHEME_NAMES = {"cn": "一、", "cn-paren": "（一）", "num": "1.", "num-paren": "（1）"}


def lint(text: str, rules: LintRules | None = None) -> LintReport:
    """Every problem the rules find in a draft, in order of position."""
    rules = rules if rules is not None else load_lint_rules()
    checks: list[Callable[[str, LintRules], list[LintProblem]]] = [
        placeholders, obfuscations, numbering, numbering_style, halfwidth_punctuation, ascii_quotes, unpaired,
        doubled_chars, long_sentences, outdated, de_di_de,
    ]
    problems = [p for check in checks for p in check(text, rules)]
    return LintReport(sorted(problems, key=lambda p: (p.start, p.end, p.rule)))


def lines_with_offsets(text: str) -> Iterator[tuple[int, str]]:
    """Each line of a draft with the offset it starts at (lint and polishing report positions in the text)."""
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def placeholders(text: str, rules: LintRules) -> list[LintProblem]:
    """Template placeholders left unfilled; an earlier rule's match wins where two overlap."""
    taken: list[tuple[int, int]] = []
    problems = []
    for rule in rules.placeholders:
        for m in rule.pattern.finditer(text):
            if m.end() == m.start() or any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append(m.span())
            problems.append(LintProblem("placeholder", m.start(), m.end(), f"{rule.message}：{m.group(0)}",
                                        rule.suggestion))
    return problems


def obfuscations(text: str, rules: LintRules) -> list[LintProblem]:
    """Disguised terms: the table's entries, then what ingest's generic repairer would restore elsewhere."""
    problems: list[LintProblem] = []
    if rules.obfuscation_pattern is not None:
        replacements = dict(rules.obfuscations)
        problems = [
            LintProblem("obfuscation", m.start(), m.end(), f"变形词：{m.group(0)}", replacements.get(m.group(0), ""))
            for m in rules.obfuscation_pattern.finditer(text)
        ]
    if rules.deobfuscator is not None:
        taken = [(p.start, p.end) for p in problems]
        problems += [
            LintProblem("obfuscation", f.start, f.end, f"变形词：{f.found}", f.replaced)
            for f in rules.deobfuscator.find(text)
            if not any(s < f.end and f.start < e for s, e in taken)
        ]
    return sorted(problems, key=lambda p: p.start)


def outdated(text: str, rules: LintRules) -> list[LintProblem]:
    return [
        LintProblem("outdated", m.start(), m.end(), rule.message, rule.suggestion)
        for rule in rules.outdated
        for m in rule.pattern.finditer(text)
    ]


def de_di_de(text: str, rules: LintRules) -> list[LintProblem]:
    """的 where 地 (before a verb) or 得 (before a complement) belongs: 进一步的加强, 落实的不到位."""
    return [
        LintProblem("de-di-de", m.start(), m.end(), rule.message, m.expand(rule.suggestion))
        for rule in rules.de_di_de
        for m in rule.pattern.finditer(text)
    ]


# ---------------------------------------------------------------- numbering


def chinese_numeral(n: int) -> str:
    """1..99 in Chinese numerals (一, 十, 十一, 二十三)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _mark(scheme: str, n: int) -> str:
    marks = {"cn": f"{chinese_numeral(n)}、", "cn-paren": f"（{chinese_numeral(n)}）", "num": f"{n}.",
             "num-paren": f"（{n}）", "ordinal": f"第{chinese_numeral(n)}，", "part": f"第{chinese_numeral(n)}部分",
             "circled": chr(ord("①") + n - 1) if 1 <= n <= 20 else str(n)}
    return marks[scheme]


class _Numbering:
    """Heading numbers of one document so far: the last number per scheme and the schemes met."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}
        self.seen: list[str] = []

    def visit(self, scheme: str, n: int, start: int, end: int) -> list[LintProblem]:
        problems = []
        deeper = [s for s in self.seen if s in _ORDERED and _RANK[s] > _RANK[scheme]]
        if scheme in _ORDERED and scheme not in self.seen and deeper:
            problems.append(LintProblem(
                "numbering-order", start, end,
                f"层级顺序颠倒：「{_SCHEME_NAMES[scheme]}」级标题出现在下级「{_SCHEME_NAMES[deeper[0]]}」之后",
                f"按 一、（一）1.（1）的顺序使用层级，先用「{_SCHEME_NAMES[scheme]}」"))
        if scheme not in self.seen:
            self.seen.append(scheme)
        for other in [s for s in self.last if _RANK[s] > _RANK[scheme]]:
            del self.last[other]  # a higher heading starts the numbering below it afresh
        expected = self.last.get(scheme, 0) + 1
        here = _mark(scheme, n)
        if n > expected:
            problems.append(LintProblem("numbering-gap", start, end, f"编号跳号：缺少「{_mark(scheme, expected)}」",
                                        f"改为「{_mark(scheme, expected)}」"))
        elif n < expected:
            problems.append(LintProblem("numbering-repeat", start, end, f"编号重复：「{here}」已经用过",
                                        f"改为「{_mark(scheme, expected)}」"))
        self.last[scheme] = n
        return problems


def numbering(text: str, rules: LintRules) -> list[LintProblem]:
    """Gaps, repeats and out-of-order schemes among heading numbers at line starts, per speech."""
    state = _Numbering()
    problems = []
    for offset, line in lines_with_offsets(text):
        stripped = line.lstrip(_INDENT)
        if is_opening_salutation(stripped.strip()):
            state = _Numbering()  # 同志们： opens a new speech (a compilation holds several)
            continue
        found = numbering_at(stripped)
        if found is None or found.scheme not in _RANK:
            continue
        start = offset + len(line) - len(stripped)
        mark_end = start + len(stripped[: found.end].rstrip(_INDENT))
        problems += state.visit(found.scheme, found.ordinal, start, mark_end)
    return problems


_DUN_AFTER_DIGITS = re.compile(r"[0-9０-９]{1,2}、")


def numbering_style(text: str, rules: LintRules) -> list[LintProblem]:
    """"1、" opening a line: Arabic numerals take a full stop (1.), 、 follows Chinese numerals (一、)."""
    problems = []
    for offset, line in lines_with_offsets(text):
        stripped = line.lstrip(_INDENT)
        m = _DUN_AFTER_DIGITS.match(stripped)
        if m:
            start = offset + len(line) - len(stripped)
            n = int(unicodedata.normalize("NFKC", m.group(0)[:-1]))
            problems.append(LintProblem("numbering-style", start, start + m.end(),
                                        f"序号「{m.group(0)}」不规范：阿拉伯数字后用“.”，“、”用在汉字数字后",
                                        f"改为「{n}.」或「{chinese_numeral(n)}、」"))
    return problems


# ---------------------------------------------------------------- punctuation and characters

_HALF_BETWEEN = re.compile(rf"(?<=[{_CJK}”’》）】])[ \t]*([,.;:?!])(?=[ \t]*(?:[{_CJK}“‘《（【]|$))", re.M)
_HALF_BRACKET = re.compile(rf"(?<=[{_CJK}])[ \t]*\(|\((?=[ \t]*[{_CJK}])|(?<=[{_CJK}])\)|\)(?=[{_CJK}])")


def halfwidth_punctuation(text: str, rules: LintRules) -> list[LintProblem]:
    """Half-width , . ; : ? ! ( ) inside Chinese text."""
    full = dict(rules.halfwidth)
    problems = []
    for m in _HALF_BETWEEN.finditer(text):
        ch = m.group(1)
        if ch in full:
            problems.append(LintProblem("halfwidth-punct", m.start(1), m.end(1),
                                        f"中文中使用了半角标点「{ch}」", full[ch]))
    for m in _HALF_BRACKET.finditer(text):
        at = m.end() - 1 if m.group(0)[-1] in "()" else m.start()
        ch = text[at]
        if ch in full:
            problems.append(LintProblem("halfwidth-punct", at, at + 1, f"中文中使用了半角括号「{ch}」", full[ch]))
    return problems


_ASCII_QUOTED = re.compile(r"""(["'])([^"'\n]*?)\1""")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_FULL_QUOTES = {'"': ("“", "”"), "'": ("‘", "’")}


def ascii_quotes(text: str, rules: LintRules) -> list[LintProblem]:
    """ASCII quotes around or beside Chinese text ("两个维护", '四个意识'): Chinese takes “ ” and ‘ ’."""
    problems = []
    for offset, line in lines_with_offsets(text):
        for m in _ASCII_QUOTED.finditer(line):
            quote, inner = m.group(1), m.group(2)
            before, after = line[m.start() - 1 : m.start()], line[m.end() : m.end() + 1]
            if not (_CJK_CHAR.search(inner) or _CJK_CHAR.match(before) or _CJK_CHAR.match(after)):
                continue  # English quoted in English ('s, "OK") is not ours to judge
            opening, closing = _FULL_QUOTES[quote]
            problems.append(LintProblem("ascii-quote", offset + m.start(), offset + m.end(),
                                        f"中文中使用了英文引号 {quote}…{quote}", f"{opening}{inner}{closing}"))
    return problems


def _unpaired_in_line(line: str, offset: int) -> list[LintProblem]:
    stack: list[tuple[str, int]] = []
    problems = []
    for i, raw in enumerate(line):
        ch = _SAME_AS.get(raw, raw)
        if ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            opener = _CLOSERS[ch]
            if not any(o == opener for o, _ in stack):
                problems.append(LintProblem("unpaired", offset + i, offset + i + 1, f"「{raw}」没有对应的「{opener}」",
                                            f"补上「{opener}」或删除「{raw}」"))
                continue
            while stack:
                o, j = stack.pop()
                if o == opener:
                    break
                problems.append(_unclosed(o, offset + j, line[j]))
    problems += [_unclosed(o, offset + j, line[j]) for o, j in stack]
    return problems


def _unclosed(opener: str, at: int, raw: str) -> LintProblem:
    return LintProblem("unpaired", at, at + 1, f"「{raw}」没有对应的「{_PAIRS[opener]}」",
                       f"补上「{_PAIRS[opener]}」或删除「{raw}」")


def unpaired(text: str, rules: LintRules) -> list[LintProblem]:
    """Quotes and brackets that open without closing, or close without opening, within a paragraph."""
    return [p for offset, line in lines_with_offsets(text) for p in _unpaired_in_line(line, offset)]


def _is_exception(text: str, at: int, exceptions: tuple[str, ...]) -> bool:
    """Whether the doubled pair at `at` is part of a listed word (实实在在, 为了了解)."""
    pair = text[at : at + 2]
    for word in exceptions:
        j = word.find(pair)
        while j >= 0:
            if at - j >= 0 and text[at - j : at - j + len(word)] == word:
                return True
            j = word.find(pair, j + 1)
    return False


def doubled_chars(text: str, rules: LintRules) -> list[LintProblem]:
    if not rules.doubled:
        return []
    pattern = re.compile("(" + "|".join(re.escape(c) for c in sorted(rules.doubled)) + r")\1")
    return [
        LintProblem("doubled-char", m.start(), m.end(), f"疑似重复字：{m.group(0)}", m.group(1))
        for m in pattern.finditer(text)
        if not _is_exception(text, m.start(), rules.doubled_exceptions)
    ]


def long_sentences(text: str, rules: LintRules) -> list[LintProblem]:
    """Sentences longer than the configured number of characters (spaces not counted)."""
    limit = rules.max_sentence_chars
    problems = []
    for m in _SENTENCE.finditer(text):
        length = sum(1 for ch in m.group(0) if not ch.isspace())
        if length > limit:
            problems.append(LintProblem("long-sentence", m.start(), m.end(),
                                        f"句子过长：{length} 字（上限 {limit}）", "拆分为几个短句"))
    return problems
