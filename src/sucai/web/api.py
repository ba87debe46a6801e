"""The JSON API: the CLI's --json objects of DESIGN.md under /api, for a Bearer token's user (none: guest)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sucai import access
from sucai.model import to_dict
from sucai.views import document_json, documents_json, search_json
from sucai.web.auth import ApiViewer, download_status, library
from sucai.web.downloads import Format, send_export
from sucai.web.gate import search_gate
from sucai.web.limits import check_slot, limit_search
from sucai.web.problems import LoginRequired, PathId

router = APIRouter(prefix="/api", tags=["api"])
MAX_TEXT = 200_000  # characters of a draft for check and lint
QUERY_HELP = 'Terms (AND), "phrases", -exclude, A OR B, filters genre: year: tag: title:'


class TextIn(BaseModel):
    text: str = Field(max_length=MAX_TEXT, description="The draft, as plain text.")


@router.get("/search", summary="Exact-substring search, ranked, with highlighted snippets")
def api_search(
    request: Request, viewer: ApiViewer,
    q: Annotated[str, Query(min_length=1, max_length=200, description=QUERY_HELP)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    limit_search(request, viewer)
    lib = library(request)
    with search_gate(request):  # in turn, as the search page: see web/gate.py
        result = lib.search(q, limit=limit, offset=offset, viewer=viewer)
        if offset == 0:  # a query once, not once per page
            lib.log_search(q, result, viewer)
        return search_json(result)


@router.get("/documents", summary="Documents, newest first (the `list` object)")
def api_list(
    request: Request, viewer: ApiViewer,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    total, docs = library(request).list_documents(offset=offset, limit=limit, viewer=viewer)
    return documents_json(total, docs)


@router.get("/documents/{doc_id}", summary="One document as the caller may see it (the `show` object)")
def api_document(request: Request, doc_id: PathId, viewer: ApiViewer) -> dict[str, Any]:
    return document_json(library(request).document(doc_id, viewer))


@router.get(
    "/documents/{doc_id}/export", summary="Download (traced, counted against the daily quota)",
    response_class=Response, responses={200: {"content": {"application/octet-stream": {}}}},
)
def api_export(request: Request, doc_id: PathId, viewer: ApiViewer, format: Format = "docx") -> Response:
    return send_export(library(request), doc_id, format, viewer)


@router.get("/suggest", summary="As-you-type suggestions: titles and outline points, pinyin initials")
def api_suggest(
    request: Request, viewer: ApiViewer,
    q: Annotated[str, Query(max_length=50)] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> dict[str, Any]:
    prefix = q.strip()
    found = library(request).suggest(prefix, limit=limit, viewer=viewer) if prefix else []
    return {"query": prefix, "suggestions": to_dict(found)}


@router.post("/check", summary="Originality check (查重) of a draft against the library; needs an account")
def api_check(request: Request, body: TextIn, viewer: ApiViewer) -> dict[str, Any]:
    if viewer.id <= 0:  # costly, and an oracle on member-only text: accounts only
        raise LoginRequired("查重需要登录账户。The originality check needs an account.")
    with check_slot(request, viewer):  # per minute, and one at a time per account
        return to_dict(library(request).check(body.text, viewer))  # type: ignore[no-any-return]


@router.post("/lint", summary="Lint a draft for official writing")
def api_lint(request: Request, body: TextIn, viewer: ApiViewer) -> dict[str, Any]:
    return {"problems": to_dict(library(request).lint(body.text).problems)}


@router.get("/me", summary="The caller: tier, expiry, downloads today and the daily quota")
def api_me(request: Request, viewer: ApiViewer) -> dict[str, Any]:
    used, quota = download_status(request, viewer)
    return {
        "name": viewer.name, "tier": viewer.tier, "effective_tier": access.effective_tier(viewer),
        "expires": viewer.expires, "can_read_paid": access.can_read_paid(viewer),
        "downloads_today": used, "quota": quota,
    }
