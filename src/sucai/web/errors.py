"""The one place the exception tree becomes HTTP: JSON errors for /api, friendly pages elsewhere (the statuses
and headlines are in web/problems.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from sucai.errors import AccessDenied, InputError, NotFound, QuotaExceeded, SucaiError
from sucai.web.auth import download_status, viewer_or_guest
from sucai.web.problems import HEADLINES, LoginRequired, RateLimited, chinese_part, status_of, wants_json
from sucai.web.render import render

log = logging.getLogger("sucai.web")


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
    template = "quota.html" if isinstance(exc, QuotaExceeded) else "error.html"
    context: dict[str, Any] = {"status": status, "headline": headline, "detail": detail,
                               "need_login": isinstance(exc, AccessDenied | QuotaExceeded)}
    if isinstance(exc, QuotaExceeded):
        context.update(_quota_context(request))
    return render(request, template, context, status=status, headers=headers)


def _quota_context(request: Request) -> dict[str, Any]:
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
