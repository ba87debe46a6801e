"""Who is asking: the viewer from a session (a row in the store named by the cookie) or a Bearer token,
and CSRF tokens. Rate limits (login included) are in web/limits.py."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from sucai import access
from sucai.accounts import SESSION_DAYS
from sucai.errors import NotFound, SucaiError
from sucai.library import Library
from sucai.model import User
from sucai.settings import Settings
from sucai.web.limits import LoginLimiter, client_address
from sucai.web.problems import CsrfFailed, LoginRequired

__all__ = ["SESSION_COOKIE", "SESSION_DAYS", "LoginLimiter", "client_address"]  # re-exported for the routes

SESSION_COOKIE = "sucai_session"
SESSION_KEY = "sid"  # the session cookie's secret naming the session row (the store keeps its hash)


def library(request: Request) -> Library:
    return request.app.state.library  # type: ignore[no-any-return]


def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


# -- the viewer ---------------------------------------------------------------------------------
def current_viewer(request: Request) -> User:
    """The signed-in user (Bearer token first, then the session), else access.GUEST; cached per request."""
    cached = getattr(request.state, "viewer", None)
    if isinstance(cached, User):
        return cached
    viewer = _resolve_viewer(request)
    request.state.viewer = viewer
    return viewer


def _resolve_viewer(request: Request) -> User:
    lib = library(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise LoginRequired("Authorization 头应为 “Bearer 令牌”。Expected 'Authorization: Bearer TOKEN'.")
        try:
            return lib.user_for_token(token.strip())
        except NotFound:
            raise LoginRequired("API 令牌无效。Invalid API token.") from None
    session = _session(request)
    secret = session.get(SESSION_KEY)
    if isinstance(secret, str):
        user = lib.session_user(secret)
        if user is not None:
            return user
    if SESSION_KEY in session or "user" in session:  # ended, expired, or a cookie from before session rows
        session.clear()
        if request.url.path.startswith("/api/"):
            raise LoginRequired("会话已结束，请重新登录。The session has ended; sign in again.")
    return access.GUEST


async def viewer_dependency(request: Request) -> User:
    """current_viewer for a route: a request without credentials is a guest at once, on the event loop (a sync
    dependency goes through a worker thread, which cost a cached search page about a tenth of its server
    time); one with a token or a session is looked up in the store on a worker thread, never on the loop."""
    if request.headers.get("authorization") is None and not _session(request):
        request.state.viewer = access.GUEST
        return access.GUEST
    return await run_in_threadpool(current_viewer, request)


def viewer_or_guest(request: Request) -> User:
    """The viewer for rendering an error page, where a bad token must not raise again."""
    try:
        return current_viewer(request)
    except SucaiError:
        return access.GUEST


def _session(request: Request) -> dict[str, object]:
    return request.session if "session" in request.scope else {}


def signed_in(request: Request) -> User:
    viewer = current_viewer(request)
    if viewer.id <= 0:
        raise LoginRequired("请先登录。Please sign in.")
    return viewer


def admin_only(request: Request) -> User:
    viewer = current_viewer(request)
    access.can_admin(viewer)
    return viewer


_bearer = HTTPBearer(auto_error=False, description="A token from `sucai user token NAME` or /account")


def api_viewer(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User:
    """The viewer of an API call (declares the Bearer scheme in the OpenAPI document)."""
    return current_viewer(request)


Viewer = Annotated[User, Depends(viewer_dependency)]
SignedIn = Annotated[User, Depends(signed_in)]
Admin = Annotated[User, Depends(admin_only)]
ApiViewer = Annotated[User, Depends(api_viewer)]


def download_status(request: Request, viewer: User) -> tuple[int, int | None]:
    """(downloads today, daily quota or None for unlimited) for the account page and the quota page."""
    quota = access.download_quota(viewer, library(request).settings.quotas)  # the quotas Library.export enforces
    used = library(request).downloads_today(viewer) if viewer.id > 0 else 0
    return used, quota


# -- sessions -------------------------------------------------------------------------------------
def sign_in(request: Request, user: User) -> None:
    """Start a fresh session for the user (a new CSRF token too); a session the cookie named before ends."""
    session = request.session
    sign_out(request)
    session[SESSION_KEY] = library(request).start_session(user, SESSION_DAYS)
    session["csrf"] = secrets.token_urlsafe(32)
    request.state.viewer = user


def sign_out(request: Request) -> None:
    """End the session in the store (a copy of the cookie is worth nothing after this), clear the cookie."""
    secret = request.session.get(SESSION_KEY)
    if isinstance(secret, str):
        library(request).end_session(secret)
    request.session.clear()


def session_secret(request: Request) -> str | None:
    """The secret of the cookie's session (to keep it when the password changes)."""
    secret = _session(request).get(SESSION_KEY)
    return secret if isinstance(secret, str) else None


# -- CSRF -------------------------------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (so only pages with a form set a cookie)."""
    session = request.session
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_guard(request: Request, csrf: Annotated[str, Form(include_in_schema=False)] = "") -> None:
    """Every form POST carries the session's token (field `csrf` or header X-CSRF-Token), else 403."""
    sent = csrf or request.headers.get("x-csrf-token", "")
    expected = _session(request).get("csrf")
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed("表单已失效或来源不明，请刷新页面后重试。The form's CSRF token is missing or wrong.")


CsrfChecked = Depends(csrf_guard)
