"""Admin pages: upload files or a zip for ingest (progress and the per-file report), users and tiers,
duplicates found at ingest. Every route here is 403 for anyone but an admin."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sucai import access
from sucai.errors import InputError, StoreError, TooLarge
from sucai.model import TIERS
from sucai.web.auth import Admin, CsrfChecked, admin_only, library, settings
from sucai.web.jobs import IngestJobs
from sucai.web.middleware import too_large_message
from sucai.web.problems import wants_json
from sucai.web.render import render

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(admin_only)])
MAX_FILES = 200


def jobs(request: Request) -> IngestJobs:
    return request.app.state.jobs  # type: ignore[no-any-return]


@router.get("", response_class=HTMLResponse)
def admin_page(request: Request, viewer: Admin) -> HTMLResponse:
    lib = library(request)
    context = {
        "users": lib.users(), "tiers": TIERS, "duplicates": [
            (access.visible_summary(d, viewer), original) for d, original in lib.store.duplicates(limit=100)
        ],
        "max_mb": settings(request).max_file_bytes / 1024 / 1024,
        "documents": lib.store.count_documents(),
    }
    return render(request, "admin.html", context)


@router.post("/upload", dependencies=[CsrfChecked])
def upload(request: Request, viewer: Admin, files: Annotated[list[UploadFile], File()]) -> Response:
    directory = Path(tempfile.mkdtemp(prefix="sucai-upload-"))
    try:
        _save_uploads(files, directory, settings(request).max_file_bytes)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    job = jobs(request).start(directory, viewer.name)
    url = f"/admin/jobs/{job.id}"
    if wants_json(request):
        return JSONResponse({"job": job.id, "url": url}, status_code=202)
    return RedirectResponse(url, status_code=303)


def _save_uploads(files: list[UploadFile], directory: Path, limit: int) -> None:
    real = [f for f in files if f.filename]
    if not real:
        raise InputError("请选择要导入的文件。Choose files to upload.")
    if len(real) > MAX_FILES:
        raise InputError(f"一次最多上传 {MAX_FILES} 个文件；更多请打包成 zip。At most {MAX_FILES} files.")
    for upload in real:
        if upload.size is not None and upload.size > limit:
            raise TooLarge(too_large_message(limit))
        target = _unique(directory, safe_filename(upload.filename or "upload"))
        with target.open("wb") as out:
            shutil.copyfileobj(upload.file, out)


def safe_filename(name: str) -> str:
    """The last path component of a browser-sent name, without anything a filesystem would read specially."""
    base = re.split(r"[/\\]", name)[-1].strip().lstrip(".")
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base)
    return base[:200] or "upload"


def _unique(directory: Path, name: str) -> Path:
    target = directory / name
    stem, suffix = target.stem, target.suffix
    n = 2
    while target.exists():
        target = directory / f"{stem}-{n}{suffix}"
        n += 1
    return target


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, viewer: Admin) -> HTMLResponse:
    return render(request, "admin_job.html", {"job": jobs(request).get(job_id)})


@router.get("/jobs/{job_id}/progress")
def job_progress(request: Request, job_id: str, viewer: Admin) -> dict[str, object]:
    return jobs(request).get(job_id).progress()


@router.post("/users", dependencies=[CsrfChecked])
def add_user(
    request: Request, viewer: Admin,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1000)],
    tier: Annotated[str, Form()] = "free",
    expires: Annotated[str, Form()] = "",
) -> Response:
    try:
        library(request).add_user(name.strip(), _tier(tier), password, _expiry(expires))
    except StoreError as exc:  # a taken name: the admin's input, not a broken library
        raise InputError(f"无法添加账户：{exc}。Cannot add the account.") from exc
    return RedirectResponse("/admin#users", status_code=303)


@router.post("/tier", dependencies=[CsrfChecked])
def set_tier(
    request: Request, viewer: Admin,
    name: Annotated[str, Form()],
    tier: Annotated[str, Form()],
    expires: Annotated[str, Form()] = "",
) -> Response:
    library(request).set_tier(name, _tier(tier), _expiry(expires))
    return RedirectResponse("/admin#users", status_code=303)


@router.post("/disable", dependencies=[CsrfChecked])
def set_disabled(
    request: Request, viewer: Admin, name: Annotated[str, Form()], disabled: Annotated[bool, Form()] = True,
) -> Response:
    if name == viewer.name and disabled:
        raise InputError("不能停用自己的账户。You cannot disable your own account.")
    library(request).set_disabled(name, disabled)
    return RedirectResponse("/admin#users", status_code=303)


def _tier(tier: str) -> str:
    if tier not in TIERS:
        raise InputError(f"未知的等级：{tier}。Unknown tier.")
    return tier


def _expiry(expires: str) -> str | None:
    if not expires.strip():
        return None
    try:
        return date.fromisoformat(expires.strip()).isoformat()
    except ValueError:
        raise InputError(f"到期日期应为 YYYY-MM-DD：{expires}。Expected a date like 2025-12-31.") from None
