"""Signing in and out, and the account page (tier, expiry, downloads today, password, API tokens, sessions)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sucai import access
from sucai.errors import AccessDenied, AccountDisabled, InputError
from sucai.model import User
from sucai.web.auth import (
    CsrfChecked,
    LoginLimiter,
    SignedIn,
    Viewer,
    client_address,
    download_status,
    library,
    session_secret,
    settings,
    sign_in,
    sign_out,
)
from sucai.web.problems import PathId, RateLimited, chinese_part
from sucai.web.render import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str) -> str:
    """Only a path on this site (no //host or scheme), so the login form cannot bounce users elsewhere."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or "\n" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, viewer: Viewer, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next), "name": "", "error": ""})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    limiter: LoginLimiter = request.app.state.login_limiter
    address = client_address(request)
    context = {"next": safe_next(next), "name": name}
    try:
        counted_at = limiter.attempt(name, address)
        user = library(request).authenticate(name, password)
    except RateLimited as exc:
        headers = {"Retry-After": str(exc.retry_after)}
        return render(request, "login.html", {**context, "error": chinese_part(str(exc))},
                      status=429, headers=headers)
    except AccountDisabled as exc:
        return render(request, "login.html", {**context, "error": chinese_part(str(exc))}, status=403)
    except AccessDenied:
        return render(request, "login.html", {**context, "error": "用户名或密码错误。"}, status=400)
    limiter.succeeded(name, address, counted_at)
    sign_in(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request, viewer: Viewer) -> HTMLResponse:
    return render(request, "logout.html")


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, viewer: SignedIn) -> HTMLResponse:
    return _account_page(request, viewer)


@router.post("/account/token", dependencies=[CsrfChecked])
def new_token(request: Request, viewer: SignedIn, days: Annotated[str, Form()] = "") -> HTMLResponse:
    lifetime = _token_lifetime(request, days)
    token, _info = library(request).issue_token(viewer.name, lifetime)
    return _account_page(request, viewer, token=token)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[CsrfChecked])
def revoke_token(request: Request, token_id: PathId, viewer: SignedIn) -> Response:
    library(request).revoke_token(token_id, viewer.name)  # NotFound for another user's token
    return RedirectResponse("/account#tokens", status_code=303)


@router.post("/account/password", dependencies=[CsrfChecked])
def change_password(
    request: Request, viewer: SignedIn,
    current: Annotated[str, Form(max_length=1000)],
    password: Annotated[str, Form(max_length=1000)],
) -> HTMLResponse:
    """A new password signs the account out everywhere else (every other session ends)."""
    lib = library(request)
    try:
        lib.authenticate(viewer.name, current)
    except AccessDenied:
        return _account_page(request, viewer, error="当前密码不正确。", status=400)
    try:
        lib.change_password(viewer.name, password, keep_session=session_secret(request))
    except InputError as exc:
        return _account_page(request, viewer, error=chinese_part(str(exc)), status=400)
    return _account_page(request, viewer, notice="密码已修改，其他设备上的登录已全部退出。")


@router.post("/account/sessions/end-others", dependencies=[CsrfChecked])
def end_other_sessions(request: Request, viewer: SignedIn) -> HTMLResponse:
    ended = library(request).end_sessions(viewer.name, keep_session=session_secret(request))
    return _account_page(request, viewer, notice=f"已退出其他 {ended} 处登录。")


def _token_lifetime(request: Request, days: str) -> timedelta | None:
    """The form's choice: a number of days, "never", or blank for the configured default."""
    if days.strip() == "never":
        return None
    if not days.strip():
        return timedelta(days=settings(request).token_days)
    if not days.strip().isdigit() or not 1 <= int(days) <= 3650:
        raise InputError("有效期应为 1 至 3650 天。A token lives 1 to 3650 days.")
    return timedelta(days=int(days))


def _account_page(
    request: Request, viewer: User, token: str = "", notice: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    lib = library(request)
    used, quota = download_status(request, viewer)
    effective = access.effective_tier(viewer)
    context = {
        "used": used, "quota": quota, "token": token, "notice": notice, "error": error,
        "expired": viewer.tier != effective,
        "can_read_paid": access.can_read_paid(viewer),
        "drafts": lib.store.drafts(viewer.id),
        "tokens": lib.tokens(viewer.name),
        "sessions": [s for s in lib.sessions(viewer.name) if s.live],
        "token_days": settings(request).token_days,
        "expires_in_days": _days_left(viewer),
    }
    return render(request, "account.html", context, status=status)


def _days_left(viewer: User) -> int | None:
    """Days until a membership ends (for the reminder), None when it has no end or is no membership."""
    if viewer.tier not in {"member", "svip"} or not viewer.expires:
        return None
    return (date.fromisoformat(viewer.expires[:10]) - access.today()).days
