"""What a page says of itself (credits, subtitle, collection, speaker and role, date, where its appendices
begin: sucai.ingest.page) kept with its document as one JSON column, NULL when it says nothing."""

from __future__ import annotations

import json
from typing import Any

from sucai.model import Document

PAGE_MIGRATION = ["ALTER TABLE documents ADD COLUMN page TEXT"]
_TEXT_FIELDS = ("subtitle", "collection", "speaker", "role", "date")


def dump_page(doc: Document) -> str | None:
    facts: dict[str, Any] = {name: getattr(doc, name) for name in _TEXT_FIELDS if getattr(doc, name)}
    if doc.credits:
        facts["credits"] = doc.credits
    if doc.appendix is not None:
        facts["appendix"] = doc.appendix
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":")) if facts else None


def load_page(text: str | None) -> dict[str, Any]:
    """The Document fields the column holds (empty when NULL)."""
    if not text:
        return {}
    facts = json.loads(text)
    fields: dict[str, Any] = {name: str(facts[name]) for name in _TEXT_FIELDS if facts.get(name)}
    if isinstance(facts.get("credits"), dict):
        fields["credits"] = {str(k): str(v) for k, v in facts["credits"].items()}
    if isinstance(facts.get("appendix"), int):
        fields["appendix"] = facts["appendix"]
    return fields
