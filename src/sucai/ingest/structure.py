"""One document's lines -> blocks (title, salutation, heading, paragraph, closing) and its outline.

Headings are numbered (一、 （一） 1. （1） ① 第一， 第一部分 …) or sequenced run-in points
(一是…二是…, 一要…二要…). A numbered paragraph's first sentence is its heading
("（一）扑下身子真抓实干。") and the rest stays a paragraph right after it, so every sentence is
kept in order. A number only counts when its sequence does (1 followed by 2); sequenced points
count at the start of a paragraph, or inside one right after its heading sentence — never in the
middle of running text. Levels are relative: the first scheme met is level 1 and a scheme first
met under another nests below it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from sucai.ingest.appendix import appendix_start
from sucai.model import Block, BlockKind, Line, OutlineItem

_CN = "[一二三四五六七八九十]{1,3}"
_DIGITS = "[0-9０-９]{1,2}"
# (scheme, pattern, strong): strong schemes may stand alone as a heading line without a sequence.
_SCHEMES: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("part", re.compile(rf"第({_CN})(?:部分|章|节)[\s\u3000：:，,、]*"), True),
    ("article", re.compile(r"第([一二三四五六七八九十百]{1,4})条[\s\u3000]*"), False),
    ("ordinal", re.compile(rf"第({_CN})[，,、：:]"), False),
    ("cn", re.compile(rf"({_CN})[、．.](?!{_CN}[、．.线产季级类])"), True),
    ("cn-paren", re.compile(rf"[（(]({_CN})[）)][\s\u3000]*"), True),
    ("num", re.compile(rf"({_DIGITS})[.．、](?![0-9０-９])[\s\u3000]*"), False),
    ("num-paren", re.compile(rf"[（(]({_DIGITS})[）)][\s\u3000]*"), False),
    ("circled", re.compile(r"([①-⑳])[\s\u3000]*"), False),
    ("seq-shi", re.compile(r"([一二三四五六七八九十]{1,2})是"), False),
    ("seq-yao", re.compile(r"([一二三四五六七八九十]{1,2})要"), False),
)
_FIRST_CHARS = frozenset("第一二三四五六七八九十（(0123456789０１２３４５６７８９①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")
_LEAF_SCHEMES = frozenset({"seq-shi", "seq-yao"})  # run-in points: nothing nests under them
_INLINE_SEQ = re.compile(r"(?<![^。！？；])[”’」』]?([一二三四五六七八九十]{1,2})([是要])")
_MARKDOWN = re.compile(r"(#{1,6})[ \t\u3000]*([^#\s].*)")
_ADDRESSEE = re.compile(
    r"(?:尊敬的|亲爱的|各位|全体|在座的)*[\u4e00-\u9fff]{0,6}?"
    r"(?:同志们|同志|代表们?|委员们?|领导|同事们?|朋友们?|来宾们?|嘉宾们?|女士们|先生们|老师们|同学们|"
    r"战友们|家长们|青年们|干部们|党员们|乡亲们|嘉宾)"
)
_NOT_ADDRESS = re.compile(r"感谢|谢谢|欢迎|祝|向")
_SALUTATION_SPLIT = re.compile(r"[、，,和及与]")
_RUN_IN_SALUTATION = re.compile(
    r"((?:各位领导、)?(?:同志们|各位代表|各位委员|同事们|朋友们|同志们、朋友们)[：:！!])(.{8,})"
)
_CLOSING = re.compile(
    r"发言完毕|汇报完毕|讲话完毕|我的发言(?:就到这里|完毕)|以上发言|以上是我的|不妥之处|不当之处|"
    r"谢谢大家|谢谢各位|^谢谢[！!。]?$|请.{0,10}批评指正"
)
_OPENERS, _CLOSERS = "“‘「『（(《【", "”’」』）)》】"
_HEAD_STOPS, _SEQ_STOPS = "。！？!?", "。！？!?；;"
_SENTENCE_END = frozenset("。！？!?")
_MAX_TAIL = 4
_SENTENCE_MARKS = re.compile("[" + re.escape(_OPENERS + _CLOSERS + _SEQ_STOPS) + "]")


@dataclass(frozen=True)
class Numbering:
    scheme: str
    ordinal: int
    end: int  # where the numbering mark ends in the text


def numbering_at(text: str, pos: int = 0) -> Numbering | None:
    """The heading number that starts `text` at `pos` ("一、", "（二）", "3.", "第四，", "二要" …), if any."""
    if pos >= len(text) or text[pos] not in _FIRST_CHARS:
        return None
    for scheme, pattern, _strong in _SCHEMES:
        m = pattern.match(text, pos)
        if m:
            return Numbering(scheme, _ordinal(m.group(1)), m.end())
    return None


def _ordinal(mark: str) -> int:
    if "①" <= mark <= "⑳":
        return ord(mark) - ord("①") + 1
    if mark[0].isdigit():
        return int(unicodedata.normalize("NFKC", mark))
    return chinese_number(mark)


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def chinese_number(text: str) -> int:
    """一..九十九 (and 百 for article numbers) as an int; 0 for anything else."""
    total = current = 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return 0
    return total + current


def markdown_heading(text: str) -> tuple[int, str] | None:
    """(level, text) for a markdown heading line ("## 二、…"), else None."""
    if not text.startswith("#"):
        return None
    m = _MARKDOWN.fullmatch(text)
    return (len(m.group(1)), m.group(2).strip()) if m else None


def is_salutation_line(text: str) -> bool:
    """同志们： / 各位代表！ / 尊敬的各位领导、同志们： — a whole line addressing the audience."""
    if not text or len(text) > 40 or text[-1] not in "：:！!" or _NOT_ADDRESS.search(text):
        return False
    parts = [p for p in _SALUTATION_SPLIT.split(text[:-1]) if p]
    return bool(parts) and all(_ADDRESSEE.fullmatch(p) for p in parts)


def is_opening_salutation(text: str) -> bool:
    """A salutation that opens a speech (ends with a colon), as opposed to a mid-speech 同志们！"""
    return text[-1:] in "：:" and is_salutation_line(text)


def is_closing(text: str) -> bool:
    """发言完毕，不妥之处请批评指正。 / 谢谢大家！ — a short closing formula."""
    return len(text) <= 80 and _CLOSING.search(text) is not None


def sentence_end(text: str, start: int = 0, stops: str = _HEAD_STOPS) -> int | None:
    """Index just past the first sentence end at or after `start` outside quotes/brackets, or None."""
    depth = 0
    for m in _SENTENCE_MARKS.finditer(text, start):  # jumps over plain text at C speed
        ch = m.group()
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch in stops and depth == 0:
            j = m.end()
            while j < len(text) and text[j] in _CLOSERS:
                j += 1
            return j
    return None


# ---------------------------------------------------------------- units: pass 1


@dataclass
class _Unit:
    kind: BlockKind
    text: str
    paid: bool
    line: int  # index of the source line; paragraph units of one line are merged back at the end
    scheme: str | None = None  # numbering scheme; "+" marks a nested restart of the same scheme
    base: str | None = None  # the scheme as found in the text
    ordinal: int = 0
    standalone: bool = False  # a whole short line (may stand without a sequence if its scheme is strong)
    parent: int | None = None  # the heading unit whose sentence this run-in point follows
    valid: bool = True


@dataclass
class _Units:
    items: list[_Unit] = field(default_factory=list)

    def add(self, unit: _Unit) -> int:
        self.items.append(unit)
        return len(self.items) - 1


def _collect(lines: Sequence[Line]) -> list[_Unit]:
    units = _Units()
    tail = _closing_tail(lines)
    for i, line in enumerate(lines):
        text, paid = line.text, line.paid
        md = markdown_heading(text)
        if md is not None:
            units.add(_Unit("heading", md[1], paid, i, f"md{md[0]}", f"md{md[0]}", 1, True))
            continue
        if is_salutation_line(text):
            units.add(_Unit("salutation", text, paid, i))
            continue
        run_in = _RUN_IN_SALUTATION.fullmatch(text)
        if run_in:
            units.add(_Unit("salutation", run_in.group(1), paid, i))
            text = run_in.group(2)
        if i >= tail and is_closing(text):
            units.add(_Unit("closing", text, paid, i))
            continue
        _collect_numbered(units, text, paid, i)
    return units.items


def _closing_tail(lines: Sequence[Line]) -> int:
    """Where the closing lines begin: the last few lines that are closings or signature/date lines."""
    i = len(lines)
    while i > 0 and len(lines) - i < _MAX_TAIL:
        text = lines[i - 1].text
        if not (is_closing(text) or (len(text) <= 30 and _SENTENCE_END.isdisjoint(text))):
            break
        i -= 1
    return i


def _collect_numbered(units: _Units, text: str, paid: bool, line: int) -> None:
    found = numbering_at(text)
    if found is None or found.end >= len(text):
        units.add(_Unit("paragraph", text, paid, line))
        return
    seq = found.scheme in _LEAF_SCHEMES
    end = sentence_end(text, found.end, _SEQ_STOPS if seq else _HEAD_STOPS) or len(text)
    standalone = end == len(text) and len(text) <= 60
    head = units.add(_Unit("heading", text[:end], paid, line, found.scheme, found.scheme, found.ordinal, standalone))
    rest = text[end:]
    if not rest:
        return
    if seq:
        _split_inline_points(units, rest, paid, line, found.scheme, found.ordinal + 1, head)
    else:
        first = _INLINE_SEQ.match(rest)
        if first and first.group(1) == "一":
            scheme = "seq-shi" if first.group(2) == "是" else "seq-yao"
            _split_inline_points(units, rest, paid, line, scheme, 1, head)
        else:
            units.add(_Unit("paragraph", rest, paid, line))


def _split_inline_points(
    units: _Units, text: str, paid: bool, line: int, scheme: str, expect: int, parent: int
) -> None:
    """一要…。…二要…。… inside a paragraph: each point's sentence a heading, the text between paragraphs."""
    kind = "是" if scheme == "seq-shi" else "要"
    pos = 0
    for m in _INLINE_SEQ.finditer(text):
        start = m.start(1)  # a closing quote before the number ends the sentence before it
        if start < pos or m.group(2) != kind or chinese_number(m.group(1)) != expect:
            continue
        if start > pos:
            units.add(_Unit("paragraph", text[pos:start], paid, line))
        end = sentence_end(text, m.end(), _SEQ_STOPS) or len(text)
        units.add(_Unit("heading", text[start:end], paid, line, scheme, scheme, expect, parent=parent))
        expect += 1
        pos = end
    if pos < len(text):
        units.add(_Unit("paragraph", text[pos:], paid, line))


# ---------------------------------------------------------------- validation: pass 2


def _validate(units: list[_Unit]) -> None:
    """Keep a numbered heading only if its sequence holds (1, 2, …) or it is a strong standalone line."""
    strong = {name for name, _p, is_strong in _SCHEMES if is_strong}
    for run in _runs(units):
        ok = len(run) >= 2
        for unit in run:
            unit.valid = ok or (unit.base in strong and unit.standalone)
    for unit in units:
        if unit.parent is not None and not units[unit.parent].valid:
            unit.valid = False
    for unit in units:
        if unit.kind == "heading" and not unit.valid:
            unit.kind = "paragraph"


def _runs(units: list[_Unit]) -> list[list[_Unit]]:
    """Numbered headings grouped into runs 1, 2, 3 … per scheme, in document order.

    A run restarting at 1 right under a heading line of its own scheme is a nested list: its scheme gets
    a "+" so that it nests one level deeper; later numbers continue the innermost run they follow.
    """
    open_runs: dict[str, list[list[_Unit]]] = {}
    runs: list[list[_Unit]] = []
    previous: _Unit | None = None
    for unit in units:
        if unit.kind != "heading" or unit.base is None or unit.base.startswith("md"):
            continue
        stack = open_runs.setdefault(unit.base, [])
        if unit.ordinal == 1:
            nested = previous is not None and previous.base == unit.base and previous.standalone
            if not nested:
                stack.clear()
            stack.append([unit])
            runs.append(stack[-1])
            unit.scheme = unit.base + "+" * (len(stack) - 1)
        else:
            k = _continued_run(stack, unit)
            if k is None:
                runs.append([unit])  # continues nothing: a run of its own
            else:
                del stack[k + 1 :]
                stack[k].append(unit)
                unit.scheme = unit.base + "+" * k
        previous = unit
    return runs


# ---------------------------------------------------------------- blocks: pass 3


def _continued_run(stack: list[list[_Unit]], unit: _Unit) -> int | None:
    """Index of the open run this number continues: the innermost one at n-1, preferring one whose last
    item has the same form (a heading line, or a run-in sentence)."""
    fitting = [k for k in range(len(stack) - 1, -1, -1) if stack[k][-1].ordinal == unit.ordinal - 1]
    same_form = [k for k in fitting if stack[k][-1].standalone == unit.standalone]
    chosen = same_form or fitting
    return chosen[0] if chosen else None


def build_blocks(
    title: str, lines: Sequence[Line]
) -> tuple[list[Block], list[OutlineItem]]:
    """Blocks (the first one the title) and the outline of one document's body lines.

    Appendices (附件1, 名词解释 … after the body; sucai.ingest.appendix) end the document as plain paragraphs,
    one per line, outside the outline."""
    cut = appendix_start([line.text for line in lines])
    appendix = list(lines[cut:]) if cut is not None else []
    units = _collect(lines[:cut] if cut is not None else lines)
    _validate(units)
    blocks = [Block("title", title)]  # public metadata: never member-only
    outline: list[OutlineItem] = []
    stack: list[str] = []
    previous: _Unit | None = None
    for unit in units:
        if unit.kind == "paragraph" and previous is not None and previous.kind == "paragraph":
            if previous.line == unit.line:  # pieces of one line left over after validation
                last = blocks[-1]
                blocks[-1] = Block("paragraph", last.text + unit.text, None, last.paid)
                continue
        level = _level(stack, unit.scheme or "") if unit.kind == "heading" else None
        blocks.append(Block(unit.kind, unit.text, level, unit.paid))
        if level is not None:
            outline.append(OutlineItem(level, unit.text, len(blocks) - 1))
        previous = unit
    blocks.extend(Block("paragraph", line.text, None, line.paid) for line in appendix)
    return blocks, outline


def _level(stack: list[str], scheme: str) -> int:
    """Outline depth of a heading: a scheme seen before keeps its place; a new one nests below."""
    if scheme in stack:
        del stack[stack.index(scheme) + 1 :]
        return len(stack)
    if scheme.startswith("md"):
        depth = int(scheme[2:])
        while stack and (not stack[-1].startswith("md") or int(stack[-1][2:]) >= depth):
            stack.pop()
    else:
        while stack and stack[-1].rstrip("+") in _LEAF_SCHEMES:
            stack.pop()
    stack.append(scheme)
    return len(stack)
