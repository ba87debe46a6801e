"""ASGI middleware: a request-body size limit (before a body is parsed or spooled), security headers, and
no caching of anything dynamic."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sucai.errors import TooLarge
from sucai.web.errors import error_response

# Room for the multipart envelope and form fields around a file of the full allowed size.
ENVELOPE = 64 * 1024


def too_large_message(limit: int) -> str:
    return f"上传内容超过 {limit / 1024 / 1024:.1f} MB 的上限。The upload is over the {limit} byte limit."


class BodyLimit:
    """Answer 413 (through the web error handler) when a request body would exceed the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit + ENVELOPE
        self.file_limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            response = error_response(Request(scope), TooLarge(too_large_message(self.file_limit)))
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # a chunked body without Content-Length
                    raise TooLarge(too_large_message(self.file_limit))
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


# Pages use no inline script or style and no third-party resources, so the policy can be strict.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
     b" form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


# Any dynamic answer may carry member-only text or a user's own data (pages, the API, downloads, drafts): no
# shared cache may keep it and no browser may store it. Static files (the same for everyone) may be cached.
NO_STORE = (b"cache-control", b"private, no-store")
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    """Add the security headers to every HTTP response that does not set them itself, and
    `Cache-Control: private, no-store` to every response but a static file's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        dynamic = not str(scope.get("path", "")).startswith(STATIC_PREFIX)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if dynamic:  # whatever a route set: no route may let member text be cached
                    headers = [(k, v) for k, v in headers if k.lower() != NO_STORE[0]] + [NO_STORE]
                present = {key.lower() for key, _ in headers}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": [*headers, *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
