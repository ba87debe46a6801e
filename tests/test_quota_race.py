"""The daily download quota under racing requests from threads and processes (SQLite and PostgreSQL); a zip
costs one per document; a document whose text is all member-only offers no download and costs nothing;
add-to-draft under concurrency and stale saves; upload progress seen from another node."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backends import backend_url  # noqa: F401 - a fixture
from state_web import QUOTAS, build_library, client, csrf_of, doc_id_titled, login, reopen, settings_for
from sucai import access
from sucai.errors import AccessDenied, QuotaExceeded
from sucai.library import Library, open_library

QUOTA = 7
THREADS = 30
PROCESSES = 2
PER_PROCESS = 15

WORKER = textwrap.dedent(
    """
    import sys, threading, time
    from sucai.library import open_library
    from sucai.settings import Settings
    url, doc_id, threads, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    quotas = {"guest": 0, "free": int(sys.argv[5]), "member": 1000, "svip": 1000, "admin": None}
    libs = [open_library(settings=Settings(db=url, quotas=quotas, secret_key="test-secret"))
            for _ in range(max(1, threads // 3))]  # three threads a library (each thread its own connection)
    served = []
    def go(lib):
        while time.time() < start:
            time.sleep(0.001)
        try:
            lib.export(doc_id, "txt", lib.user("free"))
            served.append(1)
        except Exception as exc:
            assert type(exc).__name__ == "QuotaExceeded", exc
    ts = [threading.Thread(target=go, args=(libs[i % len(libs)],)) for i in range(threads)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print(len(served))
    """
)


@pytest.fixture
def racing_lib(backend_url: str, tmp_path: Path) -> Iterator[Library]:  # noqa: F811
    lib = build_library(tmp_path, url=backend_url, quotas={**QUOTAS, "free": QUOTA})
    yield lib
    lib.close()


def test_racing_downloads_from_threads_and_processes_never_pass_the_quota(racing_lib: Library) -> None:
    url = racing_lib.settings.db
    doc_id = doc_id_titled(racing_lib, "参加主题教育读书班心得体会")
    start = time.time() + 4.0  # room for the processes to start and connect
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, url, str(doc_id), str(PER_PROCESS), str(start), str(QUOTA)],
                         stdout=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    # Three threads a library: each thread still has a connection of its own, and 60 racers stay well under
    # the server's max_connections.
    libs = [open_library(settings=settings_for(url, quotas={**QUOTAS, "free": QUOTA})) for _ in range(THREADS // 3)]
    served: list[int] = []
    refused: list[str] = []

    def go(lib: Library) -> None:
        while time.time() < start:
            time.sleep(0.001)
        try:
            lib.export(doc_id, "txt", lib.user("free"))
            served.append(1)
        except QuotaExceeded as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=go, args=(libs[i % len(libs)],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for lib in libs:
        lib.close()
    total = len(served)
    for proc in procs:
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0
        total += int(out.strip())
    assert total == QUOTA  # 60 at once: exactly the quota served, every other one refused
    assert len(refused) == THREADS - len(served) and all("今日下载次数已用完" in r for r in refused)
    assert racing_lib.downloads_today(racing_lib.user("free")) == QUOTA


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("quota"), quotas={**QUOTAS, "free": 5})
    yield library
    library.close()


def _free_docs(lib: Library, n: int) -> list[int]:
    """Documents with text a free account may read."""
    _total, docs = lib.list_documents(limit=100)
    free = access.GUEST
    ids = [d.id for d in docs if access.has_visible_text(lib.document(d.id, free))]
    assert len(ids) >= n
    return ids[:n]


def test_a_zip_costs_one_download_per_document_all_or_nothing(lib: Library) -> None:
    lib.add_user("zipper", "free", "correct-horse-1")
    browser = client(lib)
    login(browser, "zipper")
    four = _free_docs(lib, 4)
    token = csrf_of(browser, f"/d/{four[0]}")
    response = browser.post("/download.zip", data={"ids": four[:3], "format": "txt", "csrf": token})
    assert response.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == 3
    assert browser.get("/api/me").json()["downloads_today"] == 3
    # two left: a zip of three is refused whole, and costs nothing
    refused = browser.post("/download.zip", data={"ids": four[1:], "format": "txt", "csrf": token})
    assert refused.status_code == 429 and "还剩 2 次" in refused.text
    assert browser.get("/api/me").json()["downloads_today"] == 3
    confirm = browser.get("/download.zip", params={"ids": ",".join(map(str, four[1:]))})
    assert confirm.status_code == 429  # the confirmation page answers as the download would
    pair = browser.post("/download.zip", data={"ids": four[:2], "format": "txt", "csrf": token})
    assert pair.status_code == 200 and browser.get("/api/me").json()["downloads_today"] == 5


def test_a_title_only_document_offers_no_download_and_costs_nothing(lib: Library) -> None:
    doc_id = doc_id_titled(lib, "关于全面加强机关作风建设的实施意见")
    lib.add_user("titler", "free", "correct-horse-1")
    browser = client(lib)
    login(browser, "titler")
    page = browser.get(f"/d/{doc_id}")
    assert "全文为会员内容" in page.text and f'action="/d/{doc_id}/download"' not in page.text
    token = lib.new_token("titler")
    api = client(lib).get(f"/api/documents/{doc_id}/export?format=docx", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403 and "全文为会员内容" in api.json()["error"]
    posted = browser.post(f"/d/{doc_id}/download", data={"format": "txt", "csrf": csrf_of(browser, f"/d/{doc_id}")})
    assert posted.status_code == 403 and "全文为会员内容" in posted.text
    with pytest.raises(AccessDenied, match="全文为会员内容"):
        lib.export([doc_id, *_free_docs(lib, 1)], "txt", lib.user("titler"))
    assert lib.downloads_today(lib.user("titler")) == 0
    # a member reads and downloads it whole
    member = client(lib)
    login(member, "member")
    assert f'action="/d/{doc_id}/download"' in member.get(f"/d/{doc_id}").text
    assert lib.export(doc_id, "txt", lib.user("member"))[0]


def test_ten_concurrent_additions_to_a_draft_keep_every_paragraph(lib: Library) -> None:
    browser = client(lib)
    login(browser, "member")
    draft_id = lib.store.save_draft(lib.user("member").id, None, "合稿", "")
    browser.get(f"/desk/{draft_id}")  # the session's current draft
    doc = lib.document(_free_docs(lib, 1)[0], lib.user("member"))
    blocks = [i for i, b in enumerate(doc.blocks) if b.kind == "paragraph"][:10]
    assert len(blocks) == 10
    token = csrf_of(browser, "/desk")

    def add(block: int) -> int:
        response = browser.post("/desk/add", data={"doc_id": doc.id, "block": block, "csrf": token},
                                headers={"Accept": "application/json"})
        return response.status_code

    with ThreadPoolExecutor(10) as pool:
        assert list(pool.map(add, blocks)) == [200] * 10
    body = lib.store.draft(lib.user("member").id, draft_id)[1]
    assert sorted(body.split("\n")) == sorted(doc.blocks[i].text for i in blocks)


def test_a_stale_full_save_is_refused_with_409(lib: Library) -> None:
    browser = client(lib)
    login(browser, "svip")
    user = lib.user("svip")
    draft_id = lib.store.save_draft(user.id, None, "讲话稿", "同志们：")
    page = browser.get(f"/desk/{draft_id}").text
    version = page.split('name="version" value="', 1)[1].split('"', 1)[0]
    token = csrf_of(browser, "/desk")
    lib.store.append_draft(user.id, draft_id, "另一个标签页加入的段落。")  # changed since the page loaded
    stale = browser.post(f"/desk/{draft_id}", data={"csrf": token, "title": "讲话稿", "body": "同志们：今天",
                                                     "version": version, "action": "save"})
    assert stale.status_code == 409 and "草稿已在别处修改" in stale.text and "同志们：今天" in stale.text
    assert lib.store.draft(user.id, draft_id)[1] == "同志们：\n另一个标签页加入的段落。"
    again = stale.text.split('name="version" value="', 1)[1].split('"', 1)[0]  # saved again on purpose
    saved = browser.post(f"/desk/{draft_id}", data={"csrf": token, "title": "讲话稿", "body": "同志们：今天",
                                                     "version": again, "action": "save"})
    assert saved.status_code == 303 and lib.store.draft(user.id, draft_id)[1] == "同志们：今天"


def test_upload_progress_is_seen_on_another_node(lib: Library, tmp_path: Path) -> None:
    admin = client(lib)
    login(admin, "admin")
    texts = [f"关于第{i}项工作的说明\n同志们：\n这是第{i}份上传的材料，写于测试之中。\n" for i in range(3)]
    files = [("files", (f"note{i}.txt", text.encode())) for i, text in enumerate(texts)]
    response = admin.post("/admin/upload", data={"csrf": csrf_of(admin, "/admin")}, files=files,
                          headers={"Accept": "application/json"})
    assert response.status_code == 202
    job = response.json()["job"]
    other = reopen(lib, tmp_path / "index2")
    try:
        node2 = client(other)
        login(node2, "admin")
        deadline = time.time() + 60
        progress = node2.get(f"/admin/jobs/{job}/progress").json()
        while not progress["finished"] and time.time() < deadline:
            time.sleep(0.2)
            progress = node2.get(f"/admin/jobs/{job}/progress").json()
        assert progress["finished"] and progress["documents"] == 3 and progress["done"] == 3
        page = node2.get(f"/admin/jobs/{job}")
        assert page.status_code == 200 and "关于第2项工作的说明" in page.text
    finally:
        other.close()
