"""create_app(settings, library): the web library. Nothing happens at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from sucai.errors import InputError
from sucai.library import Library
from sucai.settings import Settings
from sucai.web import account, admin, api, desk, downloads, errors, feed, health, nodes, pages, phrases, service
from sucai.web.auth import SESSION_COOKIE, SESSION_DAYS, LoginLimiter, Viewer
from sucai.web.fragments import FragmentCache
from sucai.web.gate import FairGate, default_slots
from sucai.web.jobs import IngestJobs
from sucai.web.middleware import BodyLimit, SecurityHeaders
from sucai.web.overview import OverviewCache
from sucai.web.render import STATIC, make_templates, render
from sucai.web.shared_pages import SharedPages

DESCRIPTION = """素材库 sucai: the objects of the CLI's `--json` under `/api`.

Authenticate with `Authorization: Bearer TOKEN` (from `sucai user token NAME` or the account page); without
a token you are a guest. Member-only blocks are withheld from viewers without access. Errors are
`{"error": "..."}` with the HTTP status: 400 bad query, 401/403 access (401 also for an expired or revoked
token), 404, 409 a stale draft save, 413 too large, 429 quota or rate limit (with `Retry-After`)."""


def create_app(
    settings: Settings, library: Library, follow: bool = True, shared_pages: Path | None = None
) -> FastAPI:
    """The web app over a library: pages, the API, admin and desk; sessions signed with Library.secret().
    `shared_pages`: the file where the workers of one node share results parts (web/shared_pages.py)."""
    if settings.search_slots < 0:  # refused before anything starts (the follower below is a thread)
        raise InputError(f"SUCAI_SEARCH_SLOTS is 0 (one per core) or more, not {settings.search_slots}")
    app = FastAPI(title="素材库 sucai API", version="1", description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.library = library
    if follow:  # the index follows the store from a background thread, never inside a request
        library.follow()
    app.state.templates = make_templates()
    app.state.login_limiter = LoginLimiter(
        library.store, settings.login_attempts_per_minute, settings.limit_login_account
    )
    app.state.jobs = IngestJobs(library)
    app.state.overview = OverviewCache()
    app.state.fragments = FragmentCache()
    app.state.shared_pages = SharedPages(shared_pages) if shared_pages is not None else None
    app.state.search_gate = FairGate(settings.search_slots or default_slots())
    app.add_middleware(
        SessionMiddleware, secret_key=library.secret().decode(), session_cookie=SESSION_COOKIE,
        max_age=SESSION_DAYS * 24 * 3600, same_site="lax", https_only=settings.secure_cookies,
    )
    app.add_middleware(BodyLimit, limit=settings.max_file_bytes)
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    app.include_router(health.router)
    app.include_router(nodes.router)
    for module in (pages, downloads, account, desk, admin, feed, api, phrases, service):
        app.include_router(module.router)
    app.include_router(service.api)
    app.include_router(service.admin)
    app.add_api_route("/docs", api_docs, include_in_schema=False, response_class=HTMLResponse)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


def api_docs(request: Request, viewer: Viewer) -> HTMLResponse:
    """The OpenAPI document, rendered by our own template (no third-party JS from a CDN)."""
    from sucai.web import apidocs

    spec: dict[str, Any] = request.app.openapi()
    return render(request, "apidocs.html", apidocs.context(spec))
