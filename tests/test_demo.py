"""The demo library: bundled documents ingested whole and cleaned, one account per tier, rebuildable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from sucai import access
from sucai.demo_setup import DEMO_DIR, build_demo, passwords_file
from sucai.errors import AccessDenied
from sucai.library import Library, open_library
from sucai.model import Document

# 8 files; the compilation holds three speeches, so the library holds 10 documents.
DEMO_FILES = 8
EXPECTED_DOCUMENTS = 10
COMPILATION = "01_"
BRAND = "笔杆子"  # the invented service whose advertisements close two of the files


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[tuple[str, str, str]]]:
    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    return db, build_demo(db)


@pytest.fixture
def lib(demo: tuple[str, list[tuple[str, str, str]]]) -> Iterator[Library]:
    library = open_library(demo[0])
    try:
        yield library
    finally:
        library.close()


def _documents(lib: Library) -> list[Document]:
    total, summaries = lib.list_documents(limit=100)
    assert total == len(summaries)
    return [lib.document(s.id) for s in summaries]


def _from_file(docs: list[Document], prefix: str) -> list[Document]:
    return [d for d in docs if Path(d.source).name.startswith(prefix)]


# -- the bundled files themselves (no parser needed) ------------------------------------------------
def test_demo_folder_ships_the_documents() -> None:
    files = sorted(p for p in DEMO_DIR.iterdir() if p.is_file())
    assert len(files) == DEMO_FILES
    assert {p.suffix for p in files} == {".txt", ".md", ".html"}


def test_one_demo_file_is_gb18030_not_utf8() -> None:
    (gbk,) = [p for p in DEMO_DIR.iterdir() if "gbk" in p.name]
    raw = gbk.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "述职述廉报告" in raw.decode("gb18030")


# -- accounts ---------------------------------------------------------------------------------------
def test_one_account_per_tier_with_working_passwords(
    demo: tuple[str, list[tuple[str, str, str]]], lib: Library
) -> None:
    _, accounts = demo
    assert [tier for _, tier, _ in accounts] == ["guest", "free", "member", "svip", "admin"]
    assert accounts[0] == ("(未登录)", "guest", "-")
    for name, tier, password in accounts[1:]:
        user = lib.authenticate(name, password)
        assert user.tier == tier
        assert len(password) >= 8


def test_paid_tiers_expire_in_a_year(lib: Library) -> None:
    in_a_year = date.today() + timedelta(days=365)
    for name in ("member", "svip"):
        expires = lib.user(name).expires
        assert expires is not None
        assert abs((date.fromisoformat(expires) - in_a_year).days) <= 1
    assert lib.user("free").expires is None
    assert lib.user("admin").expires is None


# -- documents --------------------------------------------------------------------------------------
def test_every_document_is_stored_and_the_compilation_is_split(lib: Library) -> None:
    docs = _documents(lib)
    assert len(docs) == EXPECTED_DOCUMENTS
    speeches = _from_file(docs, COMPILATION)
    assert len(speeches) == 3
    titles = {d.title for d in speeches}
    assert "关于大兴调查研究之风的研讨交流发言" in titles
    assert any(t.startswith("扛牢意识形态工作责任") for t in titles)
    assert all(d.chars >= 1000 for d in docs)


def test_titles_come_out_of_markdown_and_html(lib: Library) -> None:
    titles = {d.title for d in _documents(lib)}
    assert "xx县农业农村局2025年乡村振兴工作总结暨2026年工作打算" in titles
    assert "以学正风 锤炼过硬作风——机关党支部专题党课讲稿" in titles
    assert not any(t.startswith("#") for t in titles)


def test_the_gb18030_file_is_decoded(lib: Library) -> None:
    (report,) = _from_file(_documents(lib), "08_")
    assert "在严守耕地红线、强化要素保障、优化便民服务上持续发力" in report.text
    assert "\ufffd" not in report.text


def test_a_date_line_under_the_title_is_not_the_title(lib: Library) -> None:
    titles = {d.title for d in _documents(lib)}
    assert "xx县自然资源局局长2025年度述职述廉报告" in titles
    assert "在xx县2025年安全生产工作会议上的讲话" in titles
    assert "党建引领聚合力 网格治理暖民心——在全市基层治理工作推进会上的交流发言" in titles


@pytest.mark.parametrize(
    ("prefix", "byline"),
    [("03_", "（2025年X月X日）"), ("07_", "（xx街道党工委书记 某某，2026年3月）"), ("08_", "（2026年1月X日）")],
)
def test_the_date_or_byline_line_is_kept_right_after_the_title(lib: Library, prefix: str, byline: str) -> None:
    (doc,) = _from_file(_documents(lib), prefix)
    assert [(b.kind, b.text) for b in doc.blocks[1:2]] == [("paragraph", byline)]
    assert doc.blocks[2].kind == "salutation"


def test_every_demo_document_has_the_genre_its_title_names(lib: Library) -> None:
    genres = {Path(d.source).name[:3]: d.genre for d in _documents(lib)}
    assert genres == {
        "01_": "发言材料",
        "02_": "心得体会",
        "03_": "讲话稿",
        "04_": "工作总结",
        "05_": "党课",
        "06_": "调研报告",
        "07_": "发言材料",
        "08_": "述职报告",
    }
    speeches = _from_file(_documents(lib), COMPILATION)
    assert {d.genre for d in speeches} == {"发言材料"}


def test_documents_of_the_compilation_inherit_its_year(lib: Library) -> None:
    speeches = _from_file(_documents(lib), COMPILATION)
    assert [d.year for d in speeches] == [2024, 2024, 2024]


def test_page_furniture_of_the_html_file_is_not_text(lib: Library) -> None:
    (lesson,) = [d for d in _documents(lib) if "以学正风" in d.title]
    assert "同志们：" in lesson.text
    for furniture in ("首页", "pageViews", "关于本站", "querySelectorAll"):
        assert furniture not in lesson.text


def test_paywall_opens_in_the_first_speech_and_runs_to_the_last(lib: Library) -> None:
    docs = _documents(lib)
    first, second, third = sorted(_from_file(docs, COMPILATION), key=lambda d: d.id or 0)
    assert first.has_paid and not all(b.paid for b in first.blocks)
    assert all(b.paid for b in second.blocks if b.kind != "title")
    assert third.blocks[-1].paid
    paid_elsewhere = [d for d in docs if d.has_paid and d.id not in (first.id, second.id, third.id)]
    assert len(paid_elsewhere) >= 2


def test_a_guest_does_not_see_paid_blocks(lib: Library) -> None:
    paid = next(d for d in _documents(lib) if d.has_paid)
    assert paid.id is not None
    seen = lib.document(paid.id, viewer=access.GUEST)
    assert seen.locked > 0
    assert not seen.has_paid


def test_advertisements_are_removed_and_reported(lib: Library) -> None:
    docs = _documents(lib)
    for doc in docs:
        assert BRAND not in doc.text, doc.title
        assert "bgz2024" not in doc.text, doc.title
        assert "##paid" not in doc.text, doc.title
    assert sum(1 for d in docs if d.removed) >= 2  # the compilation's ads and the 心得体会's
    last_speech = max(_from_file(docs, COMPILATION), key=lambda d: d.id or 0)
    assert last_speech.text.rstrip().endswith("不妥之处请各位领导批评指正。")


def test_obfuscated_terms_are_repaired(lib: Library) -> None:
    docs = _documents(lib)
    assert not any("主T" in d.text or "=+大" in d.text for d in docs)
    (notes,) = [d for d in docs if "读书班心得体会" in d.title]
    assert "主题教育专题读书班" in notes.text
    assert "党的二十大精神" in notes.text
    assert notes.repairs


def test_placeholders_are_found(lib: Library) -> None:
    found = [p.text for d in _documents(lib) for p in d.placeholders]
    for placeholder in ("xx", "XX", "××", "X月X日", "某某"):
        assert any(placeholder in text for text in found), placeholder


@pytest.mark.parametrize("phrase", ["以学铸魂", "学思想、强党性、重实践、建新功", "调查研究", "同志们"])
def test_recurring_phrases_hit_several_documents(lib: Library, phrase: str) -> None:
    assert lib.search(phrase).total >= 2


# -- rebuilding -------------------------------------------------------------------------------------
def test_building_twice_keeps_the_documents_and_the_passwords(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    first = build_demo(db)
    second = build_demo(db)
    assert second == first  # the passwords printed last time still work
    with open_library(db) as library:
        assert library.list_documents(limit=100)[0] == EXPECTED_DOCUMENTS
        for name, tier, password in second[1:]:
            assert library.authenticate(name, password).tier == tier
    assert passwords_file(db).stat().st_mode & 0o077 == 0  # readable by its owner only


def test_deleting_the_passwords_file_gives_fresh_passwords(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    first = build_demo(db)
    passwords_file(db).unlink()
    second = build_demo(db)
    with open_library(db) as library:
        for (name, _, old), (_, tier, new) in zip(first[1:], second[1:], strict=True):
            assert library.authenticate(name, new).tier == tier
            assert old != new
            with pytest.raises(AccessDenied):
                library.authenticate(name, old)
