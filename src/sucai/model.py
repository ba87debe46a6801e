"""The one model: plain dataclasses shared by the API, the CLI's --json and the templates. No I/O here."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["title", "salutation", "heading", "paragraph", "closing"]
TIERS: tuple[str, ...] = ("guest", "free", "member", "svip", "admin")


def to_dict(obj: Any) -> Any:
    """A dataclass (or list of them) as plain JSON-ready data."""
    if isinstance(obj, str | int | float | bool | None):  # most values: answered first
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {name: to_dict(getattr(obj, name)) for name in _field_names(type(obj))}
    if isinstance(obj, list | tuple):
        return [to_dict(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@dataclass(frozen=True)
class Line:
    """One line of cleaned text with its paywall state (markers already taken out)."""

    text: str
    paid: bool = False


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    level: int | None = None
    paid: bool = False


@dataclass(frozen=True)
class OutlineItem:
    level: int
    text: str
    block: int  # index of the heading block in Document.blocks


@dataclass(frozen=True)
class Placeholder:
    text: str  # as found: xx, XX, ××, X月X日, 某某 ...
    block: int
    start: int  # character offset inside the block text
    end: int


@dataclass(frozen=True)
class Removal:
    """Text the cleaner took out (an advertisement), with the rule that matched."""

    rule: str
    text: str


@dataclass(frozen=True)
class Repair:
    """An obfuscated term put right (主T -> 主题), with how many times."""

    found: str
    replaced: str
    count: int


@dataclass(frozen=True)
class FreeFacts:
    """What a viewer without member access may know of a document with member-only blocks: facts worked
    out from its title and free blocks alone (as if the member-only text had never been written)."""

    year: int | None = None
    genre: str | None = None
    tags: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    chars: int = 0


@dataclass
class Document:
    id: int | None
    title: str
    blocks: list[Block]
    outline: list[OutlineItem] = field(default_factory=list)
    source: str = ""
    year: int | None = None
    genre: str | None = None
    tags: list[str] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    source_sha256: str = ""
    body_sha256: str = ""
    duplicate_of: int | None = None
    created_at: str = ""
    locked: int = 0  # paid blocks withheld from this viewer
    free_facts: FreeFacts | None = None  # None when no block is member-only (then the facts above are free)
    # what a page says of itself (sucai.ingest.page): credit lines taken out of the text (source, author,
    # editor, date …), the subtitle, the compilation it came in, the speaker of a 发言摘编 page, its date
    # (ISO, or year-month), and where its appendices (附件, 名词解释) begin, outside the outline
    credits: dict[str, str] = field(default_factory=dict)
    subtitle: str = ""
    collection: str = ""
    speaker: str = ""
    role: str = ""
    date: str = ""
    appendix: int | None = None  # index in blocks of the first appendix block

    @property
    def chars(self) -> int:
        return sum(len(b.text) for b in self.blocks)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    @property
    def has_paid(self) -> bool:
        return any(b.paid for b in self.blocks)


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    title: str
    source: str
    year: int | None
    genre: str | None
    chars: int
    tags: list[str] = field(default_factory=list)
    created_at: str = ""
    duplicate_of: int | None = None
    free_facts: FreeFacts | None = None  # None when the document has no member-only block


@dataclass(frozen=True)
class IngestedDocument:
    id: int
    title: str
    source: str
    chars: int
    duplicate_of: int | None = None


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Failed:
    path: str
    error: str


@dataclass
class IngestReport:
    documents: list[IngestedDocument] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class ParagraphHit:
    block: int
    text: str  # HTML-escaped with <mark>


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    score: float
    snippets: list[str] = field(default_factory=list)
    locked: bool = False
    paragraphs: list[ParagraphHit] = field(default_factory=list)
    year: int | None = None
    genre: str | None = None
    title_html: str = ""


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    offset: int = 0
    limit: int = 20
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    took_ms: float = 0.0


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "title" or "heading"
    id: int


PHRASE_KINDS: tuple[str, ...] = ("parallel", "quote")


@dataclass(frozen=True)
class PhraseHit:
    """A phrase-bank entry (金句) with its source: a parallel run or an introduced quotation."""

    id: int
    doc_id: int
    title: str
    block: int  # index of the source block in the full document (the page's #b anchor)
    kind: str  # one of PHRASE_KINDS
    text: str


@dataclass(frozen=True)
class User:
    id: int
    name: str
    tier: str
    expires: str | None = None  # ISO date a membership ends; None = no expiry
    created_at: str = ""
    disabled_at: str | None = None  # set by an admin: the account can no longer sign in


@dataclass(frozen=True)
class CopiedSpan:
    start: int
    end: int
    source_id: int
    source_start: int
    quoted: bool = False


@dataclass(frozen=True)
class SourceShare:
    id: int
    title: str
    copied_chars: int


@dataclass(frozen=True)
class SectionFigure:
    heading: str
    start: int
    end: int
    chars: int
    copied_chars: int
    copy_ratio: float


@dataclass
class CheckReport:
    chars: int
    copied_chars: int
    copy_ratio: float
    copy_ratio_excluding_quotes: float = 0.0
    max_single_source_ratio: float = 0.0
    sources: list[SourceShare] = field(default_factory=list)
    spans: list[CopiedSpan] = field(default_factory=list)
    sections: list[SectionFigure] = field(default_factory=list)


@dataclass(frozen=True)
class LintProblem:
    rule: str
    start: int
    end: int
    message: str
    suggestion: str


@dataclass
class LintReport:
    problems: list[LintProblem] = field(default_factory=list)


@dataclass(frozen=True)
class TraceInfo:
    user: str
    time: str
    document: int | list[int]
    altered: bool = False  # the text under the file's verified footer line was changed after the download
