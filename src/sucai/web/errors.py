"""The one place the exception tree becomes HTTP: statuses, JSON errors for /api, friendly pages elsewhere."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from sucai.errors import (
    AccessDenied,
    EditConflict,
    InputError,
    NotFound,
    QueryError,
    QuotaExceeded,
    StoreError,
    SucaiError,
    TooLarge,
    TraceError,
)

log = logging.getLogger("sucai.web")

# Row ids are SQL's 64-bit integers: a bigger number names no row (and would overflow the driver). A path id
# that is no such number (/d/abc, /d/99999999999999999999) is a 404 on pages, a 400 on the API (_validation_error).
MAX_ID = 2**63 - 1
PathId = Annotated[int, Path(ge=-MAX_ID - 1, le=MAX_ID)]


class LoginRequired(AccessDenied):
    """The route needs a signed-in account: 401 on the API, the login page elsewhere."""


class CsrfFailed(AccessDenied):
    """A form came without the session's CSRF token."""


class RateLimited(SucaiError):
    """Too many attempts (login); retry after the given seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Most specific first: (kind, status, Chinese headline for the page).
STATUSES: list[tuple[type[Exception], int, str]] = [
    (TooLarge, 413, "文件过大"),
    (LoginRequired, 401, "请先登录"),
    (CsrfFailed, 403, "表单已失效"),
    (QuotaExceeded, 429, "今日下载次数已用完"),
    (RateLimited, 429, "操作过于频繁"),
    (AccessDenied, 403, "没有权限"),
    (QueryError, 400, "搜索词有误"),
    (InputError, 400, "无法处理的输入"),
    (NotFound, 404, "没有找到"),
    (EditConflict, 409, "草稿已在别处修改"),
    (TraceError, 400, "无法验证下载标记"),
    (StoreError, 503, "素材库暂时不可用"),
    (SucaiError, 500, "出错了"),
]
HEADLINES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "没有找到", 405: "不支持的操作",
             409: "内容已在别处修改", 413: "文件过大",
             429: "操作过于频繁", 500: "服务器出错了", 503: "素材库暂时不可用"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def status_of(exc: Exception) -> tuple[int, str]:
    for kind, status, headline in STATUSES:
        if isinstance(exc, kind):
            return status, headline
    return 500, HEADLINES[500]


def chinese_part(message: str) -> str:
    """The Chinese sentence(s) of a bilingual message ("中文。 English."), or "" when there are none."""
    if not _CJK.search(message):
        return ""
    return re.split(r"(?<=[。！？])\s*(?=[A-Za-z])", message, maxsplit=1)[0].strip()


def wants_json(request: Request) -> bool:
    """API paths answer JSON; so does any request that asks only for JSON (sucai.js's fetches)."""
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, exc: Exception) -> Response:
    """The response for any error: JSON {"error"} on the API, a friendly Chinese page elsewhere."""
    status, headline = status_of(exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    message = str(exc) or headline
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    if isinstance(exc, LoginRequired) and request.method in {"GET", "HEAD"}:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return error_page(request, status, headline, chinese_part(message), exc, headers)


def error_page(
    request: Request, status: int, headline: str, detail: str, exc: Exception | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    from sucai.web.render import render

    template = "quota.html" if isinstance(exc, QuotaExceeded) else "error.html"
    context: dict[str, Any] = {"status": status, "headline": headline, "detail": detail,
                               "need_login": isinstance(exc, AccessDenied | QuotaExceeded)}
    if isinstance(exc, QuotaExceeded):
        context.update(_quota_context(request))
    return render(request, template, context, status=status, headers=headers)


def _quota_context(request: Request) -> dict[str, Any]:
    from sucai.web.auth import download_status, viewer_or_guest

    used, quota = download_status(request, viewer_or_guest(request))
    return {"used": used, "quota": quota}


def _sucai_error(request: Request, exc: Exception) -> Response:
    return error_response(request, exc)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if isinstance(exc.__cause__, SucaiError):  # FastAPI wraps errors raised while reading a body
        return error_response(request, exc.__cause__)
    status = exc.status_code
    if wants_json(request):
        return JSONResponse({"error": str(exc.detail)}, status_code=status, headers=exc.headers)
    return error_page(request, status, HEADLINES.get(status, "出错了"), "", headers=exc.headers)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    on_path = any(e.get("loc", ())[:1] == ("path",) for e in exc.errors())
    if on_path and not request.url.path.startswith("/api/"):  # a page address that names nothing (/d/abc)
        return error_response(request, NotFound("地址中的编号有误，没有这个页面。No such page."))
    fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
    message = f"参数有误：{'、'.join(fields)}。Invalid parameters: {', '.join(fields)}."
    return error_response(request, InputError(message))


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    if wants_json(request):
        return JSONResponse({"error": "internal error"}, status_code=500)
    return error_page(request, 500, HEADLINES[500], "请稍后再试；若一再出现，请告知管理员。")


def install(app: FastAPI) -> None:
    """Register the handlers: every error the app raises passes through here."""
    app.add_exception_handler(SucaiError, _sucai_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
