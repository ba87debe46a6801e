"""Fingerprint rows carry a scope (store/base.py: SCOPE_WHOLE, SCOPE_FREE): the merge of the log and the
migration that gives libraries stored before scopes the free-text fingerprints of their paid documents."""

from __future__ import annotations

import json
from typing import Any

from sucai.store.base import SCOPE_BOTH

# Log rows into the hash-ordered table, in key order; a key already stored ends with the union of its
# scopes (a row is in a set or not: OR is that union). A key is in the log once (a document's rows are logged
# once: rewriting or handing one over moves or drops its log rows first), as PostgreSQL's DO UPDATE requires;
# a GROUP BY to make sure would cost the merge 40%. `WHERE 1 = 1` keeps SQLite from reading ON CONFLICT as
# part of the SELECT.
_INTO_FINGERPRINTS = (
    "INSERT INTO fingerprints (hash, doc_id, pos, scope)"
    " SELECT hash, doc_id, pos, scope FROM {rows} ORDER BY hash, doc_id, pos"
    " ON CONFLICT (hash, doc_id, pos) DO UPDATE SET scope = fingerprints.scope | excluded.scope"
)
MERGE_FINGERPRINT_LOG = _INTO_FINGERPRINTS.format(rows="fingerprint_log WHERE 1 = 1")
# PostgreSQL: the move in one statement, so it deletes exactly the rows it merged. As two statements, the
# DELETE (a newer snapshot under READ COMMITTED) would also drop rows another writer committed in between,
# unmerged. SQLite has one writer at a time and keeps the two statements of MERGE_FINGERPRINT_LOG.
_MOVED = "WITH moved AS (DELETE FROM fingerprint_log RETURNING hash, doc_id, pos, scope) "
MOVE_FINGERPRINT_LOG = _MOVED + _INTO_FINGERPRINTS.format(rows="moved")
# The same move without ON CONFLICT, for when no logged key is stored yet (new documents: nearly always). It
# fails whole, deleting nothing, when one is; PostgreSQL's conflict check costs the merge 40% otherwise.
MOVE_NEW_FINGERPRINTS = _MOVED + _INTO_FINGERPRINTS.split(" ON CONFLICT")[0].format(rows="moved")
_RESCOPE_BATCH = 200  # documents read back at once


def rescope_fingerprints(cur: Any) -> None:
    """Migration 6's data step: rows stored before scopes read as both (the column's default), which is
    right for a document without member-only blocks. For each one with them, the rows only its whole text
    selects get SCOPE_WHOLE and those only its free text selects are added with SCOPE_FREE."""
    from sucai.model import Document
    from sucai.originality.fingerprint import document_fingerprints
    from sucai.store.bodies import unpack

    cur.execute(MERGE_FINGERPRINT_LOG)  # one table to correct; lookups read both anyway
    cur.execute("DELETE FROM fingerprint_log")
    cur.execute("SELECT doc_id, layout FROM bodies ORDER BY doc_id")
    paid = [int(doc_id) for doc_id, layout in cur.fetchall() if any(json.loads(layout)["paid"])]
    for i in range(0, len(paid), _RESCOPE_BATCH):
        chunk = paid[i : i + _RESCOPE_BATCH]
        cur.execute(f"SELECT doc_id, layout, text FROM bodies WHERE doc_id IN ({', '.join('?' * len(chunk))})", chunk)
        rows = []
        for doc_id, layout, text in cur.fetchall():
            doc = Document(id=int(doc_id), title="", blocks=unpack(layout, text))
            rows += [(fp.hash, doc.id, fp.pos, fp.scope) for fp in document_fingerprints(doc) if fp.scope != SCOPE_BOTH]
        rows.sort()
        cur.executemany(
            "INSERT INTO fingerprints (hash, doc_id, pos, scope) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (hash, doc_id, pos) DO UPDATE SET scope = excluded.scope",
            rows,
        )
