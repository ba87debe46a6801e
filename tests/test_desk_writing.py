"""The desk's writer outputs on the web: polishing applied with one click and undone, slides of a draft,
and an outline proposed for a topic with its sources."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pptx
import pytest

from sucai.library import Library
from web_helpers import TestClient, build_library, csrf_of, signed_client


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = build_library(tmp_path_factory.mktemp("desk"))
    yield library
    library.close()


def new_draft(client: TestClient, title: str, body: str) -> int:
    page = client.post("/desk/new", data={"title": title, "csrf": csrf_of(client, "/desk")})
    draft_id = int(page.headers["location"].rsplit("/", 1)[1])
    version = re.search(r'name="version" value="(\d+)"', client.get(f"/desk/{draft_id}").text)
    saved = client.post(f"/desk/{draft_id}", data={"title": title, "body": body, "action": "save",
                                                   "version": version.group(1) if version else "",
                                                   "csrf": csrf_of(client, "/desk")})
    assert saved.status_code == 303
    return draft_id


def body_of(lib: Library, client: TestClient, draft_id: int) -> str:
    page = client.get(f"/desk/{draft_id}").text
    return re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)


def polish_forms(page: str) -> list[dict[str, str]]:
    forms = re.findall(r'<form action="/desk/\d+/polish" method="post" class="inline">(.*?)</form>', page, re.S)
    return [dict(re.findall(r'name="(\w+)" value="([^"]*)"', f)) for f in forms]


def test_a_polishing_edit_applies_with_one_click_and_undoes(lib: Library) -> None:
    client = signed_client(lib, "member")
    text = "要进一步压实责任，进一步健全机制，确保工作落到实处。"
    draft_id = new_draft(client, "润笔测试", text)
    page = client.post(f"/desk/{draft_id}", data={"title": "润笔测试", "body": text, "action": "polish",
                                                  "csrf": csrf_of(client, "/desk")}).text
    assert "润笔：" in page and "赘词" in page
    [form] = [f for f in polish_forms(page) if f.get("rule") == "filler"]
    applied = client.post(f"/desk/{draft_id}/polish", data=form)
    assert applied.status_code == 200 and "已应用" in applied.text
    assert body_of(lib, client, draft_id) == "要进一步压实责任，健全机制，确保工作落到实处。"
    undo = re.search(r'<div class="notice" role="status" id="undo">.*?<form[^>]*>(.*?)</form>', applied.text, re.S)
    undone = client.post(f"/desk/{draft_id}/polish", data=dict(re.findall(r'name="(\w+)" value="([^"]*)"',
                                                                          undo.group(1))))
    assert undone.status_code == 200 and body_of(lib, client, draft_id) == text
    again = client.post(f"/desk/{draft_id}/polish", data=form)  # made for a text that has changed since
    assert again.status_code == 409


def test_a_draft_exports_as_slides(lib: Library) -> None:
    client = signed_client(lib, "free")
    body = "一、压实责任\n（一）健全网格体系。\n（二）配齐专职队伍。\n二、强化保障\n落实经费保障制度。"
    draft_id = new_draft(client, "基层治理汇报", body)
    deck = client.post(f"/desk/{draft_id}", data={"title": "基层治理汇报", "body": body, "action": "pptx",
                                                  "csrf": csrf_of(client, "/desk")})
    assert deck.status_code == 200 and deck.headers["content-type"].endswith("presentationml.presentation")
    slides = pptx.Presentation(io.BytesIO(deck.content)).slides
    assert len(slides) == 1 + 2 + 1
    assert lib.trace(deck.content).user == "free"


def test_outline_first_makes_a_draft_with_sources_and_no_member_only_headings(lib: Library) -> None:
    paid_headings = [b.text for d in (lib.document(s.id) for s in lib.list_documents(limit=100)[1])
                     for b in d.blocks if b.paid and b.kind == "heading"]
    assert paid_headings
    for who, sees_paid in (("free", False), ("member", True)):
        client = signed_client(lib, who)
        page = client.post("/desk/outline", data={"topic": "主题教育", "csrf": csrf_of(client, "/desk")})
        assert page.status_code == 200 and "提纲来源" in page.text
        body = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1)
        assert body.startswith("一、") and re.search(r'href="/d/\d+#b\d+"', page.text)
        if not sees_paid:
            assert not [h for h in paid_headings if h[2:] and h[2:] in page.text]
    missing = signed_client(lib, "free")
    assert missing.post("/desk/outline", data={"topic": "无此主题甲乙", "csrf": csrf_of(missing, "/desk")}
                        ).status_code == 404


def test_the_desk_pages_offer_the_new_actions(lib: Library, tmp_path: Path) -> None:
    client = signed_client(lib, "member")
    assert "从主题起草提纲" in client.get("/desk").text
    draft_id = new_draft(client, "空白", "正文")
    page = client.get(f"/desk/{draft_id}").text
    assert 'value="polish"' in page and 'value="pptx"' in page
