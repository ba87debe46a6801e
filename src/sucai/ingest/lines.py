"""Cleaned text -> lines: paywall markers turned into Line.paid, blank lines dropped, scrape breaks re-joined.

Web scrapes break lines inside sentences (zh.wikisource puts every link on its own line:
"所作的\\n政府工作报告\\n。"). Two layouts are told apart: when most paragraphs are separated by blank lines,
a single newline is a break inside a paragraph; otherwise a line is joined to the one before only on
strong evidence (it starts with punctuation, the one before ends mid-phrase, or it is a short
fragment after body text). Either way a break is only closed where it falls inside a sentence, and each
join is decided on that break alone (a join never licenses the next one). Headings, titles, salutations,
date or byline lines under a title ("（2025年X月X日）", "（xx街道党工委书记 某某，2026年3月）"), news bylines
and datelines ("本报记者 …", "江渚县3月10日电"), speaker lines ("院长曲青山：") and two headline-like lines
in a row (a kicker over its headline) are never joined to their neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sucai.ingest.pagelines import stands_apart
from sucai.ingest.structure import is_salutation_line, markdown_heading, numbering_at
from sucai.model import Line

# Paywall markers. Machine tokens count wherever they stand: ##paidbegin## … ##paidend##, [paid] … [/paid],
# <!--paid--> … <!--/paid-->. Worded markers count only as a line of their own (decoration around them allowed:
# dashes, stars, brackets, arrows, spaces), so a sentence that merely mentions 付费 or 会员 is never one:
# 【以下为付费内容】, ——以下内容需开通会员查看——, 以下为会员可见内容, 剩余内容需付费查看 … 以上为付费内容;
# a bare label (【付费内容】, 【会员专享】, ★VIP专享★) needs some decoration to count. No capturing groups:
# clean.py splits lines on this pattern.
_MARK_SHOWN = r"\-—–－─━_=＝~～*＊★☆※#＃【】\[\]〖〗（）()《》〔〕「」『』<>＜＞↓⬇▼▽👇"  # decoration that shows
_MARK_VISIBLE = f"[{_MARK_SHOWN}]"
_MARK_DECOR = rf"[{_MARK_SHOWN} \t\u3000\xa0\u200b-\u200d\u2060\ufeff·•.。…:：!！]"
_MARK_WHO = r"(?:付费|收费|(?:S?VIP)?会员|S?VIP)"
_MARK_WORDS = (
    rf"以下(?:内容|部分|正文|全文)?(?:为|是|均为|属于)?{_MARK_WHO}(?:专享|专属|独享|可见|阅读)?(?:内容|部分|正文)"
    rf"|以下(?:内容|部分|正文|全文)?(?:需|需要|须|仅|仅限|只有|为)?(?:开通|购买|充值|成为|登录)?"
    rf"(?:{_MARK_WHO}|购买)(?:用户)?(?:后|才能|方可|才可|可)?(?:可见|查看|阅读|浏览|下载|专享|解锁)"
    r"|(?:剩余|余下|后续)(?:内容|部分|全文)(?:需|需要|须)?(?:付费|开通会员|购买)后?(?:可见|查看|阅读|解锁)?"
    rf"|以上(?:内容|部分)?(?:为|是)?{_MARK_WHO}(?:专享|专属|可见)?(?:内容|部分)"
    rf"|{_MARK_WHO}(?:专享|专属|可见)?(?:内容|部分|阅读)已?(?:结束|完毕|到此结束)"
)
_MARK_LABEL = rf"{_MARK_WHO}(?:(?:专享|专属|独享|可见)(?:内容|部分|正文)?|内容|部分|正文|阅读|专区)"
_MARK_COUNT = r"(?:[（(]\s*(?:剩余|余下|全文|本文共|共|约)\s*[0-9０-９,，]+\s*字\s*[）)])?"
_PAID_LINE = (
    rf"^{_MARK_DECOR}*(?:{_MARK_WORDS}){_MARK_COUNT}{_MARK_DECOR}*$"
    rf"|^{_MARK_DECOR}*{_MARK_VISIBLE}{_MARK_DECOR}*{_MARK_LABEL}{_MARK_COUNT}{_MARK_DECOR}*$"
    rf"|^{_MARK_DECOR}*{_MARK_LABEL}{_MARK_COUNT}{_MARK_DECOR}*{_MARK_VISIBLE}{_MARK_DECOR}*$"
)
# The token's first character is matched on its own so that a scan can skip straight to #, [ or <.
_PAID_TOKEN = (
    r"[#＃\[<](?:(?<=[#＃])[#＃]\s*paid\s*(?:begin|end)\s*[#＃]{2}"
    r"|(?<=\[)\s*/?\s*paid(?:\s*[-_]?\s*(?:begin|start|end))?\s*\]"
    r"|(?<=<)!--\s*/?\s*(?:(?:begin|start|end)\s*[-_]?\s*)?paid(?:\s*[-_]?\s*(?:begin|start|end))?\s*-->)"
)
PAID_MARKER = re.compile(f"{_PAID_TOKEN}|{_PAID_LINE}", re.IGNORECASE | re.MULTILINE)
_PAID_TOKEN_RE = re.compile(_PAID_TOKEN, re.IGNORECASE)
_PAID_LINE_RE = re.compile(_PAID_LINE, re.IGNORECASE | re.MULTILINE)
_PAID_END = re.compile(r"end|/|结束|完毕|以上", re.IGNORECASE)

_STRIP = " \t\u3000\xa0\u200b\u200c\u200d\u2060\ufeff\f\v"
_ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
FINAL_PUNCT = frozenset("。！？；：!?;:…")
CLOSERS = "”’」』）)】》\"'"
_CONTINUATION_START = frozenset("，。、；：！？）》」』”’%…,.;:!?)")
_SOFT_END = frozenset("，、“‘「『（(《【—-,/")
_FUNCTION_END = frozenset("的了和与及把将被向从对在于并或而")
_PUNCT = frozenset("，,、；;。！？!?：:")
_SENTENCE_END = frozenset("。！？!?")
# a date written alone, placeholders allowed: "2024年1月5日", "（2025年X月X日）", "二〇二四年一月"
_DAY = r"[0-9０-９xX×ｘＸ一二三四五六七八九十]{1,3}"
_DATE = rf"(?:[0-9０-９]{{4}}|[一二三四五六七八九〇○零]{{4}}|20[xX×]{{2}})年(?:{_DAY}月(?:{_DAY}日)?)?"
_DATE_LINE = re.compile(rf"[（(]?{_DATE}[）)]?")
# a whole line in brackets naming a date or a speaker: "（2022年10月16日）", "（xx街道党工委书记 某某，2026年3月）"
_BRACKETED_BYLINE = re.compile(rf"[（(](?=[^（()）]*(?:{_DATE}|[\s\u3000，,]))[^（()）]{{2,40}}[）)]")
_BULLET = re.compile(r"[-*+•·][ \t\u3000]+")
_SHORT_FRAGMENT = 24
_HEADLINE_MIN = 6
_BLANK_MODE_SHARE = 0.3


@dataclass
class _Piece:
    text: str
    paid: bool
    offset: int
    blank_before: bool  # one or more blank lines separate it from the piece before
    hard: bool  # follows a paywall marker inside the same raw line, or is a list item: never joined backwards
    bullet: bool = False  # a markdown list item (its wrapped lines join it)


@dataclass
class _Acc:
    text: str
    paid: bool
    offset: int
    bullet: bool = False


def to_lines(text: str) -> list[Line]:
    """Text -> non-blank lines with their paywall state."""
    return lines_with_offsets(text)[0]


def lines_with_offsets(text: str) -> tuple[list[Line], list[int]]:
    """Lines plus, for each, the offset in `text` (newlines normalised) where it begins."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces = _pieces(text)
    breaks = [p for p in pieces[1:] if not p.hard]
    blank_breaks = sum(p.blank_before for p in breaks)
    blank_mode = blank_breaks >= 2 and blank_breaks >= _BLANK_MODE_SHARE * len(breaks)
    merged: list[_Acc] = []
    for piece in pieces:
        if merged:
            if _join_kind(merged[-1], piece, blank_mode):
                merged[-1].text += piece.text
                continue
        merged.append(_Acc(piece.text, piece.paid, piece.offset, piece.bullet))
    return [Line(a.text, a.paid) for a in merged], [a.offset for a in merged]


def is_paid_begin(marker: str) -> bool:
    """Whether a PAID_MARKER match opens member-only text (it closes it when it says end, /, 结束, 完毕 or 以上)."""
    return _PAID_END.search(marker) is None


def _pieces(text: str) -> list[_Piece]:
    """Non-blank stretches of text between newlines and markers, with their paid state."""
    pieces: list[_Piece] = []
    paid = blank = False
    line_start = 0
    for raw in text.split("\n"):
        pos = 0
        emitted = False
        whole = _PAID_LINE_RE.match(raw)  # = PAID_MARKER.finditer(raw), split in two for speed
        for m in [*([whole] if whole else _PAID_TOKEN_RE.finditer(raw)), None]:
            end = m.start() if m else len(raw)
            piece = _piece(raw[pos:end], paid, line_start + pos, blank and not emitted, emitted)
            if piece is not None:
                pieces.append(piece)
                emitted = True
            if m is not None:
                paid = is_paid_begin(m.group(0))
                pos = m.end()
        blank = not emitted
        line_start += len(raw) + 1
    return pieces


def _piece(chunk: str, paid: bool, offset: int, blank_before: bool, hard: bool) -> _Piece | None:
    text = chunk.strip(_STRIP)
    if not text:
        return None
    offset += chunk.index(text[0])
    text = text.translate(_ZERO_WIDTH)
    if len(text) > 4 and text.startswith("**") and text.endswith("**"):
        text = text[2:-2].strip(_STRIP)  # a markdown bold line, usually a heading
    bullet = _BULLET.match(text)
    if bullet and bullet.end() < len(text):
        offset += bullet.end()
        text = text[bullet.end() :]  # a markdown list item: the words are the text
        return _Piece(text, paid, offset, blank_before, True, True)
    return _Piece(text, paid, offset, blank_before, hard) if text else None


def ends_sentence(text: str) -> bool:
    """Whether text ends with sentence-final punctuation or a colon (closing quotes allowed after it)."""
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in FINAL_PUNCT


def _join_kind(prev: _Acc, cur: _Piece, blank_mode: bool) -> str:
    """'' (keep apart), 'fragment' (a broken sentence re-joined) or 'plain' (other joins)."""
    if cur.hard or cur.blank_before or cur.paid != prev.paid:
        return ""
    before, after = prev.text, cur.text
    if after[0] in _CONTINUATION_START:
        return "fragment"
    if ends_sentence(before):
        return ""
    if _is_bare_marker(before):
        return "plain"
    if _stands_alone(after):
        return ""
    if before[-1] in _SOFT_END:
        return "fragment"
    if _stands_alone(before):
        return ""
    if before[-1] in _FUNCTION_END or after[0] == "的":
        return "fragment"
    if blank_mode:
        if _title_like(before) and (len(after) > _SHORT_FRAGMENT or _headlines(prev, after)):
            return ""  # a headline over a paragraph, or over another headline (a kicker over its headline)
        return "plain"
    if len(after) <= _SHORT_FRAGMENT and _is_fragment(after) and not _title_like(before):
        return "fragment"
    return ""


def _headlines(prev: _Acc, after: str) -> bool:
    """Two whole headline-sized lines without punctuation, one over the other (not a word or name broken in two)."""
    if prev.bullet or min(len(prev.text), len(after)) < _HEADLINE_MIN or not _title_like(after):
        return False
    return "[" not in prev.text and "[" not in after  # a link's text before a footnote mark is not a headline


def _is_bare_marker(text: str) -> bool:
    """A numbering mark alone ("（三）", "第三，", "一要") or a dash alone: its text is on the next line."""
    if text in ("——", "—"):
        return True
    found = numbering_at(text)
    return found is not None and found.end == len(text)


def _stands_alone(text: str) -> bool:
    """Headings, markdown headings, salutations, dash-led lines and bracketed bylines keep their own line."""
    return (
        numbering_at(text) is not None
        or markdown_heading(text) is not None
        or is_salutation_line(text)
        or _BRACKETED_BYLINE.fullmatch(text) is not None
        or stands_apart(text)
    )


def is_dateline(text: str) -> bool:
    """A date or bracketed byline on a line of its own: it sits under a title, never inside a sentence."""
    return _DATE_LINE.fullmatch(text) is not None or _BRACKETED_BYLINE.fullmatch(text) is not None


def _title_like(text: str) -> bool:
    return len(text) <= 30 and _PUNCT.isdisjoint(text)


def _is_fragment(text: str) -> bool:
    """No sentence ends inside it (a link's text, a term), and it is not a date or signature line."""
    if not _SENTENCE_END.isdisjoint(text[:-1]):
        return False
    return not is_dateline(text)
