"""A compilation's lines -> its documents.

A compilation opens with a collection title ("……发言材料四篇"); each document then starts with a title-like
line followed by an opening salutation (同志们：), or with a title-like line right after the previous
document's closing (发言完毕……批评指正。). A split is only made between two parts that both hold body text
(a sentence), so the header of a single report ("政府工作报告 / ——2024年3月5日… / 李强 / 各位代表：")
never becomes a document of its own. Pieces the compilation numbers 1, 2, 3 … ("【篇一】", "篇二：…", "第三篇")
are its documents, salutation or not, and their numbers are no one's title or text. A document without a title
line inherits the collection title,
less its count ("四篇", "合集", "汇编"). Subtitle, date and speaker lines under a title ("（2025年X月X日）",
"——在…会议上的讲话", "――来自…的报道", "国务院总理 李强") are never a title: they stay at the top of the document's
body. A kicker over a headline ("中共中央 国务院印发" / "《关于…的意见》") leaves the title to the headline and
stays in the body. A page of remarks by several speakers (发言摘编: "院长曲青山：" lines, 3 or more distinct
speakers) is split into one document per speaker (sucai.ingest.speakers); a single article never is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from sucai.ingest.lines import is_dateline
from sucai.ingest.pagelines import is_dash_led, is_news_byline, is_news_dateline
from sucai.ingest.parts import (
    Part,
    Split,
    is_piece_marker,
    is_title_like,
    piece_number,
    strip_count,
    title_text,
    without_piece_marker,
)
from sucai.ingest.speakers import split_speakers
from sucai.ingest.structure import chinese_number, is_closing, is_opening_salutation, numbering_at
from sucai.model import Line

# lines under a title that say when, where or by whom, not what: "——在…会议上的讲话", "（摘要）",
# "习　近　平", "国务院总理 李强", "某某同志", "xx县自然资源局" (dates: lines.is_dateline)
_NAME = r"(?:[\u4e00-\u9fff]{2,4}|某某|[xX×]{2,3})"
_BYLINE = re.compile(
    r"(?:——|—|－－|--)\S.{0,78}|[（(][^（()）]{2,40}[）)]"
    r"|(?:\S{0,12}[\s\u3000]+)?[\u4e00-\u9fff](?:[\s\u3000]+[\u4e00-\u9fff]){1,2}"  # a name, not 述 职 报 告
    r"|\S{0,20}(?:书记|主任|局长|县长|市长|省长|区长|镇长|乡长|总理|主席|部长|厅长|处长|科长|校长|院长|委员|"
    rf"代表|经理|董事长|负责人)[\s\u3000]+{_NAME}"
    r"|(?:[\u4e00-\u9fff]{2,3}|某某|[xX×]{2,3})同志"
    r"|(?!.*(?:关于|的|在))(?:中共)?[\u4e00-\u9fffxX×]{0,10}?[省市县区镇乡][\u4e00-\u9fffxX×]{0,12}?"
    r"(?:局|办公室|委员会|党委|党组|党工委|纪委|监委|县委|市委|省委|区委|人民政府|政协|街道|办事处|组织部|宣传部|"
    rf"统战部)(?:[\s\u3000]+{_NAME})?"
)
_BODY_END = "。！？!?"
# section names inside one speech or report: a salutation after them does not start a new document
_SECTION_WORDS = re.compile(
    r"[#\s\u3000]*(?:结束语|结语|前言|引言|序言|导语|尾声|后记|附件\S*|附录\S*|小结|总结|开场白)"
)
_MIN_TITLE = 5
_MAX_BYLINES = 3


def split_documents(lines: Sequence[Line], title_hint: str | None = None) -> Split:
    """Find the collection title and the documents of a text's lines. Lines that only number the pieces of a
    compilation ("【篇一】", "第二篇") are no one's content: the split is made without them, and the parts'
    indexes are those of `lines`. Pieces numbered 1, 2, 3 … (a marker line over a title, or a title led by its
    number) are the documents, salutation or not (心得体会 have none); otherwise titles, salutations and
    closings tell (_split)."""
    kept, numbers = _piece_numbers(lines)
    own = [lines[i] for i in kept]
    split = _by_pieces(own, numbers, title_hint) or _split(own, title_hint)
    if len(split.parts) < (_declared_count(split.collection_title) or 0):
        split = _by_titles(own, title_hint) or split
    if len(kept) == len(lines):
        return split
    at = [*kept, len(lines)]  # index in `lines` of each kept line, and the end
    return replace(split, parts=[replace(p, start=at[p.start], end=at[p.end]) for p in split.parts])


def _piece_numbers(lines: Sequence[Line]) -> tuple[list[int], dict[int, int]]:
    """(the indexes of the lines that are not piece markers, {index among those of a piece's title: its number}).
    A text in 篇 and 章 (a 规划纲要) has none: its 第一篇 lines are its own headings, not pieces."""
    if any(_CHAPTER.match(line.text) for line in lines):
        return list(range(len(lines))), {}
    kept: list[int] = []
    numbers: dict[int, int] = {}
    marker: int | None = None
    for i, line in enumerate(lines):
        if is_piece_marker(line.text):
            marker = piece_number(line.text)
            continue
        number = marker if marker is not None else piece_number(line.text)
        if number is not None and is_title_like(line.text):
            numbers[len(kept)] = number
        marker = None
        kept.append(i)
    return kept, numbers


def _by_pieces(lines: Sequence[Line], numbers: dict[int, int], title_hint: str | None) -> Split | None:
    """The documents of a compilation that numbers its pieces 1, 2, 3 … in order; None when it does not."""
    starts = sorted(numbers)
    if len(starts) < 2 or [numbers[s] for s in starts] != list(range(1, len(starts) + 1)):
        return None
    if starts[0] == 0:  # the first piece opens the text: no collection title but one given
        first, collection = 0, (title_hint.strip() or None) if title_hint else None
    else:
        first, collection = _collection_title(lines, title_hint)
    return _split_at(lines, first, starts, collection)


def _split_at(lines: Sequence[Line], first: int, starts: list[int], collection: str | None) -> Split:
    """A compilation whose pieces start at `starts` (each a title line): text between the collection title and the
    first piece is a document of its own (inheriting the collection title) only when it has body."""
    parts = []
    if starts[0] > first and _body_counts(lines[first : starts[0]])[-1]:
        parts.append(Part(None, list(lines[first : starts[0]]), first, starts[0]))
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        parts.append(Part(_document_title(lines[start].text), list(lines[start + 1 : end]), start, end))
    return Split(collection, parts, collection)


_CHAPTER = re.compile(r"[\s\u3000]*第[一二三四五六七八九十百0-9０-９]{1,4}章")
# "……心得体会范文（3篇）", "……发言材料四篇", "两篇": how many pieces the collection title says it holds
_DECLARED = re.compile(r"(?:(?P<d>[0-9０-９]{1,2})|(?P<c>[一二三四五六七八九十两]{1,3}))[\s\u3000]*篇")
# how the title of a piece of the genre ends (a heading inside one rarely does): 心得体会, 发言材料, 讲话, 党课 …
_GENRE_END = re.compile(
    r"(?:心得体会|心得|体会|感悟|观后感|读后感|发言材料|发言提纲|发言稿|发言|讲话|讲话稿|讲稿|致辞|党课|"
    r"报告|总结|汇报|对照检查材料|检视剖析材料|主持词|述职报告)[\s\u3000]*$"
)


def _declared_count(collection: str | None) -> int | None:
    """The number of pieces a collection title declares ("（3篇）" -> 3), if it declares one."""
    m = _DECLARED.search(collection or "")
    if m is None:
        return None
    if m.group("d"):
        return int(unicodedata.normalize("NFKC", m.group("d")))
    return 2 if m.group("c") == "两" else chinese_number(m.group("c")) or None


def _is_piece_title(text: str) -> bool:
    """A line that reads as the title of a piece of the genre, perhaps numbered ("2.观看警示教育片心得体会")."""
    title = _numbered_title(text) or (text if is_title_like(text) and not is_byline(text) else None)
    return title is not None and len(title) >= _MIN_TITLE and _GENRE_END.search(title_text(title)) is not None


def _by_titles(lines: Sequence[Line], title_hint: str | None) -> Split | None:
    """A compilation that says how many pieces it holds ("（3篇）") but opens them with neither numbers nor
    salutations: its pieces are the title lines that end as the genre's titles do (…心得体会, …的讲话), each with
    body after it, when there are exactly as many as it says; None otherwise."""
    first, collection = _collection_title(lines, title_hint)
    declared = _declared_count(collection)
    bodies = _body_counts(lines)
    starts = [
        i for i in range(first, len(lines) - 1) if _is_piece_title(lines[i].text) and bodies[i + 2] > bodies[i + 1]
    ]
    if not declared or len(starts) != declared:
        return None
    return _split_at(lines, first, starts, collection)


def _split(lines: Sequence[Line], title_hint: str | None) -> Split:
    if title_hint is None and _has_kicker(lines):
        return Split(title_text(lines[1].text), [Part(None, [lines[0], *lines[2:]], 0, len(lines))])
    first, collection = _collection_title(lines, title_hint)
    starts = _document_starts(lines, first)
    if len(starts) == 1:
        by_speaker = split_speakers(lines, first, collection)
        if by_speaker is not None:
            return Split(collection, by_speaker, collection)
    parts: list[Part] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        own = k > 0 or (title_hint is None and _opens_document(lines, start, end))
        if own and end - start >= 2:
            head = lines[start]
            parts.append(Part(_document_title(head.text), list(lines[start + 1 : end]), start, end))
        else:
            parts.append(Part(None, list(lines[start:end]), start, end))
    kept = [p for p in parts if p.lines or p.title]
    several = len(kept) > 1 or (collection is not None and strip_count(collection) != collection)
    return Split(collection, kept, collection if several else None)


def is_byline(text: str) -> bool:
    """A subtitle, date, speaker or unit line under a title: part of the document, never its title."""
    return (
        is_dateline(text)
        or is_dash_led(text)
        or is_news_byline(text)
        or is_news_dateline(text)
        or _BYLINE.fullmatch(text) is not None
    )


# the line over a newspaper headline that says who issued or did what the headline names
_KICKER = re.compile(
    r".{2,30}(?:印发|联合印发|发布|公布|颁布|出台|召开|举行|作出|批准|发出|签署|致信|致电|回信|会见|考察|主持|出席)"
)


def _has_kicker(lines: Sequence[Line]) -> bool:
    """Kicker (引题) over headline over the article: "中共中央 国务院印发" / "《关于…的意见》" / body."""
    if len(lines) < 3 or not _KICKER.fullmatch(lines[0].text) or strip_count(lines[0].text) != lines[0].text:
        return False
    kicker, headline = lines[0].text, lines[1].text
    return is_title_like(kicker) and is_title_like(headline) and not is_byline(headline) and not is_byline(kicker)


def _collection_title(lines: Sequence[Line], title_hint: str | None) -> tuple[int, str | None]:
    """(index of the first line after the collection title, the collection title)."""
    if title_hint and title_hint.strip():
        hint = title_hint.strip()
        same = bool(lines) and _squash(title_text(lines[0].text)) == _squash(hint)
        return (1 if same else 0), hint
    if len(lines) >= 2 and is_title_like(lines[0].text) and not is_dateline(lines[0].text):
        return 1, title_text(lines[0].text)
    return 0, None


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def _document_starts(lines: Sequence[Line], first: int) -> list[int]:
    bodies = _body_counts(lines)

    def has_body(start: int, end: int) -> bool:
        """Some line in [start, end) ends a sentence: the part is a document, not a header."""
        return bodies[end] > bodies[start]

    starts = [first]
    for i in range(first + 1, len(lines) - 1):
        candidate = _start_at(lines, i, starts[-1])
        if candidate is not None and candidate > starts[-1] and has_body(starts[-1], candidate):
            starts.append(candidate)
    # a last part without body (a signature after the closing) belongs to the document before it
    while len(starts) > 1 and not has_body(starts[-1], len(lines)):
        starts.pop()
    return starts


def _document_title(text: str) -> str:
    """A document's title line as its title: heading marks and the compilation's numbering taken off."""
    if is_title_like(text):
        return title_text(without_piece_marker(text))
    return _numbered_title(text) or text


def _numbered_title(text: str) -> str | None:
    """A title numbered as a compilation's piece ("1.在…的讲话", "二、在…的发言"), without its number; None for
    anything else. Only taken where a salutation follows: a heading inside a document is never followed by one."""
    numbering = numbering_at(text)
    if numbering is None:
        return None
    rest = text[numbering.end :].strip(" \u3000")
    return rest if len(rest) >= _MIN_TITLE and is_title_like(rest) else None


def _start_at(lines: Sequence[Line], i: int, floor: int) -> int | None:
    """Where a document starts if line i is its title (walking back over a subtitle), else None."""
    text = lines[i].text
    if _numbered_title(text) is not None and is_opening_salutation(lines[i + 1].text):
        return i
    if not is_title_like(text) or len(text) < _MIN_TITLE or _SECTION_WORDS.fullmatch(text):
        return None
    if is_opening_salutation(lines[i + 1].text):
        return _title_line(lines, i, floor)
    if is_closing(lines[i - 1].text) and not is_byline(text):
        after = _skip_bylines(lines, i + 1, len(lines))
        if after < len(lines) and not is_title_like(lines[after].text):
            return i
    return None


def _title_line(lines: Sequence[Line], i: int, floor: int) -> int:
    """The main title above subtitle, date and spaced-name lines ("——在…会议上的讲话", "（2023年5月）")."""
    j = i
    while j - 1 > floor and is_byline(lines[j].text) and is_title_like(lines[j - 1].text):
        j -= 1
        if i - j >= _MAX_BYLINES:
            break
    return j


def _opens_document(lines: Sequence[Line], start: int, end: int) -> bool:
    """Whether the first part begins with a title line of its own: a title, perhaps subtitle, date or speaker
    lines (which stay in the body), then a salutation. A date line is never the title itself."""
    if end - start >= 2 and _numbered_title(lines[start].text) is not None:
        return is_opening_salutation(lines[start + 1].text)
    if end - start < 2 or not is_title_like(lines[start].text) or is_byline(lines[start].text):
        return False
    after = _skip_bylines(lines, start + 1, end)
    return after < end and is_opening_salutation(lines[after].text)


def _skip_bylines(lines: Sequence[Line], i: int, end: int) -> int:
    """The index of the first line at or after i (up to _MAX_BYLINES later) that is not a byline."""
    limit = min(end, i + _MAX_BYLINES)
    while i < limit and is_byline(lines[i].text):
        i += 1
    return i


def _body_counts(lines: Sequence[Line]) -> list[int]:
    """counts[i] = how many of lines[:i] are body text (end a sentence), so any range is checked at once."""
    counts = [0]
    for line in lines:
        is_body = line.text.rstrip("”’」』）)")[-1:] in _BODY_END and len(line.text) >= 6
        counts.append(counts[-1] + is_body)
    return counts
