"""What a new user tripped on in the web library: pinyin submitted from the home page, a too-long query, each
snippet shown twice, snippets cut inside a date, English upload reasons, the English /docs page."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sucai.library import Library
from sucai.search.snippets import SNIPPET_CHARS, window
from sucai.web.pages import MAX_QUERY_CHARS
from sucai.web.reasons import chinese_reason
from web_helpers import build_library, csrf_of, make_client, signed_client


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("trips"))
    yield library
    library.close()


def _visible(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip("… \n")


# -- pinyin from the home page's box ------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["ztjy", "zhuti jiaoyu"])
def test_submitting_pinyin_lists_matching_titles_and_outline_points(lib: Library, typed: str) -> None:
    page = make_client(lib).get("/search", params={"q": typed})
    assert page.status_code == 200
    assert "拼音匹配的标题和提纲" in page.text
    section = page.text.split("pinyin-matches", 1)[1].split("</section>", 1)[0]
    titles = [_visible(t) for t in re.findall(r'<a href="/d/\d+">(.*?)</a>', section)]
    assert titles and all("主题教育" in t for t in titles[:3])


def test_chinese_queries_get_no_pinyin_section(lib: Library) -> None:
    page = make_client(lib).get("/search", params={"q": "主题教育"})
    assert page.status_code == 200 and "拼音匹配" not in page.text


# -- a too-long query ---------------------------------------------------------------------------------
def test_a_too_long_query_says_what_is_wrong(lib: Library) -> None:
    page = make_client(lib).get("/search", params={"q": "学" * (MAX_QUERY_CHARS + 1)})
    assert page.status_code == 400
    assert "查询过长" in page.text and f"最多 {MAX_QUERY_CHARS} 字" in page.text
    assert "参数有误" not in page.text


# -- each snippet once, never cut inside a number -------------------------------------------------------
def test_each_matching_paragraph_is_shown_once(lib: Library) -> None:
    page = make_client(lib).get("/search", params={"q": "安全生产"}).text
    hits = re.findall(r'<li class="hit[^"]*">(.*?)</li>\s*(?=<li class="hit|</ol>)', page, re.S)
    assert hits
    for hit in hits:
        shown = [_visible(s) for s in re.findall(r'<p class="snippet">(.*?)</p>', hit, re.S)]
        shown += [_visible(s) for s in re.findall(r'<li><a href="/d/\d+#b\d+">(.*?)</a></li>', hit, re.S)]
        assert shown
        for i, a in enumerate(shown):
            assert not any(i != j and a in b for j, b in enumerate(shown)), a


DATED = "会议回顾了过去一年的工作，" * 3 + "2023年5月12日召开了全县安全生产工作会议，会议要求认真落实。" + "此后" * 30


@pytest.mark.parametrize("size", [20, 30, SNIPPET_CHARS])
def test_snippet_windows_never_start_or_end_inside_a_date(size: int) -> None:
    date = "2023年5月12日"
    at = DATED.index(date)
    for first in range(at, at + len(date) + size):
        spans = [(first, first + 2)]
        start, end = window(DATED, spans, size)
        assert not at < start < at + len(date), (first, DATED[start:end])
        assert not at < end < at + len(date), (first, DATED[start:end])
        assert start <= first and end >= first + 2


# -- the admin's upload report in Chinese ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("reason", "chinese"),
    [("empty file", "空文件"), ("binary data, not text", "二进制数据，不是文本"),
     ("already ingested (same bytes)", "已经入库（内容完全相同）"),
     ("unsupported file type .pdf: PDF is not read; export it to .docx or .txt", "不支持的文件类型 .pdf"),
     ("60 MB, exceeds the 50 MB limit", "60 MB，超过上限 50 MB")],
)
def test_reasons_read_in_chinese(reason: str, chinese: str) -> None:
    assert chinese_reason(reason).startswith(chinese)


def _wait(client: Any, url: str) -> None:
    for _ in range(200):
        if client.get(url + "/progress").json()["finished"]:
            return
        time.sleep(0.05)
    raise AssertionError("the ingest job did not finish")


def test_the_upload_report_gives_chinese_reasons(lib: Library) -> None:
    client = signed_client(lib, "admin")
    response = client.post(
        "/admin/upload", data={"csrf": csrf_of(client, "/admin")},
        files=[("files", ("空的.txt", b"", "text/plain")), ("files", ("图.txt", bytes(range(256)) * 4, "text/plain")),
               ("files", ("程序.exe", b"MZ\x90\x00", "application/octet-stream"))],
    )
    assert response.status_code == 303
    _wait(client, response.headers["location"])
    report = client.get(response.headers["location"]).text
    assert "空文件" in report and "二进制数据，不是文本" in report and "Windows 程序，不是素材库能读取的文档" in report
    assert "empty file" not in report and "binary data" not in report


# -- /docs ---------------------------------------------------------------------------------------------
def test_the_api_page_speaks_chinese_and_shows_code_as_code(lib: Library) -> None:
    page = make_client(lib).get("/docs")
    assert page.status_code == 200
    main = page.text.split("<main", 1)[-1]
    assert "精准搜索" in main and "查重" in main and "<code>list</code>" in main
    assert "`" not in _visible(main)
    for english in ("Exact-substring search", "Authenticate with", "newest first"):
        assert english not in main


def test_pinyin_matches_never_show_a_guest_a_member_only_heading(lib: Library) -> None:
    from pypinyin import Style, lazy_pinyin

    from sucai import access

    _total, docs = lib.list_documents(limit=1000)
    headings = [b.text for d in docs for b in lib.document(d.id).blocks if b.paid and b.kind == "heading"]
    free = {b.text for d in docs for b in lib.document(d.id).blocks if not b.paid}
    secret = next(h for h in headings if h not in free and sum("\u4e00" <= c <= "\u9fff" for c in h) >= 4)
    initials = "".join(lazy_pinyin([c for c in secret if "\u4e00" <= c <= "\u9fff"][:6], style=Style.FIRST_LETTER))
    assert secret in [s.text for s in lib.suggest(initials, limit=10, viewer=access.OPERATOR)]
    member = signed_client(lib, "member").get("/search", params={"q": initials}).text
    assert html.escape(secret) in member.split("pinyin-matches", 1)[1]  # members are shown it
    page = make_client(lib).get("/search", params={"q": initials}).text
    assert html.escape(secret) not in page and secret not in page
