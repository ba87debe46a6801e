"""Outline first: from a topic, an outline assembled from the headings of the library's best-matching
documents, each point with its source, for the writer to edit and fill.

    proposal = propose_outline(["主题教育", "调查研究"], ranked_documents)

The documents come ranked by the search and already filtered for the viewer (member-only headings are not in
them). A level-1 heading earns its place by the topic words it carries and by its document's rank; headings
that say the same thing (the same lead phrase once numbering and punctuation are gone) are offered once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sucai.compose.headings import first_words, strip_numbering
from sucai.model import Document
from sucai.normalize import normalize

MAX_SECTIONS = 6
MAX_POINTS = 4


@dataclass(frozen=True)
class OutlineSource:
    doc_id: int
    title: str
    block: int  # the heading's block in the document (the page's #b anchor)


@dataclass
class OutlinePoint:
    text: str
    source: OutlineSource
    points: list[OutlinePoint] = field(default_factory=list)


@dataclass
class OutlineProposal:
    topic: str
    sections: list[OutlinePoint] = field(default_factory=list)

    def as_text(self) -> str:
        """The outline as draft lines (一、… （一）…), ready to paste on the desk."""
        lines = []
        for i, section in enumerate(self.sections, start=1):
            lines.append(f"{_cn(i)}、{_point_text(section.text)}")
            lines += [f"（{_cn(j)}）{_point_text(p.text)}" for j, p in enumerate(section.points, start=1)]
        return "\n".join(lines)


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    return ("" if n < 20 else digits[n // 10]) + "十" + (digits[n % 10] if n % 10 else "")


def _key(text: str) -> str:
    """What makes two headings the same point: the normalised lead phrase without its numbering."""
    return normalize(first_words(strip_numbering(text)))


def _point_text(text: str) -> str:
    return strip_numbering(text).rstrip("。；;")


def _sections_of(doc: Document) -> list[OutlinePoint]:
    """A document's level-1 headings, each with its level-2 headings."""
    assert doc.id is not None
    levels = sorted({item.level for item in doc.outline})
    if not levels:
        return []
    top, second = levels[0], levels[1] if len(levels) > 1 else None
    sections: list[OutlinePoint] = []
    for item in doc.outline:
        source = OutlineSource(doc.id, doc.title, item.block)
        if item.level == top:
            sections.append(OutlinePoint(item.text, source))
        elif item.level == second and sections and len(sections[-1].points) < MAX_POINTS:
            sections[-1].points.append(OutlinePoint(item.text, source))
    return sections


def propose_outline(topic_words: Sequence[str], ranked: Sequence[Document], topic: str = "") -> OutlineProposal:
    """Up to MAX_SECTIONS level-1 points from the ranked documents' outlines, best first, never twice."""
    words = [normalize(w) for w in topic_words if w.strip()]
    scored: list[tuple[float, int, OutlinePoint]] = []
    for rank, doc in enumerate(ranked):
        for order, section in enumerate(_sections_of(doc)):
            text = normalize(section.text + "".join(p.text for p in section.points))
            hits = sum(1 for w in words if w in text)
            scored.append((hits - rank * 0.5, -(rank * 100 + order), section))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    chosen: list[OutlinePoint] = []
    seen: set[str] = set()
    for _score, _order, section in scored:
        key = _key(section.text)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(section)
        if len(chosen) == MAX_SECTIONS:
            break
    return OutlineProposal(topic or " ".join(topic_words), chosen)
