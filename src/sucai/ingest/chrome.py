"""Page chrome and credit lines of scraped web and newspaper pages: taken out whole, reported, credits kept.

A line is chrome when it is made only of chrome pieces (下载, 打印, 【字号：大 中 小】, 您的位置：首页 > …,
上一篇：…; rules/chrome.txt), credits (责任编辑：…, 来源：…, 时间：…; rules/credits.txt) and separators. Any
other text on the line keeps the whole line, so a sentence that says 下载 or 来源 is never touched. Credits
become metadata (field -> value) and every removed line is a Removal, with its offset in the output text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sucai.ingest.scan import scan_form
from sucai.model import Removal

CHROME_FILE, CREDITS_FILE = "chrome.txt", "credits.txt"
_SEP = "\\s\u3000\xa0【】\\[\\]（）()|丨｜/·•—–－\\-"  # dashes and brackets too: "——来源：XX网", "（来源：XX）"
_SEPS = re.compile(f"[{_SEP}]*")
_COLON = re.compile(r"\s*[:：丨|｜]\s*")
_MAX_LINE = 200
_MAX_VALUE = 40
_MAX_MASTHEAD = 60
_PAD = " \t\u3000\xa0【】[]（）()|丨｜/·•—–－-"
_SENTENCE = re.compile("[。！？；!?;]")
_DATE = re.compile(
    r"(?P<y>(?:19|20)[0-9]{2})\s*[-年/.]\s*(?P<m>[0-9]{1,2})(?:\s*[-月/.]\s*(?P<d>[0-9]{1,2})\s*日?)?月?"
    r"(?:\s*[0-9]{1,2}[:：][0-9]{2}(?:[:：][0-9]{2})?)?\s*(?:星期.|周.)?"
)


@dataclass(frozen=True)
class ChromeRules:
    pieces: tuple[tuple[str, re.Pattern[str]], ...] = ()  # (rule name, piece)
    labels: tuple[tuple[str, re.Pattern[str]], ...] = ()  # (credit field, label)
    lines: tuple[tuple[str, re.Pattern[str]], ...] = ()  # (rule name, whole line with named field groups)

    @cached_property
    def _label(self) -> re.Pattern[str] | None:
        """Every label, longest alternative first, followed by its colon: a credit starts here."""
        if not self.labels:
            return None
        alts = [f"(?P<f{k}>{p.pattern})" for k, (_, p) in enumerate(self.labels)]
        return re.compile(f"(?:{'|'.join(alts)})(?=\\s*[:：丨|｜])")

    @cached_property
    def first_chars(self) -> frozenset[str] | None:
        """The characters a piece or label can start with (None when some rule's cannot be told)."""
        chars: set[str] = set()
        for _, pattern in (*self.pieces, *self.labels):
            form = scan_form(pattern)
            if form is None:
                return None
            chars |= form[0]
        return frozenset(chars)

    @cached_property
    def opening(self) -> re.Pattern[str]:
        """What a chrome line can start with (one match per line rules out almost every line of prose)."""
        alts = [p.pattern for _, p in self.pieces] + [p.pattern for _, p in self.labels] or ["(?!)"]
        return re.compile(f"[{_SEP}]*(?:{'|'.join(alts)})")


@dataclass(frozen=True)
class Stripped:
    text: str
    removed: list[tuple[int, Removal]]  # offsets in `text`
    credits: list[tuple[int, str, str]]  # (offset in `text`, field, value)
    anchors: list[tuple[int, int]]  # (offset in the input, offset in `text`) at every removed line


def load_chrome(folders: Sequence[Path], read: Callable[[Path], list[tuple[int, str]]]) -> ChromeRules:
    """The chrome and credit rules of each folder in order (`read(path)` gives (lineno, line) pairs)."""
    pieces: dict[str, re.Pattern[str]] = {}
    labels: dict[str, re.Pattern[str]] = {}
    lines: dict[str, re.Pattern[str]] = {}
    for folder in folders:
        for lineno, line in read(folder / CHROME_FILE):
            _add(pieces, line, f"{folder / CHROME_FILE}:{lineno}")
        for lineno, line in read(folder / CREDITS_FILE):
            name = line.split(None, 1)[0]
            target = lines if name.endswith("@line") else labels
            _add(target, line.replace("@line", "", 1), f"{folder / CREDITS_FILE}:{lineno}")
    return ChromeRules(tuple(pieces.items()), tuple(labels.items()), tuple(lines.items()))


def _add(rules: dict[str, re.Pattern[str]], line: str, where: str) -> None:
    from sucai.errors import InputError

    parts = line.strip().split(None, 1)
    if parts[0].startswith("!"):
        rules.pop(parts[0][1:], None)
        return
    if len(parts) != 2:
        raise InputError(f"{where}: expected '<name> <regex>'")
    try:
        pattern = re.compile(parts[1])
    except re.error as exc:
        raise InputError(f"{where}: bad regular expression for {parts[0]!r}: {exc}") from exc
    rules.pop(parts[0], None)
    rules[parts[0]] = pattern


def strip_chrome(text: str, rules: ChromeRules) -> Stripped:
    """The text without its chrome and credit lines; what went, and the credits found."""
    if not (rules.pieces or rules.labels or rules.lines):
        return Stripped(text, [], [], [])
    out: list[str] = []
    removed: list[tuple[int, Removal]] = []
    credits: list[tuple[int, str, str]] = []
    anchors: list[tuple[int, int]] = []
    pos = length = 0
    for line in text.split("\n"):
        found = read_line(line, rules) if len(line) <= _MAX_LINE and _may_be_chrome(line, rules) else None
        if found is None:
            out.append(line)
            length += len(line) + 1
        else:
            rule, line_credits = found
            anchors.extend([(pos, length), (pos + len(line) + 1, length)])
            removed.append((length, Removal(rule, line.strip())))
            credits.extend((length, name, value) for name, value in line_credits)
        pos += len(line) + 1
    if not removed:
        return Stripped(text, [], [], [])
    return Stripped("\n".join(out), removed, credits, anchors)


def _may_be_chrome(line: str, rules: ChromeRules) -> bool:
    """A cheap look at a line: could a piece or a label start it, or is it short enough to be a masthead?"""
    first = rules.first_chars
    if first is None:
        return bool(line.strip())
    head = line.lstrip(_PAD)[:1]
    return head in first or (bool(head) and len(line) <= _MAX_MASTHEAD and bool(rules.lines))


def read_line(line: str, rules: ChromeRules) -> tuple[str, list[tuple[str, str]]] | None:
    """(the rule of the line's first piece, its credits) if the line is chrome only, else None."""
    stripped = line.strip(" \t\u3000\xa0")
    for name, pattern in rules.lines if len(stripped) <= _MAX_MASTHEAD else ():
        m = pattern.fullmatch(stripped)
        if m:
            return f"credit-{name}", [(k, _value(k, v)) for k, v in m.groupdict().items() if v]
    if rules.opening.match(line) is None:
        return None
    first: str | None = None
    credits: list[tuple[str, str]] = []
    pos = _SEPS.match(line).end()  # type: ignore[union-attr]
    while pos < len(line):
        piece = _piece_at(line, pos, rules)
        if piece is not None:
            name, pos = piece
        else:
            credit = _credit_at(line, pos, rules)
            if credit is None:
                return None
            name, value, pos = credit
            credits.append((name, value))
            name = f"credit-{name}"
        first = first or name
        pos = _SEPS.match(line, pos).end()  # type: ignore[union-attr]
    return (first, credits) if first else None


def _piece_at(line: str, pos: int, rules: ChromeRules) -> tuple[str, int] | None:
    """The longest chrome piece at pos that ends where a separator or the line does."""
    best: tuple[str, int] | None = None
    for name, pattern in rules.pieces:
        m = pattern.match(line, pos)
        if m and m.end() > pos and _at_boundary(line, m.end()) and (best is None or m.end() > best[1]):
            best = (name, m.end())
    return best


def _at_boundary(line: str, pos: int) -> bool:
    return pos >= len(line) or _SEPS.match(line, pos).end() > pos  # type: ignore[union-attr]


def _credit_at(line: str, pos: int, rules: ChromeRules) -> tuple[str, str, int] | None:
    """(field, value, end) of "label：value" at pos; the value runs to the next piece or label, or the end."""
    label = rules._label
    m = label.match(line, pos) if label is not None else None
    if m is None:
        return None
    field = rules.labels[int(next(k for k, v in m.groupdict().items() if v is not None)[1:])][0]
    start = _COLON.match(line, m.end()).end()  # type: ignore[union-attr]
    end = _value_end(line, start, rules)
    value = line[start:end].strip(" \t\u3000\xa0|丨｜/")
    if not value or len(value) > _MAX_VALUE or _SENTENCE.search(value):
        return None
    if field == "date":
        if _DATE.fullmatch(value) is None:
            return None
        value = _value("date", value)
    return field, value, end


def _value_end(line: str, start: int, rules: ChromeRules) -> int:
    """Where a credit's value ends: before the next separator that a piece or a label follows."""
    for sep in re.finditer(f"[{_SEP}]+", line[start:]):
        after = start + sep.end()
        if after >= len(line) or _piece_at(line, after, rules) or (
            rules._label is not None and rules._label.match(line, after)
        ):
            return start + sep.start()
    return len(line)


def _value(field: str, value: str) -> str:
    """A credit's value as kept: dates as ISO (2025-03-06, or 2025-03 for a month), others as written."""
    value = re.sub(r"\s+", " ", value).strip()
    if field != "date":
        return value
    m = _DATE.search(value)
    if m is None:
        return value
    day = f"-{int(m['d']):02d}" if m["d"] else ""
    return f"{m['y']}-{int(m['m']):02d}{day}"
