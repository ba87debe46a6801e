"""The writing desk: drafts of the signed-in user assembled from outline points and paragraphs (or an
outline proposed for a topic), placeholder filling, lint, polishing with one-click apply and undo, the
originality check with copied spans marked, export to .docx and slides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sucai import access
from sucai.compose import fill as fill_fields
from sucai.compose import find_fields
from sucai.compose.polish import Edit, apply_edit, undo_of
from sucai.errors import EditConflict, InputError, NotFound
from sucai.library import Library
from sucai.model import User
from sucai.originality import check_report_docx
from sucai.web.auth import CsrfChecked, SignedIn, library
from sucai.web.downloads import content_disposition
from sucai.web.drafts import check_view, draft_export, lint_view, polish_view, save_version
from sucai.web.limits import check_slot
from sucai.web.problems import MAX_ID, PathId, chinese_part, wants_json
from sucai.web.render import render

router = APIRouter(prefix="/desk", include_in_schema=False)
MAX_BODY = 200_000
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Title = Annotated[str, Form(max_length=200)]


@router.get("", response_class=HTMLResponse)
def desk_home(request: Request, viewer: SignedIn) -> HTMLResponse:
    return render(request, "desk_list.html", {"drafts": library(request).store.drafts(viewer.id)})


@router.post("/new", dependencies=[CsrfChecked])
def new_draft(request: Request, viewer: SignedIn, title: Title = "") -> Response:
    draft_id = library(request).store.save_draft(viewer.id, None, title.strip() or _untitled(), "")
    request.session["draft"] = draft_id
    return RedirectResponse(f"/desk/{draft_id}", status_code=303)


@router.post("/add", dependencies=[CsrfChecked])
def add_to_draft(
    request: Request, viewer: SignedIn,
    doc_id: Annotated[int, Form(ge=-MAX_ID - 1, le=MAX_ID)],
    block: Annotated[int | None, Form()] = None,
    anchor: Annotated[int | None, Form()] = None,
) -> Response:
    """Append a paragraph or outline point (block: index in the viewer's document), or the whole outline."""
    lib = library(request)
    doc = lib.document(doc_id, viewer)  # only what this viewer may read can reach a draft
    if block is None:
        text = "\n".join(item.text for item in doc.outline)
        what = "提纲"
    elif 0 <= block < len(doc.blocks):
        text, what = doc.blocks[block].text, "段落"
    else:
        raise NotFound(f"没有这一段：{block}。No such paragraph.")
    draft_id, title = _current_draft(request, lib, viewer)
    lib.store.append_draft(viewer.id, draft_id, text)  # one statement: concurrent additions all survive
    message = f"已将{what}加入草稿《{title}》"
    if wants_json(request):
        return JSONResponse({"ok": True, "message": message, "draft": draft_id})
    back = f"/d/{doc_id}" + (f"#b{anchor}" if anchor is not None else "")
    return RedirectResponse(back, status_code=303)


@router.post("/outline", dependencies=[CsrfChecked])
def outline_first(request: Request, viewer: SignedIn, topic: Annotated[str, Form(max_length=60)]) -> HTMLResponse:
    """A new draft holding an outline for the topic, assembled from the library's best-matching documents."""
    lib = library(request)
    proposal = lib.propose_outline(topic, viewer)
    if not proposal.sections:
        raise NotFound(f"没有找到与“{topic}”相关、带提纲的材料，请换个主题。No outlined documents match.")
    title = f"{topic.strip()}（提纲）"
    draft_id = lib.store.save_draft(viewer.id, None, title, proposal.as_text())
    request.session["draft"] = draft_id
    _title, body, version = lib.store.draft_state(viewer.id, draft_id)
    return _draft_page(request, draft_id, title, body, {"version": version, "outline": proposal})


def _current_draft(request: Request, lib: Library, viewer: User) -> tuple[int, str]:
    """The draft the user is working on: the session's, else the latest, else a new one."""
    chosen = request.session.get("draft")
    if isinstance(chosen, int):
        try:
            return chosen, lib.store.draft(viewer.id, chosen)[0]
        except NotFound:
            pass
    drafts = lib.store.drafts(viewer.id)
    if drafts:
        draft_id, title = drafts[0][0], drafts[0][1]
    else:
        title = _untitled()
        draft_id = lib.store.save_draft(viewer.id, None, title, "")
    request.session["draft"] = draft_id
    return draft_id, title


def _untitled() -> str:
    return f"未命名草稿 {access.today().isoformat()}"


@router.get("/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, draft_id: PathId, viewer: SignedIn) -> HTMLResponse:
    title, body, version = library(request).store.draft_state(viewer.id, draft_id)
    request.session["draft"] = draft_id
    return _draft_page(request, draft_id, title, body, {"version": version})


def _draft_page(
    request: Request, draft_id: int, title: str, body: str, extra: dict[str, Any], status: int = 200
) -> HTMLResponse:
    context = {"draft_id": draft_id, "title": title, "body": body, "fields": find_fields(body),
               "lint": None, "check": None, "polish": None, "outline": None, "undo": None,
               "version": "", "conflict": "", **extra}
    return render(request, "desk.html", context, status=status)


@router.post("/{draft_id}", dependencies=[CsrfChecked])
def save_draft(
    request: Request, draft_id: PathId, viewer: SignedIn,
    title: Title = "",
    body: Annotated[str, Form(max_length=MAX_BODY)] = "",
    action: Annotated[str, Form()] = "save",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    """Save the draft, then do what the pressed button asks: lint, check, export, the check report or nothing.

    The form sends the version it loaded: a draft changed since (another tab, add-to-draft) is not
    overwritten; the page comes back with 409 and the text as sent, to be saved again on purpose."""
    lib = library(request)
    title = title.strip() or _untitled()
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    try:
        saved = save_version(lib, viewer, draft_id, title, body, version)
    except EditConflict as exc:
        if wants_json(request):
            raise
        extra = {"version": exc.current, "conflict": chinese_part(str(exc))}
        return _draft_page(request, draft_id, title, body, extra, status=409)
    if action == "lint":
        return _draft_page(request, draft_id, title, body, {"lint": lint_view(body, lib.lint(body)), **saved})
    if action == "check":
        with check_slot(request, viewer):
            report = check_view(body, lib.check(body, viewer))
        return _draft_page(request, draft_id, title, body, {"check": report, **saved})
    if action in {"export", "pptx", "pdf"}:
        data, filename, media_type = draft_export(lib, viewer, title, body, "docx" if action == "export" else action)
        return _attachment(data, filename, media_type)
    if action == "polish":
        return _draft_page(request, draft_id, title, body, {"polish": polish_view(lib.polish(body, viewer)), **saved})
    if action == "report":
        with check_slot(request, viewer):
            docx = check_report_docx(body, lib.check(body, viewer))
        return _attachment(docx, f"查重报告-{title}.docx", DOCX)
    if action != "save":
        raise InputError(f"未知操作：{action}。Unknown action.")
    return RedirectResponse(f"/desk/{draft_id}", status_code=303)


def _attachment(data: bytes, filename: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": content_disposition(filename)})


@router.post("/{draft_id}/fill", dependencies=[CsrfChecked])
def fill_form(
    request: Request, draft_id: PathId, viewer: SignedIn,
    ph: Annotated[list[str], Form()],
    value: Annotated[list[str], Form()],
) -> Response:
    """Fill each field (xx县, X月X日 …) with the value given for it everywhere (blank: leave it)."""
    lib = library(request)
    title, body, version = lib.store.draft_state(viewer.id, draft_id)
    filled = fill_fields(body, dict(zip(ph, value, strict=False)))
    lib.store.update_draft(viewer.id, draft_id, title, filled, version)  # 409 if it changed meanwhile
    return RedirectResponse(f"/desk/{draft_id}", status_code=303)


@router.post("/{draft_id}/polish", dependencies=[CsrfChecked])
def apply_polish(
    request: Request, draft_id: PathId, viewer: SignedIn,
    start: Annotated[int, Form(ge=0)], end: Annotated[int, Form(ge=0)],
    original: Annotated[str, Form(max_length=MAX_BODY)] = "",
    replacement: Annotated[str, Form(max_length=MAX_BODY)] = "",
    rule: Annotated[str, Form(max_length=40)] = "",
    version: Annotated[int | None, Form()] = None,
) -> HTMLResponse:
    """Apply one polishing edit (or take one back: the undo form sends the inverse edit); 409 if the draft
    changed since the suggestion was made."""
    lib = library(request)
    title, body, current = lib.store.draft_state(viewer.id, draft_id)
    edit = Edit(rule, start, end, original, replacement, "")
    try:
        new_body = apply_edit(body, edit)
    except ValueError as exc:
        raise EditConflict(str(exc), current=current) from exc
    lib.store.update_draft(viewer.id, draft_id, title, new_body, version if version is not None else current)
    _title, new_body, new_version = lib.store.draft_state(viewer.id, draft_id)
    extra = {"version": new_version, "polish": polish_view(lib.polish(new_body, viewer)), "undo": undo_of(edit)}
    return _draft_page(request, draft_id, title, new_body, extra)


@router.post("/{draft_id}/delete", dependencies=[CsrfChecked])
def delete(request: Request, draft_id: PathId, viewer: SignedIn) -> Response:
    library(request).store.delete_draft(viewer.id, draft_id)
    if request.session.get("draft") == draft_id:
        request.session.pop("draft", None)
    return RedirectResponse("/desk", status_code=303)
