"""sucai (素材库): a self-hosted material library and writing desk for Chinese official writing.

    import sucai
    lib = sucai.open("library.db")          # or "postgresql://..."; default from $SUCAI_DB
    report = lib.ingest(["a.txt", "dir/"])  # IngestReport
    res = lib.search("以学铸魂", limit=20)    # SearchResult: .total, .hits
    doc = lib.document(res.hits[0].id)      # Document: .id .title .blocks .outline ...
"""

from __future__ import annotations

from sucai.errors import (
    AccessDenied,
    DecodeError,
    InputError,
    NotFound,
    QueryError,
    QuotaExceeded,
    StoreError,
    SucaiError,
    TooLarge,
    TraceError,
    UnsafeArchive,
)
from sucai.library import Library, open_library
from sucai.model import (
    Block,
    CheckReport,
    CopiedSpan,
    Document,
    DocumentSummary,
    Failed,
    FreeFacts,
    Hit,
    IngestedDocument,
    IngestReport,
    LintProblem,
    LintReport,
    OutlineItem,
    ParagraphHit,
    PhraseHit,
    Placeholder,
    Removal,
    Repair,
    SearchResult,
    SectionFigure,
    Skipped,
    SourceShare,
    Suggestion,
    TraceInfo,
    User,
)
from sucai.settings import Settings

open = open_library

__all__ = [
    "AccessDenied",
    "Block",
    "CheckReport",
    "CopiedSpan",
    "DecodeError",
    "Document",
    "DocumentSummary",
    "Failed",
    "FreeFacts",
    "Hit",
    "IngestReport",
    "IngestedDocument",
    "InputError",
    "Library",
    "LintProblem",
    "LintReport",
    "NotFound",
    "OutlineItem",
    "ParagraphHit",
    "PhraseHit",
    "Placeholder",
    "QueryError",
    "QuotaExceeded",
    "Removal",
    "Repair",
    "SearchResult",
    "SectionFigure",
    "Settings",
    "Skipped",
    "SourceShare",
    "StoreError",
    "SucaiError",
    "Suggestion",
    "TooLarge",
    "TraceError",
    "TraceInfo",
    "UnsafeArchive",
    "User",
    "open",
    "open_library",
]
