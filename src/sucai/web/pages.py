"""Reading pages: home, search results, a document, what is new."""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from sucai import access
from sucai.errors import InputError, QueryError
from sucai.model import Document, SearchResult, User
from sucai.web.auth import Viewer, current_viewer, download_status, library
from sucai.web.doc_view import document_view
from sucai.web.fragments import FragmentCache, ResultsPart
from sucai.web.gate import search_gate
from sucai.web.limits import limit_search
from sucai.web.overview import OverviewCache, facet_links
from sucai.web.problems import PathId, chinese_part
from sucai.web.render import render
from sucai.web.shared_pages import SharedPages, shared_key

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
MAX_PAGE = 250  # deep pages cost the engine and help no reader: 5,000 hits is plenty
MAX_QUERY_CHARS = 200
SUGGESTIONS = 10
# Letters only (pinyin initials ztjy, or full pinyin zhuti jiaoyu): the box promises titles and outline
# points for them, which quick lookup (the dropdown's) finds; exact search alone would find nothing.
_PINYIN = re.compile(r"[A-Za-z][A-Za-z ']*")
PartKind = tuple[str, int, bool, bool, bool]  # query, page, member text visible, signed in, pinyin matches shown


@router.get("/", response_class=HTMLResponse)
def home(request: Request, viewer: Viewer) -> HTMLResponse:
    cache: OverviewCache = request.app.state.overview
    overview = cache.get(library(request), viewer)
    return render(request, "home.html", {"overview": overview, "facets": facet_links("", overview.facets)})


# The two pages read most resolve their viewer in their own body rather than through the Viewer dependency: for
# a signed-in viewer that dependency looks the session up on a worker thread of its own, one more hand-over
# between threads per page, and the page then runs on another.
@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    viewer = current_viewer(request)  # here, on the page's own worker thread: see the comment above
    query = q.strip()
    empty: dict[str, Any] = {"q": query, "res": None, "pages": [], "facets": [], "error": "", "suggestions": []}
    if not query:
        return render(request, "search.html", empty)
    if len(query) > MAX_QUERY_CHARS:  # said in words, beside the box (a validation error only names the field)
        error = f"查询过长：最多 {MAX_QUERY_CHARS} 字，现有 {len(query)} 字。请删短后再搜。"
        return render(request, "search.html", {**empty, "q": query[:MAX_QUERY_CHARS], "error": error}, status=400)
    limit_search(request, viewer)  # per address or account, kept in the store (429 with Retry-After)
    with search_gate(request):  # computed and rendered in turn: see web/gate.py
        return _results_page(request, viewer, query, page, empty)


def _results_page(request: Request, viewer: User, query: str, page: int, empty: dict[str, Any]) -> HTMLResponse:
    lib = library(request)
    letters = re.sub(r"[ ']", "", query)
    suggestions = lib.suggest(letters, limit=SUGGESTIONS, viewer=viewer) if _PINYIN.fullmatch(query) else []
    signed_in = viewer.id > 0
    kind = (query, page, access.can_read_paid(viewer), signed_in, bool(suggestions))
    try:
        res, part = _results(request, kind)
    except QueryError as exc:  # shown beside the box that holds the query, so it can be corrected there
        error = chinese_part(str(exc)) or str(exc)
        return render(request, "search.html", {**empty, "error": error, "suggestions": suggestions}, status=400)
    if page == 1:  # what users look for (the admin page): a query once, not once per page turned
        lib.log_search(query, res, viewer)
    context = {"q": query, "res": res, "page": page, "suggestions": suggestions, "results": part}
    return render(request, "search.html", context)


def _results(request: Request, kind: PartKind) -> tuple[SearchResult, ResultsPart]:
    """The answer and its rendered part: kept by this process, else by another worker of the node (when the
    index is a finished one, the same in every worker at its position), else computed and kept for both."""
    lib = library(request)
    query, page, paid_visible, signed_in, pinyin = kind
    lib.catch_up()  # once here: the engine is asked directly below
    started = time.perf_counter()
    loaded = lib.engine.loaded  # before the search: a kept part is never older than its key says
    local, fragments = (loaded.generation, *kind), _fragments(request)
    shared = _shared_pages(request) if loaded.position.seq and not lib.engine.building else None
    key = shared_key(loaded.position, kind) if shared is not None else ""
    part = fragments.get(local)
    if part is None and shared is not None and (part := shared.get(key)) is not None:
        fragments.put(local, part)
    if part is not None and part.result is not None:  # the time shown is this page's, as for a kept answer
        return dataclasses.replace(part.result, took_ms=(time.perf_counter() - started) * 1000), part
    # The page lists the matching paragraphs; the short snippets (for the API and the CLI) would go unshown.
    res = lib.engine.search(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, paid_visible=paid_visible,
                            snippets=False)
    part = _results_part(request, res, query, page, signed_in, pinyin)
    fragments.put(local, part)
    if shared is not None:
        shared.put(key, part)
    return res, part


def _results_part(
    request: Request, res: SearchResult, query: str, page: int, signed_in: bool, pinyin_shown: bool
) -> ResultsPart:
    """The hits, pager and facets of a results page (templates/_results.html): the same for every viewer of
    the kind the key of web/fragments.py names."""
    env = request.app.state.templates.env
    context = {"q": query, "res": res, "page": page, "pages": page_numbers(page, last_page(res)),
               "last_page": last_page(res), "signed_in": signed_in, "suggestions": pinyin_shown}
    hits = env.get_template("_results.html").render(context)
    facets = env.get_template("_facets.html").render(facets=facet_links(query, res.facets))
    return ResultsPart(Markup(hits), Markup(facets), res)


def _fragments(request: Request) -> FragmentCache:
    return request.app.state.fragments  # type: ignore[no-any-return]


def _shared_pages(request: Request) -> SharedPages | None:
    return request.app.state.shared_pages  # type: ignore[no-any-return]


def last_page(res: SearchResult) -> int:
    return max(1, min(MAX_PAGE, -(-res.total // PAGE_SIZE)))


def page_numbers(page: int, last: int) -> list[int]:
    """Page links around the current page: 1 … 4 5 [6] 7 8 … 20 (0 marks a gap)."""
    wanted = {1, last, *range(max(1, page - 2), min(last, page + 2) + 1)}
    numbers: list[int] = []
    for n in sorted(wanted):
        if numbers and n > numbers[-1] + 1:
            numbers.append(0)
        numbers.append(n)
    return numbers


@router.get("/d/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: PathId) -> HTMLResponse:
    viewer = current_viewer(request)  # as on the search page
    lib = library(request)
    doc, locks = lib.document_and_locks(doc_id, viewer)
    view = document_view(doc, locks)
    used, quota = download_status(request, viewer)
    context = {
        "doc": doc, "view": view, "used": used, "quota": quota,
        "can_download": quota is None or used < quota,
        "member_only": not access.has_visible_text(doc),  # only the title is free: no download offered
        "expired": viewer.tier in {"member", "svip"} and access.effective_tier(viewer) == "free",
        "skip_first_title": _title_block_repeats(doc),
    }
    return render(request, "document.html", context)


def _title_block_repeats(doc: Document) -> bool:
    """The first block is the title shown above it already."""
    return bool(doc.blocks) and doc.blocks[0].kind == "title" and doc.blocks[0].text == doc.title


@router.get("/new", response_class=HTMLResponse)
def new_page(request: Request, viewer: Viewer, day: str = "") -> HTMLResponse:
    try:
        chosen = date.fromisoformat(day) if day else access.today()
    except ValueError:
        raise InputError(f"日期格式应为 YYYY-MM-DD：{day!r}。Expected a date like 2024-05-01.") from None
    lib = library(request)
    digest = lib.digest(chosen, viewer)  # 今日更新: by genre, with topic counts, as the viewer may see them
    recent = [] if digest.total else lib.list_documents(limit=30, viewer=viewer)[1]
    context = {
        "day": chosen, "digest": digest, "recent": recent, "today": chosen == access.today(),
        "previous": chosen - timedelta(days=1),
        "next": chosen + timedelta(days=1) if chosen < access.today() else None,
    }
    return render(request, "new.html", context)
