"""A PDF's lines back into paragraphs: running headers, footers and page numbers out; lines broken by the page
width joined; headings (short centred lines, numbered lines) never joined to what follows or precedes them.

Pure geometry on Line records (PDF points, y upwards): no PDF library here, so it is tested on lines alone.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    text: str
    x0: float  # left of the first character
    x1: float  # right of the last character
    y: float  # baseline, from the bottom of the page
    size: float  # font size


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: list[Line]


@dataclass(frozen=True)
class PdfText:
    text: str
    title: str | None


_BAND = 0.12  # share of the page height at the top and the bottom where running heads and folios live
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－−_·•.\s]*[0-9０-９]{1,4}[-—–－−_·•.\s]*"
    r"|第\s*[0-9０-９一二三四五六七八九十百]+\s*页(?:\s*[，,/／]?\s*共\s*[0-9０-９]+\s*页)?"
    r"|共\s*[0-9０-９]+\s*页\s*[，,]?\s*第\s*[0-9０-９]+\s*页"
    r"|[0-9]{1,4}\s*[/／]\s*[0-9]{1,4}"
    r"|(?:page|p\.)\s*[0-9]+(?:\s*of\s*[0-9]+)?"
    r"|[ivxlcIVXLC]{1,6})$",
    re.IGNORECASE,
)
_HEADING_NUMBER = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百]+[)）]|[0-9０-９]+[.．、](?![0-9０-９])"
    r"|[（(][0-9０-９]+[)）]|第[一二三四五六七八九十百0-9]+[章节部分条篇]|第[一二三四五六七八九十]+[，,、])"
)
_MID_SENTENCE_END = re.compile(r"[\u4e00-\u9fffA-Za-z0-9×]$")  # a wrapped line ends inside a sentence
_TITLE_WITHIN = 8  # lines of the first page where a title in larger type is looked for
_ISSUER = re.compile(r"(文件|简报|通讯|快报)$")  # the issuing organ's red header, set larger than the title
_SENTENCE_END = re.compile(r"[。！？；!?;…][”’」』）)]*$")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")


def layout(pages: list[Page]) -> PdfText:
    body = [[line for line in page.lines if line.text] for page in pages]
    body = _without_furniture(pages, body)
    lines = [line for page in body for line in page]
    if not lines:
        return PdfText("", None)
    geometry = _Geometry.of(body)
    title, body[0] = _title(body[0], geometry)
    paragraphs: list[str] = []
    for page in body:
        for index, line in enumerate(page):
            previous = page[index - 1] if index else None
            if paragraphs and _continues(previous, line, geometry, paragraphs[-1]):
                paragraphs[-1] = _join(paragraphs[-1], line.text)
            else:
                paragraphs.append(line.text)
            geometry.last = line
    return PdfText("\n".join(paragraphs), title)


@dataclass
class _Geometry:
    left: float
    right: float
    size: float
    leading: float  # baseline to baseline inside a paragraph
    indents: bool  # paragraphs start with an indent (official documents indent two characters)
    spacing: bool  # paragraphs are set apart by extra space (what Word and WPS do by default)
    last: Line | None = None  # the line before, across pages

    @classmethod
    def of(cls, body: list[list[Line]]) -> _Geometry:
        lines = [line for page in body for line in page]
        size = statistics.median(line.size for line in lines) or 10.0
        left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
        ends = sorted(line.x1 for line in lines)
        right = ends[int(0.95 * (len(ends) - 1))]
        steps = [a.y - b.y for page in body for a, b in itertools.pairwise(page) if 0 < a.y - b.y < 4 * size]
        leading = statistics.median(steps) if steps else 1.5 * size
        indented = sum(1 for line in lines if 1.5 * size <= line.x0 - left <= 3.5 * size)
        geometry = cls(left, right, size, leading, indented >= max(2, 0.05 * len(lines)), False)
        geometry.spacing = _spaced(body, geometry)
        return geometry

    def full(self, line: Line) -> bool:
        """The line ran to the right margin: the next word did not fit (an unbreakable run may leave a gap)."""
        if line.x1 >= self.right - 1.6 * line.size:
            return True
        return line.x1 >= self.right - 8 * line.size and bool(_MID_SENTENCE_END.search(line.text))

    def centred(self, line: Line) -> bool:
        middle = (self.left + self.right) / 2
        return (not self.full(line) and line.x0 > self.left + 2 * line.size
                and abs((line.x0 + line.x1) / 2 - middle) < 2 * line.size)

    def indented(self, line: Line) -> bool:
        return line.x0 - self.left >= 1.0 * line.size


def _continues(previous: Line | None, line: Line, geometry: _Geometry, text: str) -> bool:
    """The line carries on the paragraph the line before began: that one ran to the margin mid-sentence."""
    before = geometry.last
    if before is None or not geometry.full(before) or geometry.centred(before) or geometry.centred(line):
        return False
    if _HEADING_NUMBER.match(line.text) or abs(line.size - before.size) > 0.15 * geometry.size:
        return False
    if geometry.indents and geometry.indented(line):
        return False
    if previous is not None and previous.y - line.y > 1.35 * geometry.leading:
        return False  # paragraph spacing
    if not geometry.indents and not geometry.spacing and _SENTENCE_END.search(text):
        return False  # nothing to tell by: a full line ending a sentence more likely ends its paragraph
    return True


def _spaced(body: list[list[Line]], geometry: _Geometry) -> bool:
    """Most lines that surely end a paragraph (short ones) are followed by extra space."""
    ends = [
        a.y - b.y > 1.35 * geometry.leading
        for page in body for a, b in itertools.pairwise(page)
        if not geometry.full(a) and 0 < a.y - b.y < 4 * geometry.size
    ]
    return len(ends) >= 3 and sum(ends) >= 0.8 * len(ends)


def _join(text: str, more: str) -> str:
    if _ASCII_WORD_END.search(text) and _ASCII_WORD_START.match(more):
        return f"{text} {more}"
    return text + more


def _title(first_page: list[Line], geometry: _Geometry) -> tuple[str | None, list[Line]]:
    """The title, when the first page sets it in larger type, and the page with its lines made one.

    A red-header line (发文机关标志, "……文件") comes first in larger type still: it is not the title.
    """
    start = 0
    opening = first_page[:_TITLE_WITHIN]
    while start < len(opening):
        first = opening[start]
        if first.size < 1.2 * geometry.size:
            start += 1
            continue
        end = start + 1
        while end < len(opening) and abs(opening[end].size - first.size) <= 0.5:
            end += 1
        text = "".join(line.text for line in opening[start:end])
        if not _ISSUER.search(text):
            merged = Line(text, first.x0, opening[end - 1].x1, first.y, first.size)
            return text, [*first_page[:start], merged, *first_page[end:]]
        start = end
    return None, first_page


def _without_furniture(pages: list[Page], body: list[list[Line]]) -> list[list[Line]]:
    """Lines in the top and bottom bands that are page numbers, or repeat at one height on most pages, out."""
    repeated = _repeated(pages, body)
    kept = []
    for page, lines in zip(pages, body, strict=True):
        kept.append([
            line for line in lines
            if not (_in_band(line, page) and (_PAGE_NUMBER.match(line.text.strip()) or _key(line) in repeated))
        ])
    return kept


def _repeated(pages: list[Page], body: list[list[Line]]) -> set[tuple[str, int]]:
    if len(pages) < 2:
        return set()
    seen: Counter[tuple[str, int]] = Counter()
    for page, lines in zip(pages, body, strict=True):
        seen.update({_key(line) for line in lines if _in_band(line, page)})
    need = max(2, (len(pages) + 1) // 2)
    return {key for key, count in seen.items() if count >= need}


def _key(line: Line) -> tuple[str, int]:
    """A running line's identity: its text with numbers masked (page 3, 2023年), at its height to 4 points."""
    return re.sub(r"[0-9０-９]+", "#", line.text.strip()), round(line.y / 4)


def _in_band(line: Line, page: Page) -> bool:
    return line.y > page.height * (1 - _BAND) or line.y < page.height * _BAND
