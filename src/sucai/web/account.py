"""Signing in and out, and the account page (tier, expiry, downloads today, API tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sucai import access
from sucai.errors import AccessDenied
from sucai.model import User
from sucai.web.auth import (
    CsrfChecked,
    LoginLimiter,
    SignedIn,
    Viewer,
    client_address,
    download_status,
    library,
    sign_in,
    sign_out,
)
from sucai.web.errors import RateLimited, chinese_part
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
        limiter.attempt(name, address)
        user = library(request).authenticate(name, password)
    except RateLimited as exc:
        headers = {"Retry-After": str(exc.retry_after)}
        return render(request, "login.html", {**context, "error": chinese_part(str(exc))},
                      status=429, headers=headers)
    except AccessDenied:
        return render(request, "login.html", {**context, "error": "用户名或密码错误。"}, status=400)
    limiter.succeeded(name, address)
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
    return _account_page(request, viewer, token="")


@router.post("/account/token", dependencies=[CsrfChecked])
def new_token(request: Request, viewer: SignedIn) -> HTMLResponse:
    token = library(request).new_token(viewer.name)
    return _account_page(request, viewer, token=token)


def _account_page(request: Request, viewer: User, token: str) -> HTMLResponse:
    used, quota = download_status(request, viewer)
    effective = access.effective_tier(viewer)
    context = {
        "used": used, "quota": quota, "token": token,
        "expired": viewer.tier != effective,
        "can_read_paid": access.can_read_paid(viewer),
        "drafts": library(request).store.drafts(viewer.id),
    }
    return render(request, "account.html", context)
