"""The JSON API: the CLI's --json objects under /api, Bearer tokens, statuses, the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sucai import access
from sucai.library import Library
from sucai.views import document_json
from web_helpers import build_library, doc_ids, docx_paragraphs, make_client, paid_only_word

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("api"))
    yield library
    library.close()


def bearer(lib: Library, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {lib.new_token(name)}"}


def test_search_is_the_cli_object(lib: Library) -> None:
    result = make_client(lib).get("/api/search", params={"q": "主题教育", "limit": 20}).json()
    assert {"query", "total", "hits"} <= set(result)
    assert result["query"] == "主题教育" and result["total"] == len(result["hits"]) >= 1
    assert len(make_client(lib).get("/api/search", params={"q": "主题教育", "limit": 1}).json()["hits"]) == 1
    for hit in result["hits"]:
        assert {"id", "title", "score", "snippets", "locked"} <= set(hit)
    visible = [h for h in result["hits"] if not h["locked"]]
    assert any("<mark>" in s for h in visible for s in h["snippets"])


def test_search_pages_with_offset(lib: Library) -> None:
    client = make_client(lib)
    everything = client.get("/api/search", params={"q": "同志们", "limit": 100}).json()
    second = client.get("/api/search", params={"q": "同志们", "limit": 1, "offset": 1}).json()
    assert everything["total"] >= 2
    assert second["hits"][0]["id"] == everything["hits"][1]["id"]


def test_member_only_words_find_nothing_for_a_guest(lib: Library) -> None:
    word = paid_only_word(lib)
    guest = make_client(lib).get("/api/search", params={"q": word}).json()
    member = make_client(lib).get("/api/search", params={"q": word}, headers=bearer(lib, "member")).json()
    assert (guest["total"], guest["hits"]) == (0, []) and member["total"] >= 1
    assert all(not h["locked"] and h["snippets"] for h in member["hits"])


@pytest.mark.parametrize("who", [None, "free", "member"])
def test_a_document_is_the_show_object_as_the_caller_may_see_it(lib: Library, who: str | None) -> None:
    doc_id = doc_ids(lib)[0]
    headers = bearer(lib, who) if who else {}
    body = make_client(lib).get(f"/api/documents/{doc_id}", headers=headers).json()
    viewer = lib.user(who) if who else access.GUEST
    assert body == document_json(lib.document(doc_id, viewer))
    assert {"id", "title", "year", "genre", "tags", "blocks", "outline", "placeholders", "locked"} <= set(body)
    assert (body["locked"] > 0) == (who != "member")
    assert all(not b["paid"] for b in body["blocks"]) or who == "member"


def test_list_is_the_cli_object(lib: Library) -> None:
    listing = make_client(lib).get("/api/documents").json()
    assert listing["total"] == len(doc_ids(lib))
    assert set(listing["documents"][0]) == {"id", "title", "source", "year", "genre", "chars"}


def test_export_with_a_token_is_a_traced_docx(lib: Library) -> None:
    doc_id = doc_ids(lib)[0]
    response = make_client(lib).get(
        f"/api/documents/{doc_id}/export", params={"format": "docx"}, headers=bearer(lib, "svip")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert docx_paragraphs(response.content)
    trace = lib.trace(response.content)
    assert trace.user == "svip" and trace.document in (doc_id, [doc_id])


def test_export_without_an_account_is_403_json(lib: Library) -> None:
    response = make_client(lib).get(f"/api/documents/{doc_ids(lib)[0]}/export", params={"format": "txt"})
    assert response.status_code == 403
    assert "下载需要登录" in response.json()["error"]


def test_export_over_the_quota_is_429_json(tmp_path: Path) -> None:
    lib = build_library(tmp_path, quotas={"guest": 0, "free": 1, "member": 30, "svip": 200, "admin": None})
    try:
        client, headers = make_client(lib), bearer(lib, "free")
        url = f"/api/documents/{doc_ids(lib)[0]}/export"
        assert client.get(url, params={"format": "md"}, headers=headers).status_code == 200
        response = client.get(url, params={"format": "md"}, headers=headers)
        assert response.status_code == 429
        assert "今日下载次数已用完" in response.json()["error"]
        assert client.get("/api/me", headers=headers).json()["downloads_today"] == 1
    finally:
        lib.close()


def test_suggest_finds_titles_and_pinyin_initials(lib: Library) -> None:
    client = make_client(lib)
    title = lib.document(doc_ids(lib)[0]).title
    by_prefix = client.get("/api/suggest", params={"q": title[:4]}).json()
    assert by_prefix["query"] == title[:4]
    assert any(s["text"] == title and s["kind"] == "title" for s in by_prefix["suggestions"])
    by_initials = client.get("/api/suggest", params={"q": "ztjy"}).json()["suggestions"]
    assert any("主题教育" in s["text"] for s in by_initials)
    assert client.get("/api/suggest", params={"q": ""}).json()["suggestions"] == []


def test_check_reports_copied_spans_with_their_source(lib: Library) -> None:
    doc = lib.document(doc_ids(lib)[0], access.GUEST)
    copied = next(b.text for b in doc.blocks if b.kind == "paragraph" and len(b.text) > 40)[:40]
    text = "这是一段全新写成的开头，与库里的材料都不相同。" + copied
    report = make_client(lib).post("/api/check", json={"text": text}, headers=bearer(lib, "free")).json()
    assert {"chars", "copied_chars", "copy_ratio", "sources", "spans"} <= set(report)
    assert 0 < report["chars"] <= len(text) and report["copied_chars"] >= 13  # content characters only
    assert doc.id in {s["id"] for s in report["sources"]}
    span = next(s for s in report["spans"] if s["source_id"] == doc.id)
    assert text[span["start"] : span["end"]] in copied


def test_check_needs_an_account(lib: Library) -> None:
    response = make_client(lib).post("/api/check", json={"text": "一段草稿"})
    assert response.status_code == 401
    assert "error" in response.json()


def test_lint_reports_problems_with_positions(lib: Library) -> None:
    text = "今年X月X日，xx县召开了会议。"
    problems = make_client(lib).post("/api/lint", json={"text": text}).json()["problems"]
    assert problems
    for p in problems:
        assert {"rule", "start", "end", "message", "suggestion"} <= set(p)
        assert 0 <= p["start"] < p["end"] <= len(text)
    assert any(text[p["start"] : p["end"]] in {"xx", "X月X日"} for p in problems)


def test_me_describes_the_caller(lib: Library) -> None:
    client = make_client(lib)
    guest = client.get("/api/me").json()
    assert guest["tier"] == "guest" and guest["quota"] == 0 and guest["can_read_paid"] is False
    admin = client.get("/api/me", headers=bearer(lib, "admin")).json()
    assert admin["name"] == "admin" and admin["quota"] is None


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/search", 400),
        ("/api/search?q=x&limit=0", 400),
        ("/api/search?q=x&limit=1000", 400),
        ("/api/documents/abc", 400),
        ("/api/documents/999999", 404),
        ("/api/documents/1/export?format=rtf", 400),
        ("/api/nowhere", 404),
    ],
)
def test_errors_are_json_with_the_right_status(lib: Library, url: str, status: int) -> None:
    response = make_client(lib).get(url)
    assert response.status_code == status
    assert isinstance(response.json()["error"], str) and response.json()["error"]


def test_a_body_over_the_limit_is_413(lib: Library) -> None:
    client = make_client(lib, max_file_bytes=1000)
    response = client.post("/api/lint", json={"text": "长" * 100_000})
    assert response.status_code == 413
    assert "error" in response.json()


def test_a_malformed_body_is_400(lib: Library) -> None:
    response = make_client(lib).post("/api/lint", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_openapi_describes_every_api_route_and_the_bearer_scheme(lib: Library) -> None:
    spec = make_client(lib).get("/openapi.json").json()
    for path in (
        "/api/search",
        "/api/documents/{doc_id}",
        "/api/documents/{doc_id}/export",
        "/api/suggest",
        "/api/check",
        "/api/lint",
        "/api/me",
    ):
        assert path in spec["paths"], path
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert not any(p.startswith("/admin") or p.startswith("/desk") for p in spec["paths"])


def test_a_chunked_body_over_the_limit_is_413_too(lib: Library) -> None:
    """No Content-Length to check up front: the limit is counted as the body streams in."""
    client = make_client(lib, max_file_bytes=1000)

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(200):
            yield "长".encode() * 500
        yield b'"}'

    response = client.post("/api/lint", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "error" in response.json()
