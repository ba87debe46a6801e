"""What a page says of itself, put on its parsed documents: credits, subtitle, collection, speaker, date and
appendix; and stub pages (only 广告, only a picture credit, almost no text) refused with a reason.

    docs = finish_documents(docs, split, starts, cleaned)   # raises StubPage when nothing is worth keeping
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from sucai.ingest.appendix import appendix_start
from sucai.ingest.clean import Cleaned
from sucai.ingest.pagelines import DASHES, is_dash_led
from sucai.ingest.parts import Part, Split
from sucai.ingest.readers import NotRead
from sucai.model import Document

_CJK = re.compile(r"[\u3400-\u9fff]")
_AD_ONLY = re.compile(r"[\s\u3000]*(?:广[\s\u3000]*告|广告位|赞助)[\s\u3000]*")
# "本版图片均由本报记者 陆远 摄", "（新华社记者 张三摄）", "图片来源：视觉中国", "制图：李四"
_PICTURE_CREDIT = re.compile(
    r"[（(]?[^。！？]{0,30}?(?:[\u4e00-\u9fff]{2,4}[\s\u3000]*摄(?:影)?|新华社发|供图|图片来源[：:].{1,20}|制图[：:].{1,10})[）)]?"
)
_PICTURE_TITLE = re.compile(r"(?:图片|图说|图文|摄影)(?:新闻|报道|专版)?|组图")
_FEW_CHARS = 12
_FEW_LINES = 3
_HEADER_BLOCKS = 6
_YMD = r"((?:19|20)[0-9]{2})年([0-9]{1,2})月(?:([0-9]{1,2})日)?"
# a line that is a date: "（2019年10月）", "2025年1月18日", "――2025年1月18日在…上", "江渚县2025年3月10日电"
_DATE_LINE = re.compile(rf"[（(]?{_YMD}[）)]?")
_LEADING_DATE = re.compile(rf"(?:[―—－-]+)?{_YMD}")
_DATELINE = re.compile(rf"[^，。！？]{{0,16}}?{_YMD}电")


class StubPage(NotRead):
    """A page with nothing worth keeping (only 广告, only a picture credit, almost no text): skipped, with this
    reason. pipeline.parse_file raises it only when no record of the file gave a document."""


def credit_year(cleaned: Cleaned) -> int | None:
    """The year of the first dated credit line (发布时间：…, a newspaper masthead), if any."""
    for _, field, value in cleaned.credits:
        if field == "date" and value[:4].isdigit():
            return int(value[:4])
    return None


def finish_documents(
    documents: list[Document], split: Split, starts: Sequence[int], cleaned: Cleaned
) -> list[Document]:
    """The documents with their page facts; stubs dropped (StubPage when every one is a stub)."""
    credits: list[dict[str, str]] = [{} for _ in documents]
    for offset, field, value in cleaned.credits:
        credits[max(0, bisect.bisect_right(list(starts), offset) - 1)].setdefault(field, value)
    paged = cleaned.chrome > 0
    kept: list[Document] = []
    reasons: list[str] = []
    for doc, part, own in zip(documents, split.parts, credits, strict=True):
        reason = stub_reason(doc, part, paged=paged)
        if reason is not None:
            reasons.append(reason)
            continue
        _page_facts(doc, part, own, split)
        kept.append(doc)
    if not kept and reasons:
        raise StubPage(reasons[0])
    if split.collection is not None and len(kept) > 1:
        for doc in kept[1:]:  # a compilation's header date (under its title) is every speaker's
            doc.date = doc.date or kept[0].date
    return kept


def _page_facts(doc: Document, part: Part, credits: dict[str, str], split: Split) -> None:
    doc.credits = credits
    doc.collection = split.collection or ""
    doc.speaker, doc.role = part.speaker, part.role
    header = [b.text for b in doc.blocks[1 : 1 + _HEADER_BLOCKS]]
    doc.subtitle = next((t.lstrip("".join(DASHES) + "—") for t in header[:3] if is_dash_led(t)), "")
    doc.date = credits.get("date") or header_date(header)
    cut = appendix_start([line.text for line in part.lines])
    if cut is not None:
        doc.appendix = len(doc.blocks) - (len(part.lines) - cut)


def header_date(texts: Sequence[str]) -> str:
    """The date of a header line: a date alone, a subtitle that opens with one, or a news dateline."""
    for text in texts:
        m = _DATE_LINE.fullmatch(text) or _LEADING_DATE.match(text) or _DATELINE.match(text)
        if m:
            year, month, day = m.groups()
            return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    return ""


def stub_reason(doc: Document, part: Part, *, paged: bool) -> str | None:
    """Why a document is not worth keeping, or None. `paged`: its text came with page chrome or credits."""
    texts = ([part.title] if part.title else []) + [line.text for line in part.lines]
    if not texts or all(_AD_ONLY.fullmatch(t) for t in texts):
        return "advertisement page: it holds only 广告"
    body = [line.text for line in part.lines]
    pictures = paged or _PICTURE_TITLE.fullmatch(doc.title) is not None
    if body and len(body) <= _FEW_LINES and pictures and all(_PICTURE_CREDIT.fullmatch(t) for t in body):
        return "picture page: it holds only a picture credit"
    if paged and sum(len(t) for t in body) < 4 * _FEW_CHARS:  # only a short page is counted
        chars = sum(len(_CJK.findall(t)) for t in body)
        if chars < _FEW_CHARS:
            return f"almost no text: {chars} Chinese characters besides the title"
    return None
