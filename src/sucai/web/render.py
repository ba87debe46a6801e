"""Templates: one Jinja2 environment, its filters, and render() with the context every page needs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from sucai import access
from sucai.web.auth import csrf_token, viewer_or_guest
from sucai.web.reasons import chinese_reason

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# The only markup the search engine puts in snippets; anything else that looks like a tag is escaped.
_NOT_MARK = re.compile(r"<(?!/?mark>)")


def make_templates() -> Jinja2Templates:
    # Templates ship with the package: no stat() of every template file on every page (auto_reload).
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True, lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["marked"] = marked
    env.filters["wan"] = wan
    env.filters["percent"] = percent
    env.filters["day"] = lambda iso: (iso or "")[:10]
    env.globals["tier_names"] = access.TIER_NAMES
    env.filters["chinese_reason"] = chinese_reason
    return Jinja2Templates(env=env)


def marked(snippet: str) -> Markup:
    """An engine snippet (HTML-escaped text with <mark>) made safe to insert: only <mark> survives."""
    return Markup(_NOT_MARK.sub("&lt;", snippet or ""))


def wan(chars: int) -> str:
    """A character count the way the trade states it: 9,000 万字, 3.2 万字, 860 字."""
    if chars >= 10_000_000:
        return f"{chars / 10_000:,.0f} 万字"
    if chars >= 10_000:
        return f"{chars / 10_000:.1f} 万字"
    return f"{chars} 字"


def percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


def _csrf_field(request: Request) -> Callable[[], Markup]:
    """The hidden CSRF field, made on a template's first call (so only pages with a form set a cookie) and
    reused for the rest: a member's document page has a form per paragraph, and building the field fifty
    times was a quarter of that page's server time."""
    @cache
    def field() -> Markup:
        token = csrf_token(request) if "session" in request.scope else ""
        return Markup('<input type="hidden" name="csrf" value="{}">').format(escape(token))

    return field


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None,
    status: int = 200, headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page with the viewer, a lazy CSRF token and the navigation state."""
    viewer = viewer_or_guest(request)
    base: dict[str, Any] = {
        "viewer": viewer,
        "signed_in": viewer.id > 0,
        "is_admin": access.is_admin(viewer),
        "tier": access.TIER_NAMES.get(access.effective_tier(viewer), viewer.tier),
        "csrf": _csrf_field(request),
        "q": "",
    }
    base.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, base, status_code=status, headers=headers)
