"""A document's free facts (model.FreeFacts) as the store keeps them: one JSON column of `documents`,
NULL when no block is member-only.

    free_facts  {"year": int|null, "genre": str|null, "tags": [...], "repairs": [{"found", "replaced",
                "count"}], "chars": int}

Migration 5 adds the column and fills it for documents stored before it from their stored bodies: the
free blocks are classified again with the shipped rules; repairs are not known there (empty) until
`sucai reindex` parses the sources again.
"""

from __future__ import annotations

import json
from typing import Any

from sucai.model import Document, FreeFacts, Repair
from sucai.normalize import PARAGRAPH_SEP, normalize
from sucai.store.bodies import pack, read_layout


def dump_free_facts(facts: FreeFacts | None) -> str | None:
    if facts is None:
        return None
    data = {
        "year": facts.year, "genre": facts.genre, "tags": list(facts.tags),
        "repairs": [{"found": r.found, "replaced": r.replaced, "count": r.count} for r in facts.repairs],
        "chars": facts.chars,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load_free_facts(raw: str | None) -> FreeFacts | None:
    if not raw:
        return None
    data = json.loads(raw)
    return FreeFacts(
        year=data.get("year"), genre=data.get("genre"), tags=list(data.get("tags") or []),
        repairs=[Repair(**r) for r in data.get("repairs") or []], chars=int(data.get("chars") or 0),
    )


def free_facts_from_body(title: str, layout: str, text: str) -> FreeFacts | None:
    """Free facts worked out from a stored body (no year hint, no repairs): None when nothing is paid."""
    from sucai.ingest.classify import classify_normalized
    from sucai.ingest.clean import load_rules

    parts = read_layout(layout)
    if not any(parts.paid):
        return None
    free = [i for i, paid in enumerate(parts.paid) if not paid]
    blocks = {i: text[parts.starts[i] : parts.starts[i + 1]] for i in free}
    body = PARAGRAPH_SEP.join(normalize(blocks[i]) for i in free if parts.kinds[i] != "title")
    facts = classify_normalized(normalize(title), body, topics=load_rules().topics)
    return FreeFacts(facts.year, facts.genre, facts.tags, [], sum(map(len, blocks.values())))


def shown_free_facts(stored: FreeFacts | None, has_paid: bool) -> FreeFacts | None:
    """The facts a viewer without member access is given: None = the document's own (nothing is paid);
    a document with a member-only part but no free facts stored gives none (never the whole text's)."""
    if stored is not None:
        return stored
    return FreeFacts() if has_paid else None


def free_facts_of(doc: Document) -> FreeFacts | None:
    """The free facts to store with a document: its own (from parsing), else worked out from its blocks
    when some are member-only (a document built without the parser), else None."""
    if doc.free_facts is not None or not doc.has_paid:
        return doc.free_facts if doc.has_paid else None
    layout, text = pack(doc.blocks)
    return free_facts_from_body(doc.title, layout, text)


def fill_free_facts(cur: Any, batch: int = 500) -> None:
    """Migration 5's data step: free facts for every stored document with a member-only block."""
    last = -1
    while True:
        cur.execute(
            "SELECT d.id, d.title, b.layout, b.text FROM documents d"
            " JOIN bodies b ON b.doc_id = COALESCE(d.duplicate_of, d.id)"
            " WHERE d.id > ? ORDER BY d.id LIMIT ?", (last, batch),
        )
        rows = cur.fetchall()
        if not rows:
            return
        updates = [
            (dump_free_facts(facts), int(doc_id))
            for doc_id, title, layout, text in rows
            if (facts := free_facts_from_body(title, layout, text)) is not None
        ]
        if updates:
            cur.executemany("UPDATE documents SET free_facts = ? WHERE id = ?", updates)
        last = int(rows[-1][0])
