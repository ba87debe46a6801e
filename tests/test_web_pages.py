"""The pages a reader, a writer and an admin use, in-process against a real library built from the project's
own documents (the demo set and tests/fixtures/)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

import httpx
import pytest

from conftest import ALL_PAID, COMPILATION
from sucai.library import Library
from sucai.model import Document
from sucai.web.pages import page_numbers
from web_helpers import (
    ZERO_WIDTH,
    TestClient,
    build_library,
    csrf_of,
    doc_ids,
    docx_paragraphs,
    make_client,
    signed_client,
)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("pages"))
    yield library
    library.close()


def first_with_paid(lib: Library) -> Document:
    """The first document with both a free and a member-only part (the demo compilation's first speech)."""
    for i in doc_ids(lib):
        doc = lib.document(i)
        if doc.has_paid and not all(b.paid for b in doc.blocks):
            return doc
    raise AssertionError("no document with a free and a member-only part")


def free_phrase(doc: Document) -> str:
    paragraph = next(b.text for b in doc.blocks if b.kind == "paragraph" and not b.paid and len(b.text) > 30)
    return paragraph[8:16]


# -- home, search ------------------------------------------------------------------------------------
def test_home_shows_totals_todays_documents_and_a_suggesting_search_box(lib: Library) -> None:
    page = make_client(lib).get("/")
    assert page.status_code == 200
    count = len(doc_ids(lib))
    assert f"共 <strong>{count}</strong> 篇材料" in page.text
    assert "data-suggest" in page.text and 'action="/search"' in page.text
    for i in doc_ids(lib):
        assert f'href="/d/{i}"' in page.text  # ingested today: all in "今日新增"


def test_search_highlights_the_phrase_and_links_paragraphs(lib: Library) -> None:
    doc = first_with_paid(lib)
    phrase = free_phrase(doc)
    client = make_client(lib)
    page = client.get("/search", params={"q": phrase})
    assert page.status_code == 200
    assert f"<mark>{phrase}</mark>" in page.text.replace("</mark><mark>", "")
    assert f'href="/d/{doc.id}"' in page.text
    assert re.search(r"共找到 <strong>\d+</strong> 篇", page.text)
    document = client.get(f"/d/{doc.id}").text
    for anchor in re.findall(rf'href="/d/{doc.id}#b(\d+)"', page.text):
        assert f'id="b{anchor}"' in document


def test_search_facets_are_links_that_narrow_the_query(lib: Library) -> None:
    client = make_client(lib)
    page = client.get("/search", params={"q": "主题教育"})
    links = re.findall(r'href="(/search\?q=[^"]+)"', page.text)
    facet_links = [link for link in links if "%3A" in link]
    for link in facet_links[:5]:
        assert client.get(link.replace("&amp;", "&")).status_code == 200


def test_pagination_numbers() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(6, 20) == [1, 0, 4, 5, 6, 7, 8, 0, 20]
    assert page_numbers(2, 3) == [1, 2, 3]


def test_a_page_past_the_end_and_an_empty_query(lib: Library) -> None:
    client = make_client(lib)
    assert client.get("/search", params={"q": "主题教育", "page": 9}).status_code == 200
    assert "请输入要搜索的词句" in client.get("/search", params={"q": " "}).text
    assert client.get("/search", params={"q": "x", "page": 0}).status_code == 400
    bad = client.get("/search", params={"q": '"主题'})
    assert bad.status_code == 400 and 'class="error"' in bad.text and 'value="&#34;主题"' in bad.text


# -- the document page ------------------------------------------------------------------------------
def test_a_guest_reads_the_free_part_and_a_notice_of_what_is_locked(lib: Library) -> None:
    doc = first_with_paid(lib)
    paid = [b for b in doc.blocks if b.paid]
    page = make_client(lib).get(f"/d/{doc.id}")
    assert page.status_code == 200
    assert f"<h1>{doc.title}</h1>" in page.text
    free = next(b.text for b in doc.blocks if b.kind == "paragraph" and not b.paid)
    assert free in page.text
    blocks = sum(int(n) for n in re.findall(r"以下 (\d+) 段为会员内容", page.text))
    assert blocks == len(paid)
    # the size of the member-only text is a fact about it: neither it nor the whole length is shown
    assert "字为会员内容" not in page.text and "（可读部分）" in page.text
    assert "登录" in page.text and "登录后下载" in page.text


def test_outline_links_jump_to_headings_and_paragraphs_have_copy_buttons(lib: Library) -> None:
    doc = first_with_paid(lib)
    page = signed_client(lib, "member").get(f"/d/{doc.id}").text
    anchors = re.findall(r'href="#b(\d+)" data-jump', page)
    assert len(anchors) == len(doc.outline) > 0
    for anchor, item in zip(anchors, doc.outline, strict=True):
        assert int(anchor) == item.block
        assert re.search(rf'id="b{anchor}">\s*<h\d>{re.escape(item.text)}</h\d>', page)
    paragraphs = sum(1 for b in doc.blocks if b.kind in {"paragraph", "heading"})
    assert page.count("data-copy=") == paragraphs
    assert "为会员内容" not in page
    form = re.search(rf'<form class="downloads" action="/d/{doc.id}/download" method="post">(.*?)</form>', page, re.S)
    assert form and 'name="csrf"' in form.group(1)
    for fmt in ("docx", "txt", "md"):
        assert f'name="format" value="{fmt}"' in form.group(1)


def test_an_expired_member_is_told_the_membership_ended(lib: Library) -> None:
    page = signed_client(lib, "expired").get(f"/d/{first_with_paid(lib).id}").text
    assert "为会员内容" in page and "到期" in page and "2000-01-01" in page


def all_paid(lib: Library) -> Document:
    """The fixture report that is member-only all through but for its title."""
    (doc,) = [lib.document(d.id) for d in lib.list_documents(limit=1000)[1] if d.source.endswith(ALL_PAID.name)]
    return doc


@pytest.mark.parametrize("who", [None, "free", "expired"])
def test_a_document_member_only_but_for_its_title_shows_only_the_title(lib: Library, who: str | None) -> None:
    doc = all_paid(lib)
    body = [b for b in doc.blocks if b.kind != "title"]
    assert body and all(b.paid for b in body) and not any(b.paid for b in doc.blocks if b.kind == "title")
    client = signed_client(lib, who)
    page = client.get(f"/d/{doc.id}")
    assert page.status_code == 200 and f"<h1>{doc.title}</h1>" in page.text
    assert 'class="lock-notice"' in page.text
    blocks = sum(int(n) for n in re.findall(r"以下 (\d+) 段为会员内容", page.text))
    assert blocks == len(body) and "字为会员内容" not in page.text
    assert not [b.text for b in body if b.text in page.text]
    api = client.get(f"/api/documents/{doc.id}").json()
    assert api["title"] == doc.title and not [b for b in api["blocks"] if b["kind"] != "title"]
    assert api["locked"] == len(body)


def test_a_member_reads_and_downloads_a_document_member_only_but_for_its_title(lib: Library) -> None:
    doc = all_paid(lib)
    client = signed_client(lib, "member")
    page = client.get(f"/d/{doc.id}").text
    assert 'class="lock-notice"' not in page
    assert all(b.text in page for b in doc.blocks if b.kind != "title")
    text = ZERO_WIDTH.sub("", download(client, doc.id, "txt").content.decode("utf-8"))
    assert all(b.text in text for b in doc.blocks)


def test_an_unknown_document_is_a_friendly_404(lib: Library) -> None:
    page = make_client(lib).get("/d/999999")
    assert page.status_code == 404
    assert "没有找到" in page.text and "返回首页" in page.text


def test_a_page_id_that_is_no_number_is_a_friendly_404_too(lib: Library) -> None:
    """/d/abc names no page, like /d/999999 (it was a 400; a number past 64 bits was a 500)."""
    client = signed_client(lib, "member")
    token = csrf_of(client, "/desk")
    for bad in ("abc", "1.5", "99999999999999999999"):
        for method, url in [("GET", f"/d/{bad}"), ("GET", f"/d/{bad}/download"), ("GET", f"/desk/{bad}"),
                            ("POST", f"/d/{bad}/download"), ("POST", f"/desk/{bad}"), ("POST", f"/desk/{bad}/fill"),
                            ("POST", f"/desk/{bad}/delete")]:
            page = client.request(method, url, data={"csrf": token} if method == "POST" else None)
            assert page.status_code == 404, f"{method} {url}: {page.status_code}"
            assert "没有找到" in page.text and "返回首页" in page.text
        api = client.get(f"/api/documents/{bad}")  # the API keeps its contract: a bad parameter is a 400
        assert api.status_code == 400 and api.json()["error"]


# -- downloads ---------------------------------------------------------------------------------------------
def download(client: TestClient, doc_id: int, fmt: str) -> httpx.Response:
    """Press a download button of the document page: a POST with the page's CSRF token."""
    return client.post(f"/d/{doc_id}/download", data={"csrf": csrf_of(client, f"/d/{doc_id}"), "format": fmt})


def test_a_member_downloads_word_txt_and_md_named_in_utf8(lib: Library) -> None:
    doc = first_with_paid(lib)
    client = signed_client(lib, "member")
    response = download(client, doc.id, "docx")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote(f"{doc.title}.docx", safe="") in disposition
    assert any(doc.title in p for p in docx_paragraphs(response.content))
    assert lib.trace(response.content).user == "member"
    for fmt in ("txt", "md"):
        text = download(client, doc.id, fmt).content.decode("utf-8")
        assert doc.title in ZERO_WIDTH.sub("", text)


def test_several_documents_download_as_one_zip(lib: Library) -> None:
    ids = doc_ids(lib)[:2]
    client = signed_client(lib, "svip")
    results = client.get("/search", params={"q": "主题教育"}).text
    # The hits' checkboxes and the format and button name the form that carries the session's token.
    assert '<form id="bundle" action="/download.zip" method="post"><input type="hidden" name="csrf"' in results
    assert re.search(r'<input type="checkbox" name="ids" value="\d+" form="bundle">', results)
    assert '<button type="submit" form="bundle">' in results
    assert '<select name="format" aria-label="格式" form="bundle">' in results
    token = csrf_of(client, "/search?q=主题教育")
    response = client.post("/download.zip", data={"csrf": token, "ids": [str(ids[0]), str(ids[1])]})
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert len(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == 2
    for bad in ({"ids": "1,abc"}, {"ids": "1,²"}, {"ids": "99999999999999999999"}, {}):
        refused = client.post("/download.zip", data={"csrf": token, **bad})
        assert refused.status_code == 400, bad
    assert "请选择要下载的文档" in client.post("/download.zip", data={"csrf": token}).text


def test_a_download_link_from_another_site_spends_nothing(lib: Library) -> None:
    """A GET (a link or <img> on another site, sent with the session cookie) only shows the form to press."""
    member, ids = lib.user("member"), doc_ids(lib)[:2]
    client = signed_client(lib, "member")
    before = lib.downloads_today(member)
    for url, params in [(f"/d/{ids[0]}/download", {"format": "txt"}), ("/download.zip", {"ids": f"{ids[0]},{ids[1]}"})]:
        page = client.get(url, params=params)
        assert page.status_code == 200 and "content-disposition" not in page.headers
        assert page.headers["content-type"].startswith("text/html") and lib.document(ids[0]).title in page.text
        form = re.search(r'<form action="([^"]+)" method="post" class="stack">(.*?)</form>', page.text, re.S)
        assert form and form.group(1) == url
        fields = dict(re.findall(r'name="(csrf|format)" value="([^"]*)"', form.group(2)))
        assert fields["format"] == params.get("format", "docx") and fields["csrf"]
        assert client.post(url, data={"format": "txt", "ids": params.get("ids", "")}).status_code == 403  # no token
        assert client.post(url, data={**fields, "csrf": "forged"}).status_code == 403
        assert lib.downloads_today(member) == before
        hidden = re.findall(r'name="ids" value="(\d+)"', form.group(2))
        pressed = client.post(url, data={**fields, "ids": hidden})  # the page's own button
        assert pressed.status_code == 200 and pressed.headers["content-disposition"].startswith("attachment;")
        assert lib.trace(pressed.content).user == "member"
        before += max(1, len(hidden))  # a zip costs one download per document in it
        assert lib.downloads_today(member) == before


def test_a_bearer_token_still_downloads_with_a_get(lib: Library) -> None:
    """No browser adds an Authorization header by itself, so a token's GET is no cross-site request."""
    ids = doc_ids(lib)[:2]
    headers = {"Authorization": f"Bearer {lib.new_token('svip')}"}
    before = lib.downloads_today(lib.user("svip"))
    client = make_client(lib)
    single = client.get(f"/d/{ids[0]}/download", params={"format": "txt"}, headers=headers)
    bundle = client.get("/download.zip", params={"ids": f"{ids[0]},{ids[1]}"}, headers=headers)
    api = client.get(f"/api/documents/{ids[0]}/export", params={"format": "md"}, headers=headers)
    for response in (single, bundle, api):
        assert response.status_code == 200 and response.headers["content-disposition"].startswith("attachment;")
        assert lib.trace(response.content).user == "svip"
    assert lib.downloads_today(lib.user("svip")) == before + 4  # 1 + a zip of 2 + 1


def test_a_guest_is_asked_to_sign_in_to_download(lib: Library) -> None:
    client = make_client(lib)
    doc = doc_ids(lib)[0]
    page = client.get(f"/d/{doc}/download", params={"format": "docx"})
    assert page.status_code == 403
    assert "下载需要登录" in page.text and "/login" in page.text
    pressed = client.post(f"/d/{doc}/download", data={"csrf": csrf_of(client), "format": "docx"})
    assert pressed.status_code == 403 and "下载需要登录" in pressed.text


def test_the_daily_quota_ends_with_a_clear_message(tmp_path: Path) -> None:
    lib = build_library(tmp_path, quotas={"guest": 0, "free": 2, "member": 30, "svip": 200, "admin": None})
    try:
        client = signed_client(lib, "free")
        doc = doc_ids(lib)[0]
        for _ in range(2):
            assert download(client, doc, "txt").status_code == 200
        page = download(client, doc, "docx")
        assert page.status_code == 429
        assert "今日下载次数已用完" in page.text and "每日可下载 <strong>2</strong> 次" in page.text
        assert client.get(f"/d/{doc}/download").status_code == 429  # the GET page says so too, spending nothing
        assert '今日下载</dt><dd class="downloads-today">2 / 2 次' in client.get("/account").text
        assert "今日已下载 2 / 2 次" in client.get(f"/d/{doc}").text
    finally:
        lib.close()


# -- new, feed ---------------------------------------------------------------------------------------------
def test_new_lists_todays_documents_and_moves_by_day(lib: Library) -> None:
    client = make_client(lib)
    page = client.get("/new")
    assert all(f'href="/d/{i}"' in page.text for i in doc_ids(lib))
    yesterday = client.get("/new", params={"day": "2001-01-01"})
    assert "这一天没有新入库的材料" in yesterday.text and "最近入库" in yesterday.text
    assert client.get("/new", params={"day": "yesterday"}).status_code == 400


def test_the_atom_feed_lists_titles_with_free_excerpts(lib: Library) -> None:
    response = make_client(lib).get("/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    titles = {lib.document(i).title for i in doc_ids(lib)}
    assert {e.findtext(f"{ATOM}title") for e in entries} == titles
    for entry in entries:
        assert entry.findtext(f"{ATOM}summary")
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/d/")  # type: ignore[union-attr]


# -- admin -----------------------------------------------------------------------------------------------------
def _wait(client: object, job_url: str) -> dict:
    for _ in range(400):
        progress = client.get(job_url + "/progress").json()
        if progress["finished"]:
            return progress  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("the ingest job did not finish")


def test_admin_uploads_a_zip_sees_progress_and_the_per_file_report(lib: Library) -> None:
    client = signed_client(lib, "admin")
    text = COMPILATION.read_bytes()
    speeches = sum(1 for d in lib.list_documents(limit=1000)[1] if d.source.endswith(COMPILATION.name))
    assert speeches == 2  # the fixture compilation: two speeches, already in the library
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("合集/copy.txt", text + b"\n\n")  # the same speeches, other bytes: duplicates
        zf.writestr("合集/note.txt", "学习心得体会\n同志们：\n这是一篇新写的心得体会，内容完整而且全新。\n".encode())
    response = client.post(
        "/admin/upload",
        data={"csrf": csrf_of(client, "/admin")},
        files=[
            ("files", ("材料.zip", archive.getvalue(), "application/zip")),
            ("files", ("again.txt", text, "text/plain")),
        ],
    )
    assert response.status_code == 303
    job_url = response.headers["location"]
    progress = _wait(client, job_url)
    assert progress["error"] == "" and progress["documents"] == speeches + 1 and progress["skipped"] == 1
    report = client.get(job_url).text
    assert "导入完成" in report and f"新增 <strong>{speeches + 1}</strong> 篇" in report
    assert "已经入库（内容完全相同）" in report and "重复" in report  # reasons in Chinese
    admin = client.get("/admin").text
    duplicates = admin.split('id="duplicates"', 1)[1]
    assert len(re.findall(r'<td><a href="/d/\d+">#\d+</a></td>', duplicates)) == speeches
    # Sources are named as the uploader named them, not by the server's temporary folder.
    sources = {d.source for d in lib.list_documents(limit=100)[1]}
    assert "材料.zip!合集/note.txt" in sources
    assert not any("upload" in s for s in sources)


def test_the_upload_answers_json_to_the_progress_script(lib: Library) -> None:
    client = signed_client(lib, "admin")
    response = client.post(
        "/admin/upload",
        data={"csrf": csrf_of(client, "/admin")},
        headers={"Accept": "application/json"},
        files={"files": ("小文件.txt", "标题\n同志们：\n很短的一篇正文，用来测试进度。\n".encode())},
    )
    assert response.status_code == 202
    assert _wait(client, response.json()["url"])["finished"]


def test_an_upload_over_the_limit_is_413(lib: Library) -> None:
    client = signed_client(lib, "admin", max_file_bytes=1000)
    response = client.post(
        "/admin/upload", data={"csrf": csrf_of(client, "/admin")}, files={"files": ("big.txt", b"x" * 200_000)}
    )
    assert response.status_code == 413
    assert "上限" in response.text


# -- the writing desk -------------------------------------------------------------------------------------------
def _draft_id(client: object) -> int:
    page = client.get("/desk").text
    return int(re.findall(r'href="/desk/(\d+)"', page)[0])


def test_a_writer_adds_paragraphs_and_the_outline_to_a_draft(lib: Library) -> None:
    doc = first_with_paid(lib)
    client = signed_client(lib, "free")
    page = client.get(f"/d/{doc.id}").text
    visible = lib.document(doc.id, lib.user("free"))
    index = next(i for i, b in enumerate(visible.blocks) if b.kind == "paragraph")
    assert f'name="block" value="{index}"' in page
    token = csrf_of(client, f"/d/{doc.id}")
    added = client.post(
        "/desk/add", data={"csrf": token, "doc_id": doc.id, "block": index}, headers={"Accept": "application/json"}
    )
    assert added.status_code == 200 and "已将段落加入草稿" in added.json()["message"]
    back = client.post("/desk/add", data={"csrf": token, "doc_id": doc.id, "block": index, "anchor": 7})
    assert back.status_code == 303 and back.headers["location"] == f"/d/{doc.id}#b7"
    client.post("/desk/add", data={"csrf": token, "doc_id": doc.id})
    draft = client.get(f"/desk/{_draft_id(client)}").text
    assert visible.blocks[index].text in draft
    assert all(o.text in draft for o in visible.outline)
    missing = client.post("/desk/add", data={"csrf": token, "doc_id": doc.id, "block": 10_000})
    assert missing.status_code == 404


def test_the_desk_fills_placeholders_lints_checks_and_exports(lib: Library) -> None:
    doc = first_with_paid(lib)
    copied = next(b.text for b in doc.blocks if b.kind == "paragraph" and not b.paid and len(b.text) > 60)
    client = signed_client(lib, "member")
    token = csrf_of(client, "/desk")
    created = client.post("/desk/new", data={"csrf": token, "title": "在xx县座谈会上的发言"})
    url = created.headers["location"]
    body = f"同志们：\n今年X月X日，xx县召开会议，的的确确取得了成效。\n{copied}\n一、抓好落实\n二、强化保障\n"
    assert client.post(url, data={"csrf": token, "title": "在xx县座谈会上的发言", "body": body}).status_code == 303
    page = client.get(url).text
    assert 'name="ph" value="xx县"' in page and 'name="ph" value="X月X日"' in page
    lint = client.post(url, data={"csrf": token, "title": "发言", "body": body, "action": "lint"}).text
    assert "规范检查" in lint and 'class="lint"' in lint
    client.post(url + "/fill", data={"csrf": token, "ph": ["xx县", "X月X日"], "value": ["城关县", "5月20日"]})
    _, filled = lib.store.draft(lib.user("member").id, int(url.rsplit("/", 1)[-1]))
    assert "城关县召开会议" in filled and "5月20日" in filled and "xx" not in filled
    check = client.post(url, data={"csrf": token, "title": "发言", "body": filled, "action": "check"}).text
    assert "总文字复制比" in check and "去除引用文献复制比" in check and "单篇最大文字复制比" in check
    assert re.search(rf'class="copied src\d[^"]*" href="/d/{doc.id}"', check)
    export = client.post(url, data={"csrf": token, "title": "发言", "body": filled, "action": "export"})
    assert export.status_code == 200 and "filename*=UTF-8''" in export.headers["content-disposition"]
    paragraphs = docx_paragraphs(export.content)
    assert any("发言" in p for p in paragraphs) and any("城关县" in p for p in paragraphs)
    report = client.post(url, data={"csrf": token, "title": "发言", "body": filled, "action": "report"})
    assert report.status_code == 200 and "filename*=UTF-8''" in report.headers["content-disposition"]
    assert any("查重" in p for p in docx_paragraphs(report.content))


def test_drafts_belong_to_their_writer(lib: Library) -> None:
    owner = signed_client(lib, "svip")
    created = owner.post("/desk/new", data={"csrf": csrf_of(owner, "/desk"), "title": "私人草稿"})
    url = created.headers["location"]
    other = signed_client(lib, "free")
    assert other.get(url).status_code == 404
    assert other.post(url, data={"csrf": csrf_of(other, "/desk"), "body": "x"}).status_code == 404
    assert owner.get(url).status_code == 200


def test_api_docs_page_lists_the_api_without_third_party_scripts(lib: Library) -> None:
    page = make_client(lib).get("/docs").text
    for path in ("/api/search", "/api/documents/{doc_id}", "/api/check", "/api/lint", "/api/me"):
        assert path in page
    assert "cdn" not in page.lower() and 'src="http' not in page
