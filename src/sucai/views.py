"""The JSON objects of the contracts (docs/design.md), built in one place from the model: the CLI's `--json`
and the HTTP API print the same shapes, and neither imports the other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sucai.model import Document, DocumentSummary, IngestReport, PhraseHit, SearchResult, to_dict


def document_json(doc: Document) -> dict[str, Any]:
    """The `show` object (also served at /api/documents/{id})."""
    return {
        "id": doc.id, "title": doc.title, "year": doc.year, "genre": doc.genre, "tags": doc.tags,
        "source": doc.source, "duplicate_of": doc.duplicate_of,
        "blocks": [{"kind": b.kind, "level": b.level, "text": b.text, "paid": b.paid} for b in doc.blocks],
        "outline": [{"level": o.level, "text": o.text, "block": o.block} for o in doc.outline],
        "placeholders": [to_dict(p) for p in doc.placeholders],
        "removed": [to_dict(r) for r in doc.removed],
        "repairs": [to_dict(r) for r in doc.repairs],
        "locked": doc.locked,
        # what the page says of itself: empty unless it says it
        "subtitle": doc.subtitle, "collection": doc.collection, "speaker": doc.speaker, "role": doc.role,
        "date": doc.date, "credits": doc.credits,
    }


def documents_json(total: int, docs: Sequence[DocumentSummary]) -> dict[str, Any]:
    """The `list` object (also served at /api/documents)."""
    keys = ("id", "title", "source", "year", "genre", "chars")
    return {"total": total, "documents": [{k: getattr(d, k) for k in keys} for d in docs]}


def search_json(res: SearchResult) -> dict[str, Any]:
    """The `search` object. `locked`: the document has a member-only part the caller may not read (its
    snippets come from the free text, where the search found it)."""
    hits = [
        {"id": h.id, "title": h.title, "score": h.score, "snippets": h.snippets, "locked": h.locked}
        for h in res.hits
    ]
    return {"query": res.query, "total": res.total, "hits": hits, "offset": res.offset, "limit": res.limit,
            "facets": res.facets}


def phrases_json(total: int, hits: Sequence[PhraseHit]) -> dict[str, Any]:
    """The `phrases` object (also served at /api/phrases)."""
    return {"total": total, "phrases": to_dict(list(hits))}


def ingest_json(report: IngestReport) -> dict[str, Any]:
    """The `ingest` object: every file's fate."""
    return {
        "documents": to_dict(report.documents), "skipped": to_dict(report.skipped), "failed": to_dict(report.failed),
    }
