"""The Atom feed of new documents: titles and free excerpts only, read as a guest whoever asks."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sucai import access
from sucai.errors import NotFound
from sucai.library import Library
from sucai.model import Document
from sucai.web.auth import library

router = APIRouter(include_in_schema=False)
ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 30
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


@router.get("/feed.atom")
def atom_feed(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    lib = library(request)
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "title", "素材库 · 最新材料")
    _text(feed, "id", f"{base}/feed.atom")
    ET.SubElement(feed, "link", href=f"{base}/feed.atom", rel="self")
    ET.SubElement(feed, "link", href=f"{base}/new")
    entries = _entries(lib, base)
    _text(feed, "updated", entries[0][0] if entries else datetime.now(UTC).replace(microsecond=0).isoformat())
    for _updated, entry in entries:
        feed.append(entry)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _entries(lib: Library, base: str) -> list[tuple[str, ET.Element]]:
    _total, summaries = lib.list_documents(limit=ENTRIES)
    entries = []
    for summary in summaries:
        try:
            doc = lib.document(summary.id, access.GUEST)  # never the member-only part, whoever asks
        except NotFound:
            continue
        updated = _rfc3339(summary.created_at)
        entry = ET.Element("entry")
        _text(entry, "title", doc.title)
        _text(entry, "id", f"{base}/d/{summary.id}")
        ET.SubElement(entry, "link", href=f"{base}/d/{summary.id}")
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
