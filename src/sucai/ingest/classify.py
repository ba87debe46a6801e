"""Year, genre and topic tags of a document, from its title first and its text second.

Matching is done on the normalised text (sucai.normalize: simplified characters, folded width, no spaces),
so the 1954 report in traditional characters and full-width digits (１９５５) classify like the rest.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sucai.ingest.congress import congress_year
from sucai.normalize import PARAGRAPH_SEP, normalize

# (keyword in the title, genre): the first keyword found wins, so specific ones come first.
TITLE_GENRES: tuple[tuple[str, str], ...] = (
    ("对照检查", "对照检查材料"),
    ("检视剖析", "对照检查材料"),
    ("对照检视", "对照检查材料"),
    ("剖析材料", "对照检查材料"),
    ("个人检视", "对照检查材料"),
    ("检查材料", "对照检查材料"),
    ("述职", "述职报告"),
    ("述责述廉", "述职报告"),
    ("述廉", "述职报告"),
    ("调研报告", "调研报告"),
    ("调查报告", "调研报告"),
    ("主持词", "主持词"),
    ("主持稿", "主持词"),
    ("主持讲话", "主持词"),
    ("调查与思考", "调研报告"),
    ("调研与思考", "调研报告"),
    ("决议", "决议"),
    ("党课", "党课"),
    ("发言材料", "发言材料"),
    ("研讨发言", "发言材料"),
    ("交流发言", "发言材料"),
    ("发言提纲", "发言材料"),
    ("发言稿", "发言材料"),
    ("心得体会", "心得体会"),
    ("心得", "心得体会"),
    ("体会", "心得体会"),
    ("感悟", "心得体会"),
    ("观后感", "心得体会"),
    ("读后感", "心得体会"),
    ("发言", "发言材料"),
    ("讲话", "讲话稿"),
    ("讲稿", "讲话稿"),
    ("致辞", "讲话稿"),
    ("工作总结", "工作总结"),
    ("总结", "工作总结"),
    ("工作计划", "工作计划"),
    ("工作要点", "工作计划"),
    ("实施方案", "实施方案"),
    ("工作方案", "实施方案"),
    ("报告", "工作报告"),
    ("通知", "通知"),
)
# (cue in the opening or closing of the text, genre), used when the title says nothing.
BODY_GENRES: tuple[tuple[str, str], ...] = (
    ("述职", "述职报告"),
    ("对照检查", "对照检查材料"),
    ("检视剖析", "对照检查材料"),
    ("党课", "党课"),
    ("交流发言", "发言材料"),
    ("研讨发言", "发言材料"),
    ("发言完毕", "发言材料"),
    ("心得体会", "心得体会"),
    ("学习体会", "心得体会"),
    ("听取和审议", "决议"),
    ("向大会报告", "工作报告"),
    ("作工作报告", "工作报告"),
    ("作报告", "工作报告"),
    ("报告工作", "工作报告"),
    ("现在开会", "主持词"),
    ("谢谢大家", "讲话稿"),
)
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年")
_CN_YEAR = re.compile(r"([一二三四五六七八九〇○零]{4})年")
_DATE = re.compile(r"((?:19|20)[0-9]{2})年[0-9]{1,2}月[0-9]{1,2}日")
# a paragraph that is only a date, the month alone enough: "(2019年10月)" under a white paper's title
_DATE_PARAGRAPH = re.compile("(?:^|\u2029)[(]?((?:19|20)[0-9]{2})年[0-9]{1,2}月(?:[0-9]{1,2}日)?[)]?(?=\u2029|$)")
_HEADER = 200
_TARGET = ("到", "至")
_CN_DIGIT = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_TAG_MIN_MENTIONS = 3
_SHORT_DOCUMENT = 3000
_HEAD, _TAIL = 600, 300
# "在…会议上的讲话": what was given at the meeting is the genre, whatever the meeting was about (述职评议会)
_SPOKEN_AT = re.compile(r"在.+[上中]的(.{1,12})$")
# a subtitle paragraph at the top of the text: "——在青年干部座谈会上的讲话" (U+2015 ―― too)
_SUBTITLE = re.compile("(?:^|\u2029)(?:——|—|--|―)+([^\u2029。！？!?]{2,60})(?:\u2029|$)")
NEWS_GENRE = "新闻报道"
# how a news report opens (on normalised text: ASCII brackets, no spaces): 本报讯, a dateline (…3月5日电),
# a reporter's byline paragraph, 记者从…获悉
_NEWS_OPENING = re.compile(
    r"(?:本报讯|本刊讯|[^\u2029。，,]{0,16}?(?:[0-9]{4}年)?[0-9一二三四五六七八九十]{1,2}月[0-9一二三四五六七八九十]{1,3}日电"
    r"|(?:本报|新华社|人民日报|特约)?(?:记者|通讯员)[\u4e00-\u9fff、]{2,16}(?:\u2029|$)"
    r"|记者[^\u2029。，,]{0,12}?(?:获悉|了解到|采访))"
)
# a headline that reports an event, unless it ends with what the text is (通知, 讲话, 体会 …)
_NEWS_TITLE = re.compile(
    r"召开|举行|开展|出席|会见|考察|热议|畅谈|见闻|侧记|综述|纪实|走进|开进|传达学习|出台|迎来|发表重要讲话|并讲话|掠影|速递"
)
_DOCUMENT_END = re.compile(
    r"(?:通知|通报|方案|意见|办法|规定|决定|决议|报告|讲话|讲话稿|发言|发言稿|发言材料|总结|打算|计划|要点|体会|心得|感悟|"
    r"观后感|读后感|有感|材料|党课|讲稿|提纲|主持词|主持稿|致辞|贺词)[)）]?$"
)
_SPEECH_OPENING = re.compile(r"(?:同志们|各位代表|各位委员|各位领导|尊敬的)[^\u2029]{0,20}[:：!！]")


@dataclass(frozen=True)
class Classification:
    year: int | None = None
    genre: str | None = None
    tags: list[str] = field(default_factory=list)


def classify(
    title: str,
    body: str,
    *,
    year_hint: int | None = None,
    topics: Sequence[tuple[str, str]] = (),
    collection_year: int | None = None,
) -> Classification:
    """Year, genre and tags of a document (title and body text as stored; normalised here)."""
    return classify_normalized(
        normalize(title), normalize(body), year_hint=year_hint, topics=topics, collection_year=collection_year
    )


def classify_normalized(
    norm_title: str,
    norm_body: str,
    *,
    year_hint: int | None = None,
    topics: Sequence[tuple[str, str]] = (),
    collection_year: int | None = None,
) -> Classification:
    """classify() for a title and body already put through sucai.normalize."""
    return Classification(
        year=detect_year(norm_title, norm_body, year_hint, collection_year),
        genre=detect_genre(norm_title, norm_body),
        tags=detect_tags(norm_title, norm_body, topics),
    )


def detect_year(
    title: str, body: str, year_hint: int | None = None, collection_year: int | None = None
) -> int | None:
    """The year in the title, else the congress a congress report's title names, else the hint, else a date
    in the header (a date line, "(2019年10月)", first), else the year of the collection the document came in
    ("2024年…发言材料三篇"), else the year the text mentions most.

    Target years ("到2035年") and years after next year are not the document's year.
    """
    in_title = title_year(title)
    if in_title is not None:
        return in_title
    congress = congress_year(title)
    if congress is not None:
        return congress
    if year_hint is not None:
        return year_hint
    dated = _DATE_PARAGRAPH.search(body[:_HEADER]) or _DATE.search(body[:_HEADER])
    if dated:
        return int(dated.group(1))
    if collection_year is not None:
        return collection_year
    latest = datetime.date.today().year + 1
    counts = Counter(y for y in _years(body[:5000], skip_targets=True) if y <= latest)
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def title_year(title: str) -> int | None:
    """The first year written in a (normalised) title, if any."""
    found = _years(title)
    return found[0] if found else None


def _years(text: str, *, skip_targets: bool = False) -> list[int]:
    found = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(text)]
    found += [(m.start(), int(m.group(1).translate(_CN_DIGIT))) for m in _CN_YEAR.finditer(text)]
    return [
        year
        for start, year in sorted(found)
        if 1900 <= year <= 2100 and not (skip_targets and text[max(0, start - 1) : start] in _TARGET)
    ]


def detect_genre(title: str, body: str) -> str | None:
    """Genre from title keywords, else from a subtitle under it, else from cues at the start or end of the text.

    The title's genre word wins over cues in the body (a 述职报告 may mention the 党课 it gave) — except in a news
    report: one that opens like news (本报讯, a dateline, a byline), or whose headline reports an event (召开,
    举行 …, not ending in what the text is) and does not open as a speech, is 新闻报道 whatever it reports on
    ("江渚县召开述职评议会" is no 述职报告, "…发表重要讲话" no 讲话稿).
    """
    spoken = _SPOKEN_AT.search(title)
    found = _keyword_genre(spoken.group(1)) if spoken else None
    if found:
        return found
    if _NEWS_OPENING.match(body[:_HEADER]) or _NEWS_OPENING.match(body[body.find(PARAGRAPH_SEP) + 1 : _HEADER]):
        return NEWS_GENRE
    found = title_genre(title)
    if found and _DOCUMENT_END.search(title):
        return found
    if _NEWS_TITLE.search(title) and not _SPEECH_OPENING.search(body[:_HEADER]):
        return NEWS_GENRE
    if found:
        return found
    subtitle = _SUBTITLE.search(body[:_HEADER])
    if subtitle:
        found = title_genre(subtitle.group(1))
        if found:
            return found
    edges = body[:_HEAD] + "\n" + body[-_TAIL:]
    for cue, genre in BODY_GENRES:
        if cue in edges:
            return genre
    return None


def title_genre(title: str) -> str | None:
    """The genre a (normalised) title names: for "在…上的讲话" the word after 上的, else the first keyword."""
    spoken = _SPOKEN_AT.search(title)
    if spoken:
        found = _keyword_genre(spoken.group(1))
        if found:
            return found
    return _keyword_genre(title)


def _keyword_genre(text: str) -> str | None:
    return next((genre for keyword, genre in TITLE_GENRES if keyword in text), None)


def detect_tags(title: str, body: str, topics: Sequence[tuple[str, str]]) -> list[str]:
    """Tags whose keywords are in the title or mentioned often enough in the body, in table order."""
    needed = 2 if len(body) < _SHORT_DOCUMENT else _TAG_MIN_MENTIONS
    mentions: dict[str, int] = {}
    in_title: set[str] = set()
    for keyword, tag in topics:
        key = normalize(keyword)
        if not key:
            continue
        mentions[tag] = mentions.get(tag, 0) + body.count(key)
        if key in title:
            in_title.add(tag)
    return [tag for tag, n in mentions.items() if tag in in_title or n >= needed]
