"""Lines of news and web pages that are never part of a paragraph: bylines, datelines, speaker lines, subtitles.

    本报记者 沈知远              a byline (also 新华社记者 …, 记者 … 通讯员 …)
    江渚县2025年3月10日电        a dateline alone on its line (also 本报北京3月5日电, （本报江渚3月10日电）)
    院长曲青山：                  a speaker line of a compilation of remarks (发言摘编)
    ――来自田间地头的报道          a subtitle led by a dash (—— ―― －－ --)
"""

from __future__ import annotations

import re

DASHES = ("——", "―", "－－", "--")
_MAX_SHORT = 45
_NAME = r"[\u4e00-\u9fff·]{2,5}"
_NAMES = rf"{_NAME}(?:[\s\u3000、，,]+{_NAME}){{0,4}}"
_AGENCY = r"(?:本报|新华社|中新社|人民日报|光明日报|经济日报|央视|本台|本刊)?"
_BYLINE = re.compile(
    rf"(?:{_AGENCY}(?:特约|见习|实习)?(?:记者|通讯员|评论员|特约撰稿人)[\s\u3000]*{_NAMES}[\s\u3000]*)+"
    rf"|{_AGENCY}(?:评论员|特约评论员)|(?:文|文/图|图/文|文图)[\s\u3000]*[:：/|]?[\s\u3000]*{_NAMES}"
)
_DAY = r"[0-9０-９一二三四五六七八九十]{1,3}"
_PLACE = r"[\u4e00-\u9fff]{0,12}?"
_DATELINE = re.compile(
    rf"[（(]?(?:{_AGENCY}{_PLACE}|{_PLACE})(?:[0-9]{{4}}年)?{_DAY}月{_DAY}日(?:电|讯)"
    rf"(?:[\s\u3000]*[（(]?(?:记者)?[\s\u3000]*{_NAMES}[）)]?)?[）)]?"
)
# a role (院长, 委员, 主任, 书记 …) and a name, or a name and a role, before the colon ending the line
_ROLES = (
    r"(?:院长|副院长|所长|校长|主任|副主任|书记|副书记|部长|副部长|局长|主席|副主席|委员|常委|代表|社长|会长|"
    r"理事长|董事长|总经理|总编辑|教授|研究员|厅长|省长|市长|县长|区长|镇长|乡长|干部|党员|负责人|专家|学者|"
    r"馆长|台长|司长|处长|科长|队长|村民|职工|教师|医生)"
)
_SPEAKER = re.compile(
    rf"(?P<role>[^\s\u3000：:。！？；]{{0,30}}?{_ROLES})[\s\u3000]*(?P<name>[\u4e00-\u9fff·]{{2,4}})[：:]"
)


def is_news_byline(text: str) -> bool:
    """本报记者 沈知远 / 新华社记者 张三 李四 / 记者 王五 通讯员 赵六 / 本报评论员."""
    return len(text) <= 40 and _BYLINE.fullmatch(text) is not None


def is_news_dateline(text: str) -> bool:
    """A dateline alone on its line: 江渚县2025年3月10日电, 本报北京3月5日电, （本报江渚3月10日电）."""
    return len(text) <= 40 and _DATELINE.fullmatch(text) is not None


def speaker_of(text: str) -> tuple[str, str] | None:
    """(role, name) of a speaker line ("院长曲青山：", "全国政协委员、江渚大学校长 林远舟："), else None."""
    if len(text) > 45 or text[-1:] not in "：:":
        return None
    m = _SPEAKER.fullmatch(text)
    if m is None:
        return None
    return m.group("role").rstrip("，,、 \u3000"), m.group("name")


def is_dash_led(text: str) -> bool:
    """A subtitle or attribution led by a dash: ——在…上的讲话, ――来自…的报道 (U+2015 too)."""
    return text.startswith(DASHES) and len(text.lstrip("—―－-")) >= 2


def stands_apart(text: str) -> bool:
    """Whether a line of a page keeps its own block: a byline, a dateline, a speaker line or a dash-led line."""
    if is_dash_led(text):
        return True
    if len(text) > _MAX_SHORT:  # bylines, datelines and speaker lines are short: most lines end here
        return False
    return is_news_byline(text) or is_news_dateline(text) or speaker_of(text) is not None
