"""Quotations in a draft: text in “ ” introduced by 指出/强调/说/提出… or followed by an explicit citation.

CNKI's 去除引用文献复制比 leaves such text out of the copy ratio: quoting the source you name is not copying.
A quotation is matched within one line (paragraph), so a stray “ never swallows the rest of the draft.
"""

from __future__ import annotations

import re

OPEN, CLOSE = "“", "”"
# The verb that introduces a quotation, then at most a particle and a colon or comma before “.
_INTRODUCER = re.compile(
    r"(?:指出|强调|说|说过|讲|讲过|讲到|谈到|提出|要求|号召|告诫|叮嘱|嘱托|指示|批示|写道|论述|阐述|引用|"
    r"引述|认为|坦言|感慨|寄语|曰|云|有言|所言)"
    r"[的了过道]?[，,：:]?[ \u3000]*$"
)
_MARKS = re.compile(f"[{OPEN}{CLOSE}]")
_LOOKBACK = 8  # characters before “ searched for the introducer
# （《论语》）, (见《…》第3卷), （习近平《…》）: a citation right after the closing mark.
_CITATION = re.compile(r"[ \u3000]*[（(][^（）()\n]{0,20}《[^》\n]+》[^（）()\n]{0,20}[）)]")


def quotation_pairs(line: str) -> list[tuple[int, int]]:
    """(index of “, index of its ”) for each outermost quotation in one line; unclosed marks are ignored."""
    pairs: list[tuple[int, int]] = []
    if OPEN not in line:  # most paragraphs quote nothing: no step per character for them
        return pairs
    depth, start = 0, -1
    for mark in _MARKS.finditer(line):
        i, ch = mark.start(), mark.group()
        if ch == OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch == CLOSE and depth:
            depth -= 1
            if depth == 0:
                pairs.append((start, i))
    return pairs


def is_introduced(line: str, open_at: int, close_at: int) -> bool:
    """A quotation counts when a verb of saying precedes it or a citation follows it."""
    before = line[max(0, open_at - _LOOKBACK) : open_at]
    return bool(_INTRODUCER.search(before) or _CITATION.match(line, close_at + 1))


def quote_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of the inside of every introduced or cited quotation, in offsets of `text`."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        for open_at, close_at in quotation_pairs(line):
            if is_introduced(line, open_at, close_at):
                spans.append((line_start + open_at + 1, line_start + close_at))
        line_start += len(line) + 1
    return spans
