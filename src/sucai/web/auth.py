"""Who is asking: the viewer from a session cookie or a Bearer token, CSRF tokens, the login rate limit."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sucai import access
from sucai.errors import NotFound, SucaiError
from sucai.library import Library
from sucai.model import User
from sucai.settings import Settings
from sucai.web.errors import CsrfFailed, LoginRequired, RateLimited

SESSION_COOKIE = "sucai_session"
SESSION_DAYS = 14


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
    name = _session(request).get("user")
    if isinstance(name, str):
        try:
            return lib.user(name)
        except NotFound:
            _session(request).clear()  # the account is gone: sign out
    return access.GUEST


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


Viewer = Annotated[User, Depends(current_viewer)]
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
    """Start a fresh session for the user (a new CSRF token too)."""
    session = request.session
    session.clear()
    session["user"] = user.name
    session["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


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


# -- login rate limit --------------------------------------------------------------------------------
class LoginLimiter:
    """At most N login attempts a minute per account and address (and 4N per address over all accounts)."""

    WINDOW = 60.0

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = max(1, per_minute)
        self._clock = clock
        self._attempts: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def attempt(self, name: str, address: str) -> None:
        """Count one attempt, or raise RateLimited when the account (or the address) is over its limit."""
        keys = [((name.strip().casefold(), address), self.per_minute), (("", address), 4 * self.per_minute)]
        now = self._clock()
        with self._lock:
            if len(self._attempts) > 10_000:  # many names from many addresses: forget the stale ones
                for key in list(self._attempts):
                    self._recent(key, now)
            for key, limit in keys:
                recent = self._recent(key, now)
                if len(recent) >= limit:
                    wait = max(1, int(recent[0] + self.WINDOW - now) + 1)
                    raise RateLimited(
                        f"登录尝试过于频繁：同一账户每分钟最多尝试 {self.per_minute} 次，请 {wait} 秒后再试。"
                        f" Too many login attempts; try again in {wait} s.",
                        retry_after=wait,
                    )
            for key, _limit in keys:
                self._attempts.setdefault(key, deque()).append(now)

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._attempts.pop((name.strip().casefold(), address), None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        recent = self._attempts.get(key, deque())
        while recent and recent[0] <= now - self.WINDOW:
            recent.popleft()
        if not recent:
            self._attempts.pop(key, None)
        return recent


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
