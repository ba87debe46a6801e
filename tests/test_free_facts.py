"""Free facts: what a viewer without member access is told of a document comes from its free text:
worked out at parse time, stored with the document (migration 5 fills older libraries), shown by access."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from sucai import access
from sucai.ingest.parse import parse_text
from sucai.model import Block, Document, FreeFacts, Repair, User
from sucai.store.base import StoredFile
from sucai.store.free_facts import fill_free_facts
from sucai.store.sqlite import SqliteStore

TEXT = """2024年主T教育学习材料
同志们：
深入开展主T教育，推动工作落地见效。
##paidbegin##
二、会员部分的提纲
2019年以来，乡村振兴工作取得进展，乡村振兴成效明显，乡村振兴久久为功，主T教育走深走实，xx同志牵头。
##paidend##
最后讲一点，要抓好落实。
"""
FREE_MEMBER = User(id=7, name="f", tier="free")
MEMBER = User(id=8, name="m", tier="member")


def test_parse_gives_facts_of_the_free_text_beside_those_of_the_whole() -> None:
    [doc] = parse_text(TEXT, source="/srv/in/a.txt")
    assert "乡村振兴" in doc.tags and {(r.found, r.count) for r in doc.repairs} == {("主T", 3)}
    free = doc.free_facts
    assert free is not None and "乡村振兴" not in free.tags
    assert free.year == 2024 and free.chars == sum(len(b.text) for b in doc.blocks if not b.paid)
    # repairs in the title line and the free paragraph count; the one in the member-only paragraph does not
    assert free.repairs == [Repair("主T", "主题", 2)]


def test_a_document_without_member_text_has_no_separate_free_facts() -> None:
    [doc] = parse_text(TEXT.replace("##paidbegin##\n", "").replace("##paidend##\n", ""), source="a.txt")
    assert doc.free_facts is None


def test_a_viewer_without_access_sees_the_free_facts_and_the_file_name() -> None:
    [doc] = parse_text(TEXT, source="/srv/in/a.txt")
    for viewer in (access.GUEST, FREE_MEMBER):
        shown = access.visible_document(doc, viewer)
        assert (shown.tags, shown.year, shown.repairs) == (doc.free_facts.tags, 2024, doc.free_facts.repairs)  # type: ignore[union-attr]
        assert not [p for p in shown.placeholders if p.text == "xx"] and shown.source == "a.txt"
    member = access.visible_document(doc, MEMBER)
    assert member.tags == doc.tags and member.repairs == doc.repairs and member.source == "a.txt"
    assert access.visible_document(doc, access.OPERATOR).source == "/srv/in/a.txt"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "lib.db")
    yield s
    s.close()


def _add(store: SqliteStore, docs: list[Document]) -> list[int]:
    data = "".join(d.title for d in docs).encode()
    stored = StoredFile("/srv/in/a.txt", hashlib.sha256(data).hexdigest(), data, "txt")
    return store.add_file(stored, docs, [[]] * len(docs))


def test_free_facts_are_stored_and_summaries_show_them_to_viewers_without_access(store: SqliteStore) -> None:
    [doc] = parse_text(TEXT, source="/srv/in/a.txt")
    [doc_id] = _add(store, [doc])
    assert store.document(doc_id).free_facts == doc.free_facts
    [summary] = store.list_documents()[1]
    guest = access.visible_summary(summary, access.GUEST)
    assert (guest.tags, guest.chars, guest.source) == (doc.free_facts.tags, doc.free_facts.chars, "a.txt")  # type: ignore[union-attr]
    assert access.visible_summary(summary, MEMBER).tags == doc.tags
    [text] = store.document_texts([doc_id])
    assert text.free_facts == doc.free_facts


def test_a_document_built_without_the_parser_gets_free_facts_from_its_free_blocks(store: SqliteStore) -> None:
    blocks = [Block("title", "会议材料"), Block("paragraph", "普通的开头。"),
              Block("paragraph", "乡村振兴乡村振兴乡村振兴，2019年。", paid=True)]
    doc = Document(None, "会议材料", blocks, tags=["乡村振兴"], year=2019, body_sha256="x")
    [doc_id] = _add(store, [doc])
    assert store.document(doc_id).free_facts == FreeFacts(None, None, [], [], len("会议材料普通的开头。"))


def test_migration_5_fills_free_facts_of_stored_documents(store: SqliteStore) -> None:
    [paid_doc, free_doc] = parse_text(TEXT, source="a.txt") + parse_text("某材料\n只有免费内容。\n", source="b.txt")
    ids = _add(store, [paid_doc, free_doc])
    with store.transaction() as cur:  # as a library stored before migration 5 had them
        cur.execute("UPDATE documents SET free_facts = NULL")
    with store.transaction() as cur:
        fill_free_facts(cur)
    filled = store.document(ids[0]).free_facts
    assert filled is not None and filled.tags == paid_doc.free_facts.tags and filled.year == 2024  # type: ignore[union-attr]
    assert filled.chars == paid_doc.free_facts.chars and filled.repairs == []  # type: ignore[union-attr]
    assert store.document(ids[1]).free_facts is None


@pytest.mark.parametrize(("source", "name"), [
    ("/srv/in/a.txt", "a.txt"), ("C:\\in\\b.docx", "b.docx"), ("/tmp/up/x.zip!dir/c.md", "x.zip!c.md"),
    ("data/reports.jsonl#12", "reports.jsonl#12"), ("plain.txt", "plain.txt"),
])
def test_sources_are_shown_as_file_names(source: str, name: str) -> None:
    assert access.source_name(source) == name
    assert access.shown_source(source, access.GUEST) == name
    assert access.shown_source(source, access.OPERATOR) == source
