"""Shared by the web tests: a real SQLite library built from the project's own documents (the demo set and
tests/fixtures/, no third-party text), one account per tier, clients,
and the scanner that looks for member-only sentences in any response (HTML, JSON, XML, docx, zip)."""

from __future__ import annotations

import html
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from conftest import project_documents
from sucai.library import Library, open_library
from sucai.settings import Rate, Settings
from sucai.web.app import create_app

with warnings.catch_warnings():
    # starlette asks for the httpx2 package; httpx works the same for these tests
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PASSWORD = "correct-horse-1"
# name: (tier, membership expiry)
ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "free": ("free", None),
    "member": ("member", "2099-12-31"),
    "expired": ("member", "2000-01-01"),
    "svip": ("svip", None),
    "admin": ("admin", None),
}
QUOTAS: dict[str, int | None] = {"guest": 0, "free": 1000, "member": 1000, "svip": 1000, "admin": None}
# Searches and checks are rate-limited in the store (shared by every app over it): high, so that a test which is
# not about limits never meets one; tests of the limits set their own (tests/test_limits.py).
OPEN_LIMITS: dict[str, Any] = {
    "limit_search_guest": Rate(10_000), "limit_search_account": Rate(10_000), "limit_check": Rate(10_000),
}
MIN_SENTENCE = 12


def build_library(directory: Path, documents: Sequence[Path] | None = None, **settings: Any) -> Library:
    """The project's documents (default: the demo set and tests/fixtures/) ingested into a fresh library under
    `directory`, with every account of ACCOUNTS."""
    options: dict[str, Any] = {"quotas": dict(QUOTAS), "secret_key": "test-secret", **OPEN_LIMITS, **settings}
    lib = open_library(settings=Settings(db=str(directory / "lib.db"), **options))
    report = lib.ingest(list(project_documents() if documents is None else documents))
    assert report.documents and not report.failed, report
    for name, (tier, expires) in ACCOUNTS.items():
        lib.add_user(name, tier, PASSWORD, expires)
    return lib


def make_client(lib: Library, follow: bool = True, **settings: Any) -> TestClient:
    """A client of a new app over the library (settings overridden for this app only). follow=False: no index
    follower, for a Library object sharing another's store, which the other closes (a follower left polling
    a closed store logs an error at exit)."""
    return TestClient(create_app(replace(lib.settings, **settings), lib, follow=follow), follow_redirects=False)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"name": name, "password": password, "csrf": csrf_of(client)})
    assert response.status_code == 303, response.text


def signed_client(lib: Library, name: str | None, **settings: Any) -> TestClient:
    client = make_client(lib, **settings)
    if name is not None:
        login(client, name)
    return client


def app_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, HEAD aside; a mount (static files) counts as GET.

    FastAPI >= 0.13x keeps included routers lazily; iter_route_contexts flattens them when it exists."""
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined]
    except ImportError:
        routes: list[Any] = list(app.routes)
    else:
        routes = list(iter_route_contexts(app.routes))
    found: set[tuple[str, str]] = set()
    for route in routes:
        methods = set(getattr(route, "methods", None) or {"GET"}) - {"HEAD"}
        found.update((method, route.path) for method in methods)
    return found


def doc_ids(lib: Library) -> list[int]:
    _total, docs = lib.list_documents(limit=1000)
    return sorted(d.id for d in docs)


# -- member-only text ----------------------------------------------------------------------------
def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。！？；])", text) if s.strip()]


def paid_sentences(lib: Library) -> list[str]:
    """Sentences (>= 12 characters) of member-only blocks, as the operator reads them, that appear nowhere
    a guest may see them (free blocks, titles)."""
    docs = [lib.document(i) for i in doc_ids(lib)]
    public = "\n".join([d.title for d in docs] + [b.text for d in docs for b in d.blocks if not b.paid])
    found: list[str] = []
    for doc in docs:
        for block in doc.blocks:
            if block.paid:
                found += [s for s in _sentences(block.text) if len(s) >= MIN_SENTENCE and s not in public]
    return list(dict.fromkeys(found))


def marked_sentences(path: Path) -> list[str]:
    """Sentences (>= 12 characters) a file written for the project marks member-only, read from the file itself
    (between ##paidbegin## and ##paidend##, or to the end), not from what the library made of it."""
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"##paid(begin|end)##", text)
    paid = [parts[i + 1] for i in range(1, len(parts) - 1, 2) if parts[i] == "begin"]
    lines = [line for part in paid for line in part.splitlines()]
    return [s for line in lines for s in _sentences(line) if len(s) >= MIN_SENTENCE]


def public_text(lib: Library) -> str:
    docs = [lib.document(i) for i in doc_ids(lib)]
    return "\n".join([d.title for d in docs] + [b.text for d in docs for b in d.blocks if not b.paid])


def paid_only_word(lib: Library, size: int = 4) -> str:
    """A few characters that occur in member-only text and nowhere public: a search for it finds only locked text."""
    public = public_text(lib)
    for sentence in paid_sentences(lib):
        for i in range(len(sentence) - size + 1):
            word = sentence[i : i + size]
            if re.fullmatch(r"[\u4e00-\u9fff]+", word) and word not in public:
                return word
    raise AssertionError("the library has no member-only word")


# -- scanning responses ------------------------------------------------------------------------------
def _texts(data: bytes, depth: int = 0) -> Iterator[str]:
    """Every readable form of a response body: the bytes as text, tags stripped and entities decoded,
    JSON re-serialised without escapes, docx paragraphs, and the members of a zip (recursively)."""
    if data[:2] == b"PK" and depth < 3:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            pass
        else:
            for name in archive.namelist():
                yield from _texts(archive.read(name), depth + 1)
            yield from _docx_text(data)
            return
    if data[:5] == b"%PDF-":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        yield "".join(page.get_textpage().get_text_range() for page in pdf).replace("\r\n", "").replace(" ", "")
        return
    text = data.decode("utf-8", errors="replace")
    yield text
    yield html.unescape(re.sub(r"<[^>]+>", "", text))
    try:
        yield json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        pass


def _docx_text(data: bytes) -> Iterator[str]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # not a docx: a plain zip bundle
        return
    yield "\n".join(p.text for p in document.paragraphs)


# Invisible characters a download trace may weave into text; a sentence must not hide behind them.
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def docx_paragraphs(data: bytes) -> list[str]:
    """The paragraphs of a .docx as a reader sees them (the trace's invisible characters left out)."""
    import docx

    return [ZERO_WIDTH.sub("", p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]


def leaks(data: bytes, sentences: list[str]) -> list[str]:
    """The member-only sentences found anywhere in a response body."""
    texts = [ZERO_WIDTH.sub("", t) for t in _texts(data)]
    return [s for s in sentences if any(s in t for t in texts)]
