"""What the web's errors are, before anything renders them: the web's own exceptions, the status and Chinese
headline of each kind of error, and how to tell an API caller (JSON) from a reader (pages).

Kept apart from web/errors.py (which renders error pages) so that auth, limits and templates can raise and
classify errors without importing the page machinery that imports them."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Path, Request

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


