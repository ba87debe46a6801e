"""Polishing (润笔): one test per rule on text written for the project; every edit applies and undoes."""

from __future__ import annotations

import pytest

from sucai.compose.polish import apply_edit, polish, undo_of
from sucai.model import PhraseHit

PARALLEL = """一、以学铸魂，坚定理想信念
二、以学增智，提升能力本领
三、加强作风建设，树立良好形象
四、以学促干，推动工作落实"""


def rules_of(text: str) -> list[str]:
    return [e.rule for e in polish(text).edits]


def test_the_odd_heading_of_a_parallel_run_is_marked() -> None:
    edits = [e for e in polish(PARALLEL).edits if e.rule == "parallel"]
    assert [e.original for e in edits] == ["加强作风建设"]
    assert PARALLEL[edits[0].start : edits[0].end] == "加强作风建设"
    assert edits[0].replacement is None  # advice: the writer chooses the new words


def test_parallel_headings_and_compound_ones_pass() -> None:
    text = "一、以学铸魂\n二、以学增智\n三、以学正风、以学促干\n"
    assert "parallel" not in rules_of(text)


def test_a_list_of_report_sections_is_not_a_parallel_run() -> None:
    text = "一、基本情况\n二、主要做法\n三、存在问题\n四、下步打算\n"
    assert "parallel" not in rules_of(text)


def test_numbering_that_starts_again_begins_another_run() -> None:
    first = "一、以学铸魂\n二、以学增智\n三、以学正风\n"
    second = "一、压实安全责任\n二、排查重大隐患\n"
    assert "parallel" not in rules_of(first + second)


def test_filler_used_again_in_a_paragraph_is_dropped_on_apply() -> None:
    text = "要进一步压实责任，进一步健全机制，确保各项工作落到实处。"
    edits = [e for e in polish(text).edits if e.rule == "filler"]
    assert len(edits) == 1 and edits[0].original == "进一步"
    assert apply_edit(text, edits[0]) == "要进一步压实责任，健全机制，确保各项工作落到实处。"


def test_an_overused_verb_is_flagged_once_per_paragraph() -> None:
    text = "加强组织领导，加强队伍建设，加强制度保障。\n加强学习。"
    edits = [e for e in polish(text).edits if e.rule == "repeat"]
    assert len(edits) == 1 and edits[0].original == "加强" and "3 次" in edits[0].message


def test_weak_opening_is_removed_on_apply() -> None:
    text = "　　我认为，调查研究是谋事之基、成事之道。"
    edits = [e for e in polish(text).edits if e.rule == "weak-opening"]
    assert len(edits) == 1
    polished = apply_edit(text, edits[0])
    assert polished == "　　调查研究是谋事之基、成事之道。"
    assert apply_edit(polished, undo_of(edits[0])) == text


def test_long_sentence_is_split_at_the_clause_nearest_its_middle() -> None:
    clause = "坚持把调查研究作为基本功"
    sentence = "，".join([clause] * 8) + "。"
    edits = [e for e in polish(sentence, max_sentence=60).edits if e.rule == "split"]
    assert len(edits) == 1
    new = apply_edit(sentence, edits[0])
    first, second = new.split("。")[:2]
    assert abs(len(first) - len(second)) <= len(clause) + 1


def test_phrases_from_the_library_by_topic_carry_their_source() -> None:
    bank = [PhraseHit(7, 3, "关于调查研究的党课", 4, "parallel", "身入基层、心到基层、情系基层")]
    report = polish("我们要大兴调查研究之风。", phrase_lookup=lambda kw: bank if kw == "调查研究" else [],
                    topics=[("调查研究", "调查研究")])
    edits = [e for e in report.edits if e.rule == "phrase"]
    assert len(edits) == 1 and edits[0].sources[0].title == "关于调查研究的党课"
    assert apply_edit("我们要大兴调查研究之风。", edits[0]).endswith("身入基层、心到基层、情系基层")


def test_an_edit_on_a_changed_text_is_refused_and_undo_restores() -> None:
    text = "要进一步压实责任，进一步健全机制。"
    edit = next(e for e in polish(text).edits if e.rule == "filler")
    changed = apply_edit(text, edit)
    with pytest.raises(ValueError):
        apply_edit(changed, edit)
    assert apply_edit(changed, undo_of(edit)) == text


def test_clean_demo_paragraphs_get_no_weak_opening_or_filler() -> None:
    text = "　　同志们，今天召开会议，主要任务是总结工作、部署任务。"
    assert not [e for e in polish(text).edits if e.rule in {"weak-opening", "filler", "repeat"}]
