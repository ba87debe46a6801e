"""Slides from an outline: read back with python-pptx, counted, every run with an East-Asian font."""

from __future__ import annotations

import io
from pathlib import Path

import pptx
from pptx.oxml.ns import qn

from sucai.export.slides import BULLETS_PER_SLIDE, lead_phrase, render_pptx
from sucai.ingest.parse import parse_text
from sucai.model import Document

SPEECH = """在全县安全生产工作会议上的讲话
同志们：
今天召开会议，主要任务是部署今年的安全生产工作。
一、提高站位，压实安全责任
（一）压实属地责任。各乡镇要把安全生产摆在突出位置。
（二）压实部门责任。行业主管部门要管行业必须管安全。
（三）压实企业主体责任。企业主要负责人是第一责任人。
二、突出重点，排查重大隐患
（一）抓好道路交通安全。开展重点车辆专项整治。
（二）抓好建筑施工安全。严防高处坠落和坍塌事故。
（三）抓好消防安全。加强人员密集场所检查。
（四）抓好危化品安全。严格审批和运输监管。
（五）抓好燃气安全。开展餐饮场所燃气整治。
（六）抓好校园安全。加强校车和食堂管理。
（七）抓好汛期安全。落实防汛值守制度。
三、强化保障，提升应急能力
要加强应急队伍建设，完善预案体系，确保关键时刻拉得出、冲得上、打得赢。
"""


def slides_of(doc: Document) -> list[list[str]]:
    prs = pptx.Presentation(io.BytesIO(render_pptx(doc, "sc1.token", "2026-03-01T09:00:00", unit="县安委办")))
    assert prs.slide_width > prs.slide_height * 1.7  # 16:9
    return [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame] for slide in prs.slides]


def test_title_slide_one_slide_per_section_with_continuations_and_closing() -> None:
    doc = parse_text(SPEECH, source="speech.txt")[0]
    slides = slides_of(doc)
    level1 = [o for o in doc.outline if o.level == 1]
    assert len(level1) == 3
    # section two has 7 points: one continuation slide
    assert len(slides) == 1 + 3 + 1 + 1
    assert "在全县安全生产工作会议上的讲话" in slides[0] and "2026年3月1日" in " ".join(slides[0])
    assert slides[1][1] == "提高站位，压实安全责任"
    assert slides[1][2].split("\n") == ["■ 压实属地责任", "■ 压实部门责任", "■ 压实企业主体责任"]
    assert len(slides[2][2].split("\n")) == BULLETS_PER_SLIDE and slides[3][1].endswith("（续）")
    assert slides[4][2].startswith("■ 要加强应急队伍建设")  # no sub-points: the paragraph's lead
    assert slides[-1] == ["", "谢谢！"]


def test_every_run_names_an_east_asian_font() -> None:
    doc = parse_text(SPEECH, source="speech.txt")[0]
    prs = pptx.Presentation(io.BytesIO(render_pptx(doc, "sc1.token")))
    runs = [r for s in prs.slides for sh in s.shapes if sh.has_text_frame
            for p in sh.text_frame.paragraphs for r in p.runs]
    assert runs
    for run in runs:
        ea = run._r.find(qn("a:rPr")).find(qn("a:ea"))
        assert ea is not None and ea.get("typeface") in {"黑体", "仿宋"}


def test_the_signed_token_travels_in_the_custom_properties() -> None:
    import zipfile

    doc = parse_text(SPEECH, source="speech.txt")[0]
    with zipfile.ZipFile(io.BytesIO(render_pptx(doc, "sc1.the-token"))) as zf:
        assert "sc1.the-token" in zf.read("docProps/custom.xml").decode("utf-8")


def test_lead_phrase_drops_numbering_and_cuts_long_points() -> None:
    assert lead_phrase("（三）压实企业主体责任。企业主要负责人是第一责任人。") == "压实企业主体责任"
    long_point = "坚持把调查研究作为谋事之基成事之道，深入基层一线了解真实情况，切实解决群众急难愁盼问题"
    cut = lead_phrase(long_point)
    assert cut == "坚持把调查研究作为谋事之基成事之道" and len(cut) <= 28


def test_a_document_without_outline_gets_paragraph_slides() -> None:
    doc = parse_text("读书班心得\n这次读书班让我收获很大。\n理论学习要坚持不懈。\n", source="a.txt")[0]
    slides = slides_of(doc)
    assert len(slides) == 3 and "■ 这次读书班让我收获很大" in slides[1][2]


PAID_SPEECH = """关于加强基层治理的讲话
一、压实基层治理责任
（一）健全网格体系。
##paidbegin##
二、强化队伍保障机制
（一）配齐专职网格员队伍。
（二）落实经费保障制度。
##paidend##
"""


def test_a_downloaded_deck_is_traced_and_keeps_member_only_headings_from_a_free_viewer(tmp_path: Path) -> None:
    from sucai.library import open_library
    from sucai.settings import Settings

    source = tmp_path / "讲话.txt"
    source.write_text(PAID_SPEECH, encoding="utf-8")
    with open_library(settings=Settings(db=str(tmp_path / "lib.db"), secret_key="k")) as lib:
        [doc_id] = [d.id for d in lib.ingest([source]).documents]
        free = lib.add_user("free", "free", "a-long-password")
        member = lib.add_user("member", "member", "a-long-password", "2099-01-01")
        free_deck, name, media = lib.export(doc_id, "pptx", free)
        member_deck = lib.export(doc_id, "pptx", member)[0]
        assert name.endswith(".pptx") and media.endswith("presentationml.presentation")
        free_text = " ".join(t for s in slides_from(free_deck) for t in s)
        member_text = " ".join(t for s in slides_from(member_deck) for t in s)
        assert "健全网格体系" in free_text and "队伍" not in free_text and "经费" not in free_text
        assert "强化队伍保障机制" in member_text and "配齐专职网格员队伍" in member_text
        traced = lib.trace(free_deck)
        assert traced.user == "free" and traced.document == doc_id and not traced.altered
        assert lib.downloads_today(free) == 1


def slides_from(data: bytes) -> list[list[str]]:
    prs = pptx.Presentation(io.BytesIO(data))
    return [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame] for slide in prs.slides]
