"""Web and newspaper pages as scrapers save them (tests/fixtures/pages, written for sucai): chrome and credits
out and kept as metadata, titles from the headline, subtitles, bylines and datelines in blocks of their own,
many-speaker pages split, appendices outside the outline, stubs skipped with a reason, duplicates by title and
body blind to paragraph breaks."""

from __future__ import annotations

from pathlib import Path

import pytest

import sucai
from sucai.ingest.clean import load_rules
from sucai.ingest.page import StubPage
from sucai.ingest.parse import parse_text
from sucai.model import Document

PAGES = Path(__file__).parent / "fixtures" / "pages"


def parse(name: str) -> list[Document]:
    return parse_text((PAGES / name).read_text(encoding="utf-8"), source=name)


def texts(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks]


def test_a_web_page_loses_its_chrome_and_keeps_its_credits() -> None:
    [doc] = parse("web_report.txt")
    assert doc.title == "2025年青禾省政府工作报告"
    assert doc.subtitle == "2025年1月18日在青禾省第十四届人民代表大会第三次会议上"
    assert texts(doc)[1:4] == [
        "――2025年1月18日在青禾省第十四届人民代表大会第三次会议上", "青禾省省长 林远舟", "各位代表：",
    ]
    chrome = [
        "下载", "打印", "全屏", "收藏", "关闭窗口", "【字号：大 中 小】", "您的位置：首页 > 政务公开 > 政府工作报告",
        "发布时间：2025-01-25 10:30 来源：省政府办公厅", "分享到：", "扫一扫在手机打开当前页",
    ]
    removed = [r.text for r in doc.removed]
    assert set(chrome) <= set(removed)
    assert not any(t in chrome or t.startswith(("上一篇", "下一篇")) for t in texts(doc))
    assert doc.credits == {"date": "2025-01-25", "source": "省政府办公厅"}
    assert (doc.year, doc.genre) == (2025, "工作报告")


def test_appendices_are_a_part_of_their_own_outside_the_outline() -> None:
    [doc] = parse("web_report.txt")
    assert doc.appendix is not None and doc.blocks[doc.appendix].text == "附件1"
    assert texts(doc)[doc.appendix + 1] == "名词解释"
    assert all(b.kind == "paragraph" for b in doc.blocks[doc.appendix :])
    assert [item.text for item in doc.outline if item.level == 1] == ["一、2024年工作回顾", "二、2025年工作安排"]
    assert all(item.block < doc.appendix for item in doc.outline)


def test_a_kicker_leaves_the_title_to_the_headline_and_news_prose_about_accounts_stays() -> None:
    [doc] = parse("newspaper_kicker.txt")
    assert doc.title == "《关于进一步精简会议文件减轻基层负担的若干措施》"
    assert texts(doc)[1] == "中共中央办公厅 国务院办公厅印发"  # the kicker is kept, in the body
    assert any("关注微信公众号，不得以工作群留痕代替工作实绩" in t for t in texts(doc))
    assert doc.credits == {"source": "星河日报", "date": "2025-03-06", "editor": "周晓岚", "design": "吴一帆"}
    assert [r.rule for r in doc.removed] == ["credit-masthead", "credit-masthead", "credit-editor", "credit-design"]
    assert (doc.year, doc.date) == (2025, "2025-03-06")
    assert doc.genre in (None, "新闻报道")


def test_bylines_datelines_and_subtitles_keep_their_own_blocks() -> None:
    [doc] = parse("newspaper_article.txt")
    assert doc.title == "春耕备耕一线见闻"
    assert texts(doc)[1:5] == [
        "――来自江渚县田间地头的报道",
        "本报记者 沈知远",
        "江渚县2025年3月10日电",
        "清晨，江渚县城关镇的田野里，旋耕机来回穿梭，农技人员正在指导种粮大户调试播种设备。",
    ]
    assert doc.subtitle == "来自江渚县田间地头的报道"
    assert doc.date == "2025-03-10"
    assert [item.text for item in doc.outline] == ["一、良种良法配套推广", "二、农机服务延伸到户"]
    assert doc.genre in (None, "新闻报道")


def test_a_page_of_remarks_is_split_by_speaker() -> None:
    docs = parse("remarks_digest.txt")
    collection = "全国政协“推进文化遗产保护利用”专题协商会发言摘编"
    assert [(d.speaker, d.role) for d in docs] == [
        ("曲青山", "院长"),
        ("林远舟", "全国政协委员、江渚大学校长"),
        ("苏明澈", "全国政协常委、青禾省文化和旅游厅厅长"),
        ("白若溪", "全国政协委员、省社会科学院研究员"),
    ]
    assert [d.title for d in docs] == [f"{collection}（曲青山）", f"{collection}（林远舟）", "守护好乡村的文化记忆",
                                       f"{collection}（白若溪）"]
    assert all(d.collection == collection for d in docs)
    assert docs[0].blocks[1].text == "（2025年4月）" and all(d.date == "2025-04" for d in docs)
    assert docs[2].blocks[1].text == "全国政协常委、青禾省文化和旅游厅厅长 苏明澈："
    source = (PAGES / "remarks_digest.txt").read_text(encoding="utf-8").split("\n")
    stored = [t for d in docs for t in texts(d)]
    assert all(line in stored for line in source[1:] if line)  # every line kept


def test_a_single_article_that_quotes_people_is_never_split() -> None:
    text = (
        "一条新路子带富一方百姓\n本报记者 沈知远\n"
        "县委书记王远山：\n“产业兴旺是乡村振兴的基础，我们要把特色产业做大做强。”\n"
        "村党支部书记陈立新：\n“合作社成立三年来，村集体收入翻了一番。”\n"
        "记者：\n今后还有什么打算？\n"
        "陈立新说，下一步要发展乡村旅游，让更多村民在家门口就业。\n"
    )
    [doc] = parse_text(text, source="article.txt")
    assert doc.title == "一条新路子带富一方百姓" and doc.speaker == ""


@pytest.mark.parametrize(
    ("name", "reason"),
    [("ad_only.txt", "广告"), ("picture_credit_only.txt", "picture credit")],
)
def test_stub_pages_are_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(StubPage, match=reason):
        parse(name)


def test_stub_pages_are_skipped_in_the_ingest_report(tmp_path: Path) -> None:
    with sucai.open(tmp_path / "lib.db") as lib:
        report = lib.ingest([PAGES / "ad_only.txt", PAGES / "picture_credit_only.txt", PAGES / "picture_page_a.txt"])
    assert sorted((Path(s.path).name, "广告" in s.reason or "picture" in s.reason) for s in report.skipped) == [
        ("ad_only.txt", True),
        ("picture_credit_only.txt", True),
    ]
    assert [d.title for d in report.documents] == ["燕子归来 春到湖畔"]


def test_duplicates_are_decided_on_title_and_body_blind_to_paragraph_breaks(tmp_path: Path) -> None:
    article = (PAGES / "newspaper_article.txt").read_text(encoding="utf-8")
    broken = article.replace("种粮大户陈立新说，“县里", "种粮大户陈立新说，\n\n“县里", 1)
    assert broken != article
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    (tmp_path / "b.txt").write_text(broken, encoding="utf-8")
    credit = "本版图片均由本报记者 陆远 摄"
    (tmp_path / "c.txt").write_text(f"燕子归来 春到湖畔\n{credit}\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text(f"梯田春灌 碧水盈畴\n{credit}\n", encoding="utf-8")
    with sucai.open(tmp_path / "lib.db") as lib:
        report = lib.ingest([tmp_path / name for name in ("a.txt", "b.txt", "c.txt", "d.txt")])
        by_source = {Path(d.source).name: d for d in report.documents}
        assert by_source["b.txt"].duplicate_of == by_source["a.txt"].id
        assert by_source["c.txt"].duplicate_of is None and by_source["d.txt"].duplicate_of is None
        assert [lib.document(by_source[n].id).title for n in ("c.txt", "d.txt")] == [
            "燕子归来 春到湖畔", "梯田春灌 碧水盈畴",
        ]


def test_operators_extend_and_switch_off_chrome_and_credit_rules(tmp_path: Path) -> None:
    (tmp_path / "chrome.txt").write_text("!print\nsite-counter 本站访问人数\\s*[:：]\\s*[0-9]+\n", encoding="utf-8")
    (tmp_path / "credits.txt").write_text("reviewer 值班审核\n", encoding="utf-8")
    rules = load_rules([tmp_path])
    text = "打印\n本站访问人数：1024\n值班审核：林远舟\n会议强调，要压实责任、狠抓落实。\n"
    [doc] = parse_text(text, source="x.txt", title_hint="会议报道", rules=rules)
    assert [(r.rule, r.text) for r in doc.removed] == [
        ("site-counter", "本站访问人数：1024"), ("credit-reviewer", "值班审核：林远舟"),
    ]
    assert "打印" in texts(doc) and doc.credits == {"reviewer": "林远舟"}


def test_what_a_page_says_of_itself_is_stored_and_shown(tmp_path: Path) -> None:
    """Speaker, role, collection and credits survive the store (a reopened library still has them)."""
    from sucai import access
    from sucai.library import open_library
    from sucai.settings import Settings
    from sucai.views import document_json

    settings = Settings(db=str(tmp_path / "lib.db"))
    with open_library(settings=settings) as lib:
        report = lib.ingest([PAGES / "remarks_digest.txt", PAGES / "newspaper_article.txt"])
        parsed = {d.id: d for d in report.documents}
    with open_library(settings=settings) as lib:
        docs = [lib.document(i) for i in parsed]
        speakers = [d for d in docs if d.speaker]
        assert len(speakers) >= 3 and all(d.collection for d in speakers)
        assert any(d.credits for d in docs)
        shown = document_json(lib.document(speakers[0].id, access.GUEST))
        assert shown["speaker"] == speakers[0].speaker and shown["collection"] == speakers[0].collection
