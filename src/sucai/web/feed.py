"""Atom feeds of new documents — all of them, or per genre, topic or saved search (`/feed.atom?genre=讲话稿`,
`?tag=主题教育`, `?q=调查研究`): titles and free excerpts only, found and read as a guest whoever asks."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sucai import access
from sucai.errors import InputError, NotFound
from sucai.library import Library
from sucai.model import Document
from sucai.web.auth import library
from sucai.web.limits import limit_search

router = APIRouter(include_in_schema=False)
ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 30
SEARCHED = 500  # matches of a filtered feed looked at for the newest
EXCERPT_CHARS = 160


def excerpt(doc: Document, size: int = EXCERPT_CHARS) -> str:
    """The opening of the body as a guest sees it (member-only blocks are already gone)."""
    text = ""
    for block in doc.blocks:
        if block.kind in {"paragraph", "heading"}:
            text += block.text
            if len(text) >= size:
                return text[:size] + "……"
    return text or "（本文正文为会员内容。）"


def feed_query(q: str, genre: str, tag: str) -> str:
    """The search a filtered feed runs ('' for the plain feed of everything new)."""
    for name, value in (("genre", genre), ("tag", tag)):
        if value and (len(value) > 40 or any(ch.isspace() or ch in "\"'" for ch in value)):
            raise InputError(f"{name} 参数不正确。Bad {name}.")
    filters = [f"{name}:{value}" for name, value in (("genre", genre), ("tag", tag)) if value]
    return " ".join([q.strip(), *filters]).strip()


def _feed_title(q: str, genre: str, tag: str) -> str:
    parts = [f"“{q.strip()}”" if q.strip() else "", genre, tag]
    label = " · ".join(p for p in parts if p)
    return f"素材库 · {label} · 最新材料" if label else "素材库 · 最新材料"


@router.get("/feed.atom")
def atom_feed(request: Request, q: str = "", genre: str = "", tag: str = "") -> Response:
    base = str(request.base_url).rstrip("/")
    lib = library(request)
    query = feed_query(q[:200], genre, tag)
    if query:
        limit_search(request, access.GUEST)  # a feed of a search is a search
    self_link = f"{base}/feed.atom" + (f"?{request.url.query}" if request.url.query else "")
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "title", _feed_title(q, genre, tag))
    _text(feed, "id", self_link)
    ET.SubElement(feed, "link", href=self_link, rel="self")
    ET.SubElement(feed, "link", href=f"{base}/search?q={quote(query)}" if query else f"{base}/new")
    entries = _entries(lib, base, _newest_ids(lib, query) if query else None)
    _text(feed, "updated", entries[0][0] if entries else datetime.now(UTC).replace(microsecond=0).isoformat())
    for _updated, entry in entries:
        feed.append(entry)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _newest_ids(lib: Library, query: str) -> list[int]:
    """The newest documents a guest's search finds (ids grow with time), up to ENTRIES."""
    hits = lib.search(query, limit=SEARCHED, viewer=access.GUEST).hits
    return sorted((h.id for h in hits), reverse=True)[:ENTRIES]


def _entries(lib: Library, base: str, ids: list[int] | None) -> list[tuple[str, ET.Element]]:
    if ids is None:
        _total, summaries = lib.list_documents(limit=ENTRIES, viewer=access.GUEST)
        ids = [s.id for s in summaries]
    entries = []
    for doc_id in ids:
        try:
            doc = lib.document(doc_id, access.GUEST)  # never the member-only part, whoever asks
        except NotFound:
            continue
        updated = _rfc3339(doc.created_at)
        entry = ET.Element("entry")
        _text(entry, "title", doc.title)
        _text(entry, "id", f"{base}/d/{doc_id}")
        ET.SubElement(entry, "link", href=f"{base}/d/{doc_id}")
        _text(entry, "updated", updated)
        _text(entry, "summary", excerpt(doc))
        entries.append((updated, entry))
    return entries


def _rfc3339(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        moment = datetime.now(UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).replace(microsecond=0).isoformat()


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text
