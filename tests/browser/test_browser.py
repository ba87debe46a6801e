"""The web library in a real Chromium (Debian's /usr/bin/chromium driven by Playwright), served by uvicorn.

Screenshots of the home, results and document pages go to $SUCAI_TEST_ARTIFACTS (default test-artifacts/).
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ALL_PAID
from sucai.library import Library
from sucai.web.app import create_app
from web_helpers import PASSWORD, build_library, doc_ids, docx_paragraphs, paid_sentences

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUOTAS: dict[str, int | None] = {"guest": 0, "free": 1, "member": 30, "svip": 200, "admin": None}


def artifacts() -> Path:
    directory = Path(os.environ.get("SUCAI_TEST_ARTIFACTS", "test-artifacts"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Library]]:
    """The app over a library built from the project's documents, served by uvicorn in a background thread."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    import uvicorn

    lib = build_library(tmp_path_factory.mktemp("browser"), quotas=dict(QUOTAS))
    port = free_port()
    config = uvicorn.Config(create_app(lib.settings, lib), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", ws="none", http="h11")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", lib
    server.should_exit = True
    thread.join(timeout=10)
    lib.close()


@pytest.fixture(scope="module")
def browser(served: tuple[str, Library]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, served: tuple[str, Library]) -> Iterator[Any]:
    context = browser.new_context(base_url=served[0], accept_downloads=True, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served[0])
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def sign_in(page: Any, name: str) -> None:
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/")


def first_with_paid(lib: Library) -> int:
    for i in doc_ids(lib):
        doc = lib.document(i)
        if doc.has_paid and not all(b.paid for b in doc.blocks):
            return i
    raise AssertionError("no document with a free and a member-only part")


def test_a_guest_searches_opens_a_document_and_sees_the_lock_notice(page: Any, served: tuple[str, Library]) -> None:
    _, lib = served
    doc = lib.document(first_with_paid(lib))
    free = next(b.text for b in doc.blocks if b.kind == "paragraph" and not b.paid)
    phrase = free[6:12]
    page.goto("/")
    page.wait_for_selector("input[data-suggest]")
    page.screenshot(path=str(artifacts() / "home.png"), full_page=True)
    box = page.locator(".search-big input[name=q]")
    box.fill("ztjy")
    page.wait_for_selector(".suggestions li")
    assert "主题教育" in page.locator(".suggestions").inner_text()
    box.fill(phrase)
    box.press("Enter")  # no suggestion chosen: the form is submitted
    page.wait_for_url("**/search?q=*")
    assert page.locator("mark").first.inner_text() in phrase
    page.screenshot(path=str(artifacts() / "results.png"), full_page=True)
    page.click(f".hit a[href='/d/{doc.id}']")
    page.wait_for_url(f"**/d/{doc.id}")
    assert free in page.locator("article.doc").inner_text()
    notice = page.locator(".lock-notice").first
    assert notice.is_visible()
    assert "为会员内容" in notice.inner_text() and "登录" in notice.inner_text()
    article = page.locator("article.doc").inner_text()
    assert not any(s in article for s in paid_sentences(lib))
    page.screenshot(path=str(artifacts() / "document.png"), full_page=True)


def test_a_member_signs_in_and_reads_the_whole_text(page: Any, served: tuple[str, Library]) -> None:
    _, lib = served
    doc_id = first_with_paid(lib)
    sign_in(page, "member")
    page.goto(f"/d/{doc_id}")
    article = page.locator("article.doc").inner_text()
    sentences = [s for s in paid_sentences(lib) if s in lib.document(doc_id).text]
    assert sentences and all(s in article for s in sentences)
    assert page.locator(".lock-notice").count() == 0
    page.screenshot(path=str(artifacts() / "document-member.png"), full_page=True)


def test_a_member_downloads_a_word_file(page: Any, served: tuple[str, Library], tmp_path: Path) -> None:
    _, lib = served
    doc = lib.document(first_with_paid(lib))
    sign_in(page, "member")
    page.goto(f"/d/{doc.id}")
    with page.expect_download() as download_info:
        page.click("form.downloads button:has-text('下载 Word')")
    download = download_info.value
    assert download.suggested_filename == f"{doc.title}.docx"
    target = tmp_path / "downloaded.docx"
    download.save_as(str(target))
    paragraphs = docx_paragraphs(target.read_bytes())
    assert any(doc.title in p for p in paragraphs)
    assert lib.trace(target.read_bytes()).user == "member"


def test_a_member_ticks_two_hits_and_downloads_them_as_one_zip(
    page: Any, served: tuple[str, Library], tmp_path: Path
) -> None:
    """The checkboxes sit in the results list and name the form that carries the session's token (form=)."""
    _, lib = served
    sign_in(page, "member")
    page.goto("/search?q=" + "主题教育")
    boxes = page.locator(".hit input[name=ids]")
    assert boxes.count() >= 2
    picked = [boxes.nth(i).get_attribute("value") for i in (0, 1)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option(".bundle-bar select[name=format]", "txt")
    with page.expect_download() as download_info:
        page.click(".bundle-bar button[type=submit]")
    target = tmp_path / "bundle.zip"
    download_info.value.save_as(str(target))
    data = target.read_bytes()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    titles = [lib.document(int(i)).title for i in picked if i]
    assert len(names) == 2 and all(n.endswith(".txt") for n in names)
    assert all(any(t in n for n in names) for t in titles)
    assert lib.trace(data).user == "member"


def test_a_free_user_hits_the_quota_and_is_told_clearly(page: Any, served: tuple[str, Library]) -> None:
    _, lib = served
    doc_id = doc_ids(lib)[0]
    sign_in(page, "free")
    page.goto(f"/d/{doc_id}")
    with page.expect_download():
        page.click("form.downloads button:has-text('txt')")  # a POST form with the CSRF token
    page.click("form.downloads button:has-text('下载 Word')")
    page.wait_for_selector("h1:has-text('今日下载次数已用完')")
    assert "每日可下载" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts() / "quota.png"), full_page=True)


def test_outline_jumps_copy_and_add_to_draft(page: Any, served: tuple[str, Library]) -> None:
    _, lib = served
    doc = lib.document(first_with_paid(lib))
    sign_in(page, "svip")
    page.goto(f"/d/{doc.id}")
    link = page.locator("a[data-jump]").last
    target = link.get_attribute("href")
    link.click()
    page.wait_for_function(f"location.hash === '{target}'")
    first = page.locator(".blk.paragraph").first
    first.hover()
    first.locator("button.copy").click()
    page.wait_for_selector(".toast:has-text('已复制')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == first.locator("p").inner_text()
    first.locator("button:has-text('加入草稿')").click()
    page.wait_for_selector(".toast:has-text('加入草稿')")
    page.goto("/desk")
    page.locator(".doc-list a").first.click()
    assert copied in page.locator("textarea[name=body]").input_value()


def test_pages_fit_a_phone_screen(browser: Any, served: tuple[str, Library]) -> None:
    base, lib = served
    context = browser.new_context(base_url=base, viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    try:
        paths = [("home", "/"), ("results", "/search?q=主题教育"), ("document", f"/d/{first_with_paid(lib)}")]
        for name, path in paths:
            phone.goto(path)
            assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
            phone.screenshot(path=str(artifacts() / f"{name}-phone.png"), full_page=True)
    finally:
        context.close()


def test_a_guest_sees_only_the_title_of_a_document_member_only_all_through(
    page: Any, served: tuple[str, Library]
) -> None:
    _, lib = served
    (doc_id,) = [d.id for d in lib.list_documents(limit=1000)[1] if d.source.endswith(ALL_PAID.name)]
    doc = lib.document(doc_id)
    page.goto(f"/d/{doc_id}")
    assert page.locator("article.doc h1").inner_text() == doc.title
    assert page.locator(".lock-notice").first.is_visible()
    article = page.locator("article.doc").inner_text()
    body = [b.text for b in doc.blocks if b.kind != "title"]
    assert body and not [t for t in body if t in article]
    page.screenshot(path=str(artifacts() / "document-all-paid.png"), full_page=True)


def test_outline_first_to_draft_to_slides(page: Any, served: tuple[str, Library], tmp_path: Path) -> None:
    import pptx

    _, lib = served
    sign_in(page, "member")
    page.goto("/desk")
    page.fill("#outline-first input[name=topic]", "主题教育 研讨发言")
    page.click("#outline-first button[type=submit]")
    page.wait_for_selector("#outline h2:has-text('提纲来源')")
    body = page.locator("textarea[name=body]").input_value()
    assert body.startswith("一、") and "（一）" in body
    page.screenshot(path=str(artifacts() / "desk-outline.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("button[value=pptx]")
    target = tmp_path / "slides.pptx"
    download_info.value.save_as(str(target))
    slides = pptx.Presentation(str(target)).slides
    level1 = [line for line in body.splitlines() if line[:1] in "一二三四五六七八九十" and "、" in line[:3]]
    assert len(slides) >= 1 + len(level1) + 1
    assert lib.trace(target.read_bytes()).user == "member"


def test_admin_charts_render(page: Any, served: tuple[str, Library]) -> None:
    sign_in(page, "admin")
    page.goto("/search?q=" + "无此内容甲乙丙")
    page.goto("/admin/stats")
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.locator("svg.chart rect").count() >= 30  # a bar per day
    assert "无此内容甲乙丙" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts() / "admin-stats.png"), full_page=True)
