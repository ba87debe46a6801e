"""The phrase bank (金句) on the web: the page /phrases and its JSON twin /api/phrases (the CLI's object)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from sucai.views import phrases_json
from sucai.web.auth import ApiViewer, Viewer, library
from sucai.web.render import render

router = APIRouter()
PAGE_SIZE = 50
MAX_PAGE = 200
KIND_NAMES = {"parallel": "排比", "quote": "引语"}
TextQuery = Annotated[str, Query(max_length=200, description="Text the phrase contains, taken literally.")]
KindQuery = Annotated[str, Query(max_length=20, description="parallel, quote, or empty for both.")]


@router.get("/phrases", response_class=HTMLResponse, include_in_schema=False)
def phrases_page(
    request: Request, viewer: Viewer, q: TextQuery = "", kind: KindQuery = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    text = q.strip()
    total, hits = library(request).phrases(
        text, kind=kind or None, viewer=viewer, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    last = max(1, min(MAX_PAGE, -(-total // PAGE_SIZE)))
    context: dict[str, Any] = {
        "text": text, "kind": kind, "kinds": KIND_NAMES, "total": total, "hits": hits,
        "page": page, "last_page": last, "start": (page - 1) * PAGE_SIZE + 1,
    }
    return render(request, "phrases.html", context)


@router.get("/api/phrases", tags=["api"], summary="The phrase bank (金句): parallel runs and quotations")
def api_phrases(
    request: Request, viewer: ApiViewer, q: TextQuery = "", kind: KindQuery = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    total, hits = library(request).phrases(q.strip(), kind=kind or None, viewer=viewer, limit=limit, offset=offset)
    return phrases_json(total, hits)
