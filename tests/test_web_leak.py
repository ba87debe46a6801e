"""No member-only sentence of the library (the demo set and tests/fixtures/) reaches a viewer without access,
through any route of the web app.

Every route of the app must have a recipe below (the test fails when a new route has none). Each recipe is
run as a guest, a free account and an expired member, with cookie sessions and (for /api) Bearer tokens;
every response body is scanned for the member-only sentences in every readable form (HTML with tags
stripped, JSON without escapes, XML, docx paragraphs, zip members). Members, SVIP and admins see them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import ALL_PAID, COMPILATION
from sucai.export.slides import lead_phrase
from sucai.library import Library
from web_helpers import (
    TestClient,
    app_routes,
    build_library,
    csrf_of,
    doc_ids,
    leaks,
    make_client,
    marked_sentences,
    paid_only_word,
    paid_sentences,
    public_text,
    signed_client,
)

FORMATS = ("docx", "txt", "md", "pptx")  # pdf is the docx set by LibreOffice: scanned as its docx


@dataclass
class Visit:
    """What one recipe run knows: the library's ids, the words to search, the state the visitor built."""

    lib: Library
    client: TestClient
    ids: list[int]
    paid_word: str
    paid_sentences: list[str]
    paid_headings: list[str]
    public: str
    job_id: str
    csrf: str = ""
    draft_id: int = 1
    bearer: dict[str, str] = field(default_factory=dict)


Request = tuple[str, str, dict[str, Any]]  # method, url, keyword arguments for the client
Recipe = Callable[[Visit], Iterator[Request]]


def _get(url: str, **kwargs: Any) -> Request:
    return ("GET", url, kwargs)


def _post(visit: Visit, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Request:
    return ("POST", url, {"data": {"csrf": visit.csrf, **(data or {})}, **kwargs})


def _draft_text(visit: Visit) -> str:
    return visit.public[:400] + "\n这是xx县的一份新草稿，写于X月X日，的的确确是新写的内容。"


def _json_draft(visit: Visit) -> dict[str, Any]:
    return {"json": {"text": _draft_text(visit)}, "headers": visit.bearer}


# Recipes in the order they run (logout last); keys are (method, route path).
RECIPES: dict[tuple[str, str], Recipe] = {
    ("GET", "/"): lambda v: iter([_get("/")]),
    ("GET", "/search"): lambda v: iter(
        [_get("/search", params={"q": v.paid_word}), _get("/search", params={"q": v.paid_word, "page": 2})]
        + [_get("/search", params={"q": s}) for s in v.paid_sentences[:6]]
        + [_get("/search", params={"q": h}) for h in v.paid_headings[:4]]
    ),
    ("GET", "/d/{doc_id}"): lambda v: iter([_get(f"/d/{i}") for i in v.ids]),
    ("GET", "/d/{doc_id}/download"): lambda v: iter(
        [_get(f"/d/{i}/download", params={"format": f}) for i in v.ids for f in FORMATS]
    ),
    ("POST", "/d/{doc_id}/download"): lambda v: iter(
        [_post(v, f"/d/{i}/download", {"format": f}) for i in v.ids for f in FORMATS]
    ),
    ("GET", "/download.zip"): lambda v: iter(
        [_get("/download.zip", params={"ids": ",".join(map(str, v.ids)), "format": f}) for f in FORMATS]
    ),
    ("POST", "/download.zip"): lambda v: iter(
        [_post(v, "/download.zip", {"ids": [str(i) for i in v.ids], "format": f}) for f in FORMATS]
    ),
    ("GET", "/new"): lambda v: iter([_get("/new")]),
    ("GET", "/phrases"): lambda v: iter(
        [
            _get("/phrases"),
            _get("/phrases", params={"q": v.paid_word}),
            *[_get("/phrases", params={"kind": k}) for k in ("parallel", "quote")],
        ]
    ),
    ("GET", "/api/phrases"): lambda v: iter(
        [
            _get("/api/phrases", params={"limit": 500}, headers=v.bearer),
            _get("/api/phrases", params={"q": v.paid_word}, headers=v.bearer),
        ]
    ),
    ("GET", "/feed.atom"): lambda v: iter(
        [_get("/feed.atom"), _get("/feed.atom", params={"q": v.paid_word}),
         *[_get("/feed.atom", params={"q": s[:8]}) for s in v.paid_sentences[:3]],
         *[_get("/feed.atom", params={k: val}) for k, val in (("genre", "发言材料"), ("tag", "主题教育"))]]
    ),
    ("GET", "/login"): lambda v: iter([_get("/login")]),
    ("POST", "/login"): lambda v: iter([_post(v, "/login", {"name": "nobody", "password": "wrong-password"})]),
    ("GET", "/logout"): lambda v: iter([_get("/logout")]),
    ("GET", "/account"): lambda v: iter([_get("/account")]),
    ("POST", "/account/token"): lambda v: iter([_post(v, "/account/token")]),
    ("GET", "/desk"): lambda v: iter([_get("/desk")]),
    ("POST", "/desk/new"): lambda v: iter([_post(v, "/desk/new", {"title": "泄漏测试草稿"})]),
    ("POST", "/desk/add"): lambda v: iter(
        [_post(v, "/desk/add", {"doc_id": i, "block": b}) for i in v.ids for b in range(60)]
        + [_post(v, "/desk/add", {"doc_id": i}) for i in v.ids]
    ),
    ("GET", "/desk/{draft_id}"): lambda v: iter([_get(f"/desk/{v.draft_id}")]),
    ("POST", "/desk/{draft_id}"): lambda v: iter(
        [
            _post(v, f"/desk/{v.draft_id}", {"title": "草稿", "body": _draft_text(v), "action": a})
            for a in ("save", "lint", "check", "export", "report", "polish", "pptx", "pdf")
        ]
    ),
    ("POST", "/desk/{draft_id}/fill"): lambda v: iter(
        [_post(v, f"/desk/{v.draft_id}/fill", {"ph": ["xx县"], "value": ["城关县"]})]
    ),
    ("GET", "/admin"): lambda v: iter([_get("/admin")]),
    ("POST", "/admin/upload"): lambda v: iter(
        [_post(v, "/admin/upload", files={"files": ("x.txt", "测试\n同志们：\n正文。\n".encode())})]
    ),
    ("GET", "/admin/jobs/{job_id}"): lambda v: iter([_get(f"/admin/jobs/{v.job_id}")]),
    ("GET", "/admin/jobs/{job_id}/progress"): lambda v: iter([_get(f"/admin/jobs/{v.job_id}/progress")]),
    ("POST", "/admin/users"): lambda v: iter(
        [_post(v, "/admin/users", {"name": "intruder", "password": "password-123", "tier": "svip"})]
    ),
    ("POST", "/admin/tier"): lambda v: iter(
        [_post(v, "/admin/tier", {"name": name, "tier": "svip"}) for name in ("free", "expired")]
    ),
    ("GET", "/api/search"): lambda v: iter(
        [_get("/api/search", params={"q": v.paid_word, "limit": 100}, headers=v.bearer)]
        + [_get("/api/search", params={"q": s}, headers=v.bearer) for s in v.paid_sentences[:6]]
    ),
    ("GET", "/api/documents"): lambda v: iter([_get("/api/documents", headers=v.bearer)]),
    ("GET", "/api/documents/{doc_id}"): lambda v: iter([_get(f"/api/documents/{i}", headers=v.bearer) for i in v.ids]),
    ("GET", "/api/documents/{doc_id}/export"): lambda v: iter(
        [_get(f"/api/documents/{i}/export", params={"format": f}, headers=v.bearer) for i in v.ids for f in FORMATS]
    ),
    ("GET", "/api/suggest"): lambda v: iter(
        [
            _get("/api/suggest", params={"q": q}, headers=v.bearer)
            for q in [v.paid_word, "ztjy", "zt", *[h[:n] for h in v.paid_headings[:6] for n in (1, 2, 4)]]
        ]
    ),
    ("POST", "/api/check"): lambda v: iter([("POST", "/api/check", _json_draft(v))]),
    ("POST", "/api/lint"): lambda v: iter([("POST", "/api/lint", _json_draft(v))]),
    ("GET", "/api/me"): lambda v: iter([_get("/api/me", headers=v.bearer)]),
    ("GET", "/api/health"): lambda v: iter([_get("/api/health", headers=v.bearer)]),
    # for nodes only (its tar holds member-only text): 404 here, where no SUCAI_NODE_SECRET is set, even for the
    # library's session secret; 401 for anything but the nodes' secret is in test_index_snapshot.py
    ("GET", "/api/index/snapshot"): lambda v: iter(
        [_get("/api/index/snapshot", headers=h) for h in (v.bearer, {"Authorization": "Bearer test-secret"})]
    ),
    ("GET", "/docs"): lambda v: iter([_get("/docs")]),
    ("GET", "/openapi.json"): lambda v: iter([_get("/openapi.json")]),
    ("GET", "/static"): lambda v: iter([_get("/static/sucai.css"), _get("/static/sucai.js")]),
    ("POST", "/account/password"): lambda v: iter(
        [_post(v, "/account/password", {"current": "wrong-password", "password": "another-password-1"})]
    ),
    ("POST", "/account/tokens/{token_id}/revoke"): lambda v: iter([_post(v, "/account/tokens/999999/revoke")]),
    ("POST", "/account/sessions/end-others"): lambda v: iter([_post(v, "/account/sessions/end-others")]),
    ("POST", "/desk/{draft_id}/delete"): lambda v: iter([_post(v, f"/desk/{v.draft_id}/delete")]),
    ("POST", "/logout"): lambda v: iter([_post(v, "/logout")]),
    # the running service: saved searches, codes, the admin's figures, filtered feeds
    ("POST", "/saved"): lambda v: iter(
        [_post(v, "/saved", {"q": q}) for q in [v.paid_word, *[s[:8] for s in v.paid_sentences[:3]]]]
    ),
    ("GET", "/saved"): lambda v: iter([_get("/saved")]),
    ("POST", "/saved/{search_id}/seen"): lambda v: iter([_post(v, f"/saved/{i}/seen") for i in (1, 2, 999)]),
    ("POST", "/saved/{search_id}/delete"): lambda v: iter([_post(v, "/saved/999/delete")]),
    ("POST", "/account/redeem"): lambda v: iter([_post(v, "/account/redeem", {"code": "AAAAA-BBBBB-CCCCC-DDDDD"})]),
    ("POST", "/api/redeem"): lambda v: iter(
        [("POST", "/api/redeem", {"json": {"code": "AAAAA-BBBBB-CCCCC-DDDDD"}, "headers": v.bearer})]
    ),
    ("GET", "/admin/codes"): lambda v: iter([_get("/admin/codes")]),
    ("POST", "/admin/codes"): lambda v: iter([_post(v, "/admin/codes", {"tier": "svip", "days": 30, "count": 2})]),
    ("GET", "/admin/stats"): lambda v: iter([_get("/admin/stats")]),
    ("POST", "/admin/disable"): lambda v: iter([_post(v, "/admin/disable", {"name": "nobody", "disabled": "true"})]),
    # the desk: outline first and polishing
    ("POST", "/desk/outline"): lambda v: iter(
        [_post(v, "/desk/outline", {"topic": t}) for t in [v.paid_word, *[h[:6] for h in v.paid_headings[:3]]]]
    ),
    ("POST", "/desk/{draft_id}/polish"): lambda v: iter(
        [_post(v, f"/desk/{v.draft_id}/polish", {"start": 0, "end": 0, "original": "", "replacement": "一",
                                                "rule": "phrase"})]
    ),
}


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("leak"))
    yield library
    library.close()


@pytest.fixture(scope="module")
def job_id(lib: Library) -> str:
    """An ingest job started by the admin, for the job routes."""
    admin = signed_client(lib, "admin")
    response = admin.post(
        "/admin/upload",
        data={"csrf": csrf_of(admin, "/admin")},
        files={"files": ("note.txt", "学习笔记\n同志们：\n一段新的正文。\n".encode())},
    )
    assert response.status_code == 303
    job = response.headers["location"].rsplit("/", 1)[-1]
    for _ in range(200):
        if admin.get(f"/admin/jobs/{job}/progress").json()["finished"]:
            break
        time.sleep(0.05)
    return job


def _visit(lib: Library, client: TestClient, job: str, bearer: dict[str, str]) -> Visit:
    operator_docs = [lib.document(i) for i in doc_ids(lib)]
    headings = [b.text for d in operator_docs for b in d.blocks if b.paid and b.kind == "heading"]
    return Visit(
        lib,
        client,
        doc_ids(lib),
        paid_only_word(lib),
        paid_sentences(lib),
        headings,
        public_text(lib),
        job,
        bearer=bearer,
    )


def _not_asked(sentences: list[str], kwargs: dict[str, Any]) -> list[str]:
    """The sentences to look for in an answer: not those the request itself sent (a query is echoed back)."""
    asked = " ".join(str(v) for v in (kwargs.get("params") or {}).values())
    return [s for s in sentences if s not in asked]


def _run(visit: Visit) -> list[str]:
    """Run every recipe; returns the findings (url: sentence) and fails on any server error."""
    findings: list[str] = []
    for key, recipe in RECIPES.items():
        visit.csrf = csrf_of(visit.client, "/login") if key[0] == "POST" else visit.csrf
        for method, url, kwargs in recipe(visit):
            response = visit.client.request(method, url, **kwargs)
            assert response.status_code < 500, f"{method} {url}: {response.status_code} {response.text[:300]}"
            location = response.headers.get("location", "")
            if key == ("POST", "/desk/new") and re.fullmatch(r"/desk/\d+", location):
                visit.draft_id = int(location.rsplit("/", 1)[-1])
            where = f"{method} {url} {kwargs.get('params', '')}"
            findings += [f"{where}: {s}" for s in leaks(response.content, _not_asked(visit.paid_sentences, kwargs))]
    return findings


def test_every_route_has_a_recipe(lib: Library) -> None:
    client = make_client(lib)
    missing = app_routes(client.app) - set(RECIPES)
    assert not missing, f"routes without a leak recipe: {sorted(missing)}"


def test_the_library_has_member_only_sentences(lib: Library) -> None:
    sentences = paid_sentences(lib)
    assert len(sentences) >= 20
    assert paid_only_word(lib) not in public_text(lib)


@pytest.mark.parametrize("path", [COMPILATION, ALL_PAID], ids=["compilation", "all-paid"])
def test_the_scan_looks_for_every_sentence_the_fixtures_mark_member_only(lib: Library, path: Path) -> None:
    """The sentences scanned for come from the library; those the files themselves mark must be among them,
    or a parser that lost a marker would make every leak test pass."""
    marked = marked_sentences(path)
    assert len(marked) >= 8
    assert set(marked) <= set(paid_sentences(lib))


@pytest.mark.parametrize("who", [None, "free", "expired"])
def test_no_member_only_sentence_reaches_a_viewer_without_access(lib: Library, job_id: str, who: str | None) -> None:
    client = signed_client(lib, who)
    findings = _run(_visit(lib, client, job_id, bearer={}))
    assert not findings, "member-only text leaked:\n" + "\n".join(findings[:20])


@pytest.mark.parametrize("who", ["free", "expired"])
def test_no_member_only_sentence_reaches_an_api_token_without_access(lib: Library, job_id: str, who: str) -> None:
    token = lib.new_token(who)
    client = make_client(lib)  # no cookie: the token alone says who is asking
    visit = _visit(lib, client, job_id, bearer={"Authorization": f"Bearer {token}"})
    findings: list[str] = []
    for (_method, path), recipe in RECIPES.items():
        if path.startswith("/api/"):
            for m, url, kwargs in recipe(visit):
                response = client.request(m, url, **kwargs)
                assert response.status_code < 500, f"{m} {url}: {response.status_code}"
                sentences = _not_asked(visit.paid_sentences, kwargs)
                findings += [f"{m} {url}: {s}" for s in leaks(response.content, sentences)]
    assert not findings, "member-only text leaked:\n" + "\n".join(findings[:20])


def _download(client: TestClient, url: str, **data: Any) -> bytes:
    """A download as the pages ask for it: a POST with the session's CSRF token."""
    response = client.post(url, data={"csrf": csrf_of(client, "/login"), **data})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content


@pytest.mark.parametrize("who", ["member", "svip", "admin"])
def test_members_see_every_member_only_sentence(lib: Library, who: str) -> None:
    client = signed_client(lib, who)
    sentences = paid_sentences(lib)
    pages = b"".join(client.get(f"/d/{i}").content for i in doc_ids(lib))
    api = b"".join(client.get(f"/api/documents/{i}").content for i in doc_ids(lib))
    exports = [_download(client, f"/d/{i}/download", format="txt") for i in doc_ids(lib)]
    assert set(leaks(pages, sentences)) == set(sentences)
    assert set(leaks(api, sentences)) == set(sentences)
    assert set(leaks(b"\n".join(exports), sentences)) == set(sentences)
    hits = client.get("/api/search", params={"q": paid_only_word(lib)}).json()["hits"]
    assert hits and all(not h["locked"] and h["snippets"] for h in hits)


def test_a_guest_search_for_member_only_words_finds_nothing(lib: Library) -> None:
    client = make_client(lib)
    word = paid_only_word(lib)
    page = client.get("/search", params={"q": word})
    assert page.status_code == 200
    assert "没有找到" in page.text and 'class="hit' not in page.text
    api = client.get("/api/search", params={"q": word}).json()
    assert (api["total"], api["hits"]) == (0, [])


def test_the_scanner_finds_text_in_every_form(lib: Library, tmp_path: Path) -> None:
    """The scan itself must work, or the leak tests prove nothing."""
    sentence = paid_sentences(lib)[0]
    member = signed_client(lib, "member")
    doc = next(i for i in doc_ids(lib) if sentence in "".join(b.text for b in lib.document(i).blocks))
    for fmt in (f for f in FORMATS if f != "pptx"):  # slides hold headings, not sentences: below
        data = _download(member, f"/d/{doc}/download", format=fmt)
        assert leaks(data, [sentence]) == [sentence], fmt
    with_heading = next(lib.document(i) for i in doc_ids(lib)
                        if any(b.paid and b.kind == "heading" for b in lib.document(i).blocks))
    heading = lead_phrase(next(b.text for b in with_heading.blocks if b.paid and b.kind == "heading"))
    deck = _download(member, f"/d/{with_heading.id}/download", format="pptx")
    assert leaks(deck, [heading]) == [heading], "pptx"
    bundle = _download(member, "/download.zip", ids=[str(i) for i in doc_ids(lib)])
    assert leaks(bundle, [sentence]) == [sentence]
    assert leaks(f"<p>{sentence[:5]}<mark>{sentence[5:9]}</mark>{sentence[9:]}</p>".encode(), [sentence])
    escaped = sentence.encode("unicode_escape").decode("ascii")
    assert leaks(f'{{"text": "{escaped}"}}'.encode(), [sentence])
