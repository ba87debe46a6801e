"""One-click downloads (traced, counted against the daily quota) for pages and the API."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sucai.errors import InputError
from sucai.library import Library
from sucai.model import User
from sucai.web.auth import Viewer, library

router = APIRouter(include_in_schema=False)
MAX_BUNDLE = 50
Format = Annotated[str, Query(pattern="^(docx|txt|md)$", description="docx, txt or md")]


def send_export(lib: Library, ids: int | list[int], fmt: str, viewer: User) -> Response:
    """The file as an attachment; Library.export decides access and quota (AccessDenied, QuotaExceeded)."""
    data, filename, media_type = lib.export(ids, fmt, viewer)
    headers = {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"}
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
            if not part.isdigit():
                raise InputError(f"文档编号应为数字：{part!r}。Document ids are numbers.")
            if int(part) not in ids:
                ids.append(int(part))
    if not ids:
        raise InputError("请选择要下载的文档。Choose documents to download.")
    if len(ids) > MAX_BUNDLE:
        raise InputError(f"一次最多打包 {MAX_BUNDLE} 篇。At most {MAX_BUNDLE} documents per zip.")
    return ids


@router.get("/d/{doc_id}/download")
def download(request: Request, doc_id: int, viewer: Viewer, format: Format = "docx") -> Response:
    return send_export(library(request), doc_id, format, viewer)


@router.get("/download.zip")
def download_zip(
    request: Request, viewer: Viewer,
    ids: Annotated[list[str], Query()],
    format: Format = "docx",
) -> Response:
    return send_export(library(request), parse_ids(ids), format, viewer)
