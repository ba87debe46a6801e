"""Downloads (traced, counted against the daily quota) for pages and the API.

A download spends quota, so pages ask for it with a POST form carrying the session's CSRF token. A GET of the
same address (a bookmark, an old link, or another site's link or <img>, which the browser sends with the
session cookie) spends nothing: it answers a page with that form. A request with a Bearer token cannot be
forged by another site (a browser never adds the header by itself), so it still downloads on GET."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from sucai import access
from sucai.errors import InputError
from sucai.library import Library
from sucai.model import User
from sucai.web.auth import CsrfChecked, Viewer, download_status, library
from sucai.web.problems import MAX_ID, PathId
from sucai.web.render import render

router = APIRouter(include_in_schema=False)
MAX_BUNDLE = 50
FORMAT_NAMES = {"docx": "Word", "txt": "txt", "md": "md", "pptx": "PPT", "pdf": "PDF"}
FORMAT_PATTERN = "^(" + "|".join(FORMAT_NAMES) + ")$"
Format = Annotated[str, Query(pattern=FORMAT_PATTERN, description="docx, txt, md, pptx or pdf")]
FormFormat = Annotated[str, Form(pattern=FORMAT_PATTERN)]


def send_export(lib: Library, ids: int | list[int], fmt: str, viewer: User) -> Response:
    """The file as an attachment; Library.export decides access and quota (AccessDenied, QuotaExceeded)."""
    data, filename, media_type = lib.export(ids, fmt, viewer)
    headers = {"Content-Disposition": content_disposition(filename), "Cache-Control": "private, no-store"}
    return Response(data, media_type=media_type, headers=headers)


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment: the UTF-8 name in filename* (RFC 5987), an ASCII fallback for old clients."""
    stem, dot, ext = filename.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem if dot else filename).strip("-") or "sucai"
    fallback = f"{ascii_stem}.{re.sub(r'[^A-Za-z0-9]', '', ext)}" if dot else ascii_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def parse_ids(values: list[str]) -> list[int]:
    """Ids from `ids=1,2` and/or `ids=1&ids=2`, in order, without repeats."""
    ids: list[int] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not re.fullmatch("[0-9]+", part) or int(part) > MAX_ID:  # not isdigit: it takes '²'
                raise InputError(f"文档编号应为数字：{part!r}。Document ids are numbers.")
            if int(part) not in ids:
                ids.append(int(part))
    if not ids:
        raise InputError("请选择要下载的文档。Choose documents to download.")
    if len(ids) > MAX_BUNDLE:
        raise InputError(f"一次最多打包 {MAX_BUNDLE} 篇。At most {MAX_BUNDLE} documents per zip.")
    return ids


@router.get("/d/{doc_id}/download", response_class=HTMLResponse)
def download_page(request: Request, doc_id: PathId, viewer: Viewer, format: Format = "docx") -> Response:
    if _token_client(request):
        return send_export(library(request), doc_id, format, viewer)
    return confirm_page(request, viewer, [doc_id], format, bundle=False)


@router.post("/d/{doc_id}/download", dependencies=[CsrfChecked])
def download(request: Request, doc_id: PathId, viewer: Viewer, format: FormFormat = "docx") -> Response:
    return send_export(library(request), doc_id, format, viewer)


@router.get("/download.zip", response_class=HTMLResponse)
def download_zip_page(
    request: Request, viewer: Viewer,
    ids: Annotated[list[str], Query()],
    format: Format = "docx",
) -> Response:
    if _token_client(request):
        return send_export(library(request), parse_ids(ids), format, viewer)
    return confirm_page(request, viewer, parse_ids(ids), format, bundle=True)


@router.post("/download.zip", dependencies=[CsrfChecked])
def download_zip(
    request: Request, viewer: Viewer,
    ids: Annotated[list[str], Form(default_factory=list)],  # none ticked: parse_ids says so in words
    format: FormFormat = "docx",
) -> Response:
    return send_export(library(request), parse_ids(ids), format, viewer)


def _token_client(request: Request) -> bool:
    """Signed in by a Bearer token (current_viewer has refused a bad one already), not by the cookie."""
    return "authorization" in request.headers


def confirm_page(request: Request, viewer: User, ids: list[int], fmt: str, bundle: bool) -> HTMLResponse:
    """What a GET of a download address shows: the titles and the POST form. Nothing is counted, but it
    answers as the download would: 404 for an unknown document, 403 for a guest or a document whose text is
    all member-only, 429 when the quota has no room for every document (a zip costs one per document)."""
    lib = library(request)
    docs = [lib.document(i, viewer) for i in ids]
    access.check_downloadable(docs)
    used, quota = download_status(request, viewer)
    access.check_download(viewer, used, lib.settings.quotas, cost=len(docs))
    action = "/download.zip" if bundle else f"/d/{ids[0]}/download"
    context = {"docs": docs, "format": fmt, "format_name": FORMAT_NAMES[fmt], "action": action,
               "bundle": bundle, "used": used, "quota": quota}
    return render(request, "download.html", context)
