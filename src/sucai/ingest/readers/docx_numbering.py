"""Word's automatic list numbers (一、 （一） 1. ①), which live in numbering.xml rather than in the text.

Headings numbered by Word carry no "一、" in their runs; the structure stage needs it, so the reader writes
the number the way Word shows it. Bullets are left out: they number nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = f"{_W}val"
_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_PLACEHOLDER = re.compile(r"%([1-9])")
_MAX_STYLE_CHAIN = 10  # basedOn links followed; a loop in a hostile file must end


@dataclass(frozen=True)
class _Level:
    fmt: str
    text: str
    start: int
    legal: bool


@dataclass
class Numbering:
    """Definitions from numbering.xml and styles.xml, and the counters of the lists met so far."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # abstractNumId -> ilvl -> level
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstract, overrides)
    style_num: dict[str, tuple[str, int]] = field(default_factory=dict)  # styleId -> (numId, ilvl)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    def label(self, paragraph: etree._Element, style: str | None) -> str:
        """The number Word shows before this paragraph ("" when it has none), counting it."""
        num_id, ilvl = self._numbering_of(paragraph, style)
        if num_id is None or num_id not in self.nums:
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in overrides.items():
                counts[level] = start - 1
        counts[ilvl] = counts.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [lvl for lvl in counts if lvl > ilvl]:
            del counts[deeper]
        return self._render(levels, counts, ilvl)

    def _numbering_of(self, paragraph: etree._Element, style: str | None) -> tuple[str | None, int]:
        num_pr = paragraph.find(f"{_W}pPr/{_W}numPr")
        if num_pr is not None:
            num_id = num_pr.find(f"{_W}numId")
            level = num_pr.find(f"{_W}ilvl")
            fallback = self.style_num.get(style or "", (None, 0))[1]
            return (None if num_id is None else num_id.get(_VAL)), _int(level, fallback)
        if style in self.style_num:
            return self.style_num[style]
        return None, 0

    @staticmethod
    def _render(levels: dict[int, _Level], counts: dict[int, int], ilvl: int) -> str:
        level = levels[ilvl]
        if level.fmt in ("bullet", "none"):
            return ""

        def number(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = levels.get(index)
            value = counts.get(index, shown.start if shown else 1)
            fmt = "decimal" if level.legal and index != ilvl else (shown.fmt if shown else "decimal")
            return format_number(value, fmt)

        return _PLACEHOLDER.sub(number, level.text)


def load_numbering(numbering: etree._Element | None, styles: etree._Element | None) -> Numbering:
    result = Numbering()
    if numbering is not None:
        for abstract in numbering.iter(f"{_W}abstractNum"):
            result.levels[abstract.get(f"{_W}abstractNumId") or ""] = {
                _int(lvl, 0, f"{_W}ilvl"): _level(lvl) for lvl in abstract.iter(f"{_W}lvl")
            }
        for num in numbering.iter(f"{_W}num"):
            abstract_id = num.find(f"{_W}abstractNumId")
            overrides = {
                _int(o, 0, f"{_W}ilvl"): _int(o.find(f"{_W}startOverride"), 1)
                for o in num.iter(f"{_W}lvlOverride")
                if o.find(f"{_W}startOverride") is not None
            }
            result.nums[num.get(f"{_W}numId") or ""] = ("" if abstract_id is None else abstract_id.get(_VAL) or "",
                                                        overrides)
    if styles is not None:
        result.style_num = _style_numbering(styles)
    return result


def _style_numbering(styles: etree._Element) -> dict[str, tuple[str, int]]:
    """styleId -> (numId, ilvl) for styles that number their paragraphs, following basedOn."""
    own: dict[str, tuple[str | None, int | None]] = {}
    based_on: dict[str, str] = {}
    for style in styles.iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId") or ""
        num_pr = style.find(f"{_W}pPr/{_W}numPr")
        if num_pr is not None:
            num_id = num_pr.find(f"{_W}numId")
            level = num_pr.find(f"{_W}ilvl")
            own[style_id] = (None if num_id is None else num_id.get(_VAL), None if level is None else _int(level, 0))
        parent = style.find(f"{_W}basedOn")
        if parent is not None and parent.get(_VAL):
            based_on[style_id] = str(parent.get(_VAL))
    resolved: dict[str, tuple[str, int]] = {}
    for style_id in set(own) | set(based_on):
        num_id, level, current = None, None, style_id
        for _ in range(_MAX_STYLE_CHAIN):
            found_num, found_level = own.get(current, (None, None))
            num_id = num_id if num_id is not None else found_num
            level = level if level is not None else found_level
            if current not in based_on:
                break
            current = based_on[current]
        if num_id is not None and num_id != "0":
            resolved[style_id] = (num_id, level or 0)
    return resolved


def _level(lvl: etree._Element) -> _Level:
    fmt = lvl.find(f"{_W}numFmt")
    text = lvl.find(f"{_W}lvlText")
    return _Level(
        fmt="decimal" if fmt is None else fmt.get(_VAL) or "decimal",
        text="" if text is None else text.get(_VAL) or "",
        start=_int(lvl.find(f"{_W}start"), 1),
        legal=lvl.find(f"{_W}isLgl") is not None,
    )


def _int(element: etree._Element | None, default: int, attribute: str = _VAL) -> int:
    if element is None:
        return default
    try:
        return int(element.get(attribute) or default)
    except ValueError:
        return default


def format_number(value: int, fmt: str) -> str:
    """A counter as Word's number format shows it; unknown formats fall back to decimal."""
    formatter = _FORMATS.get(fmt)
    return formatter(value) if formatter is not None and value > 0 else str(value)


def _chinese(value: int, digits: str = _DIGITS, units: str = "十百千") -> str:
    if value >= 10_000:
        return str(value)
    parts: list[str] = []
    zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit = value // power % 10
        if digit == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append(digits[0])
            zero = False
        parts.append(digits[digit] + unit)
    text = "".join(parts)
    # 一十二 is said 十二 in counting (not in legal capitals)
    return text[1:] if digits is _DIGITS and text.startswith(digits[1] + units[0]) else text


def _letters(value: int) -> str:
    # Word repeats the letter: 27 -> AA, 28 -> BB
    return chr(ord("A") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def _roman(value: int) -> str:
    out = []
    for number, numeral in _ROMAN:
        while value >= number:
            out.append(numeral)
            value -= number
    return "".join(out)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda v: f"{v:02d}",
    "decimalFullWidth": lambda v: str(v).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "decimalEnclosedCircle": lambda v: _CIRCLED[v - 1] if v <= len(_CIRCLED) else str(v),
    "decimalEnclosedCircleChinese": lambda v: _CIRCLED[v - 1] if v <= len(_CIRCLED) else str(v),
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "japaneseCounting": _chinese,
    "ideographDigital": lambda v: "".join(_DIGITS[int(d)] for d in str(v)),
    "chineseLegalSimplified": lambda v: _chinese(v, _LEGAL_DIGITS, "拾佰仟"),
    "ideographTraditional": lambda v: _HEAVENLY_STEMS[(v - 1) % 10],
    "upperLetter": _letters,
    "lowerLetter": lambda v: _letters(v).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda v: _roman(v).lower(),
}
