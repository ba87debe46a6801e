"""The search engine over a real SQLite store: query forms, ranking, snippets, paywall, facets, quick lookup,
and the index following the store (sync, delete, rebuild, restart, crash)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from sucai.errors import QueryError
from sucai.model import Block, Document
from sucai.search.engine import SearchEngine
from sucai.search.index import STATE_FILE
from sucai.store.base import StoredFile
from sucai.store.sqlite import SqliteStore


def make_doc(title: str, *paragraphs: str, paid_from: int | None = None, genre: str | None = "讲话",
             year: int | None = 2023, tags: tuple[str, ...] = ()) -> Document:
    """A document: a title block, then paragraphs ('一、…' become headings); paid from index paid_from on."""
    blocks = [Block("title", title)]
    for i, text in enumerate(paragraphs):
        heading = text[:2] in {"一、", "二、", "三、"}
        paid = paid_from is not None and i >= paid_from
        blocks.append(Block("heading" if heading else "paragraph", text, 1 if heading else None, paid))
    body = hashlib.sha256("\n".join(b.text for b in blocks).encode()).hexdigest()
    return Document(None, title, blocks, genre=genre, year=year, tags=list(tags), body_sha256=body)


def add(store: SqliteStore, *docs: Document) -> list[int]:
    data = json.dumps([d.text for d in docs] + [d.title for d in docs], ensure_ascii=False).encode()
    stored = StoredFile("t.txt", hashlib.sha256(data).hexdigest(), data, "txt")
    return store.add_file(stored, list(docs), [[] for _ in docs])


LIBRARY = [
    make_doc("2023年主题教育研讨交流发言材料", "同志们：", "一、在以学铸魂上下功夫",
             "要坚持以学铸魂、以学增智，推动主题教育走深走实。", "会员专享：以学正风是关键，锤炼过硬作风。",
             paid_from=3, tags=("主题教育",)),
    make_doc("乡村振兴工作总结", "一、主要做法", "全面推进乡村振兴，以学铸魂在基层落地。", genre="总结", year=2024,
             tags=("乡村振兴",)),
    make_doc("以学铸魂专题党课讲稿", "同志们：", "今天讲一讲理论武装。", "二、锤炼作风", "作风建设永远在路上。",
             genre="党课", year=2024, tags=("主题教育", "作风建设")),
    make_doc("安全生产会议讲话", "同志们：", "安全生产责任重于泰山，<b>&警钟长鸣</b>。", genre="讲话", year=2022),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "lib.db")
    yield s
    s.close()


@pytest.fixture
def ids(store: SqliteStore) -> list[int]:
    return add(store, *LIBRARY)


@pytest.fixture
def engine(store: SqliteStore, ids: list[int], tmp_path: Path) -> Iterator[SearchEngine]:
    e = SearchEngine(store, tmp_path / "index")
    yield e
    e.close()


def hit_ids(engine: SearchEngine, query: str, **kwargs: bool) -> list[int]:
    return [h.id for h in engine.search(query, limit=100, **kwargs).hits]


# -- query forms ----------------------------------------------------------------------------------
def test_a_phrase_finds_every_document_containing_it(engine: SearchEngine, ids: list[int]) -> None:
    res = engine.search("以学铸魂")
    assert res.total == 3 and sorted(h.id for h in res.hits) == sorted(ids[:3])
    assert res.took_ms > 0


def test_one_character_and_two_character_queries(engine: SearchEngine, ids: list[int]) -> None:
    assert sorted(hit_ids(engine, "魂")) == sorted(ids[:3])
    assert sorted(hit_ids(engine, "泰")) == [ids[3]]
    assert sorted(hit_ids(engine, "作风")) == [ids[0], ids[2]]
    assert hit_ids(engine, "翔") == []


def test_a_phrase_never_spans_two_paragraphs(engine: SearchEngine) -> None:
    assert engine.search("同志们：今天").total == 0  # 同志们： / 今天讲一讲 are two paragraphs
    assert engine.search("上下功夫要坚持").total == 0


def test_queries_are_normalised_like_the_text(engine: SearchEngine, ids: list[int]) -> None:
    assert engine.search("以學鑄魂").total == 3
    assert engine.search('"以学 铸魂"').total == 3


def test_and_or_and_exclusion(engine: SearchEngine, ids: list[int]) -> None:
    assert hit_ids(engine, "以学铸魂 乡村") == [ids[1]]
    assert sorted(hit_ids(engine, "泰山 OR 乡村振兴")) == [ids[1], ids[3]]
    assert sorted(hit_ids(engine, "以学铸魂 -乡村")) == [ids[0], ids[2]]


def test_filters(engine: SearchEngine, ids: list[int]) -> None:
    assert sorted(hit_ids(engine, "genre:总结 OR genre:党课")) == [ids[1], ids[2]]
    assert sorted(hit_ids(engine, "year:2024")) == [ids[1], ids[2]]
    assert sorted(hit_ids(engine, "year:2020-2023 同志们")) == [ids[0], ids[3]]
    assert hit_ids(engine, "tag:作风建设") == [ids[2]]
    assert sorted(hit_ids(engine, "title:讲")) == [ids[2], ids[3]]
    assert hit_ids(engine, "title:党课 以学铸魂") == [ids[2]]


def test_bad_queries_raise_query_error(engine: SearchEngine) -> None:
    for query in ['"以学', "-乡村", "OR", "color:red", "year:abc", ""]:
        with pytest.raises(QueryError):
            engine.search(query)


def test_user_text_is_never_engine_syntax(engine: SearchEngine) -> None:
    for query in ["a AND b", "\"body:以学\"", "以学*", "(以学", "以学~2", "[a TO b]", "^", ".*", "\\"]:
        assert engine.search(query).total == 0


# -- ranking, snippets, pagination, facets -------------------------------------------------------------
def test_title_matches_rank_first(engine: SearchEngine, ids: list[int]) -> None:
    res = engine.search("以学铸魂")
    assert res.hits[0].id == ids[2]
    assert res.hits[0].title_html == "<mark>以学铸魂</mark>专题党课讲稿"
    assert res.hits[0].score > res.hits[1].score


def test_snippets_mark_every_occurrence_of_the_whole_phrase(engine: SearchEngine, ids: list[int]) -> None:
    hit = next(h for h in engine.search("以学").hits if h.id == ids[0])
    assert hit.snippets == [
        "一、在<mark>以学</mark>铸魂上下功夫",
        "要坚持<mark>以学</mark>铸魂、<mark>以学</mark>增智，推动主题教育走深走实。",
        "会员专享：<mark>以学</mark>正风是关键，锤炼过硬作风。",
    ]
    assert [p.block for p in hit.paragraphs] == [2, 3, 4]


def test_snippets_map_normalised_matches_back_to_the_original_text(store: SqliteStore, tmp_path: Path) -> None:
    [doc_id] = add(store, make_doc("繁体", "堅持以學鑄魂，以 學\u3000鑄魂。ＡＢＣ"))
    with SearchEngine(store, tmp_path / "idx") as engine:
        [hit] = engine.search("以学铸魂 abc").hits
    assert hit.id == doc_id
    assert hit.snippets == ["堅持<mark>以學鑄魂</mark>，<mark>以 學\u3000鑄魂</mark>。<mark>ＡＢＣ</mark>"]


def test_snippets_are_html_escaped_with_only_mark_tags(engine: SearchEngine) -> None:
    [hit] = engine.search("警钟").hits
    assert hit.snippets == ["安全生产责任重于泰山，&lt;b&gt;&amp;<mark>警钟</mark>长鸣&lt;/b&gt;。"]


def test_a_long_paragraph_gives_a_window_of_context(store: SqliteStore, tmp_path: Path) -> None:
    add(store, make_doc("长文", "前" * 300 + "关键词" + "后" * 300))
    with SearchEngine(store, tmp_path / "idx") as engine:
        [hit] = engine.search("关键词").hits
    [snippet] = hit.snippets
    text = snippet.replace("<mark>", "").replace("</mark>", "")
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>关键词</mark>" in snippet
    assert 60 <= len(text) <= 100


def test_at_most_three_snippets_preferring_each_phrase(store: SqliteStore, tmp_path: Path) -> None:
    add(store, make_doc("多段", *[f"第{i}段甲乙" for i in range(6)], "最后丙丁"))
    with SearchEngine(store, tmp_path / "idx") as engine:
        [hit] = engine.search("甲乙 丙丁").hits
    assert len(hit.snippets) == 3 and any("<mark>丙丁</mark>" in s for s in hit.snippets)
    assert [p.block for p in hit.paragraphs] == [1, 2, 3, 4, 5]  # the first five of seven


def test_pagination_counts_every_match(store: SqliteStore, tmp_path: Path) -> None:
    add(store, *[make_doc(f"文{i}", f"共同的短语{i}") for i in range(25)])
    with SearchEngine(store, tmp_path / "idx") as engine:
        first = engine.search("共同的短语", limit=10)
        last = engine.search("共同的短语", limit=10, offset=20)
        none = engine.search("共同的短语", limit=0)
    assert first.total == last.total == none.total == 25
    assert len(first.hits) == 10 and len(last.hits) == 5 and none.hits == []
    assert not {h.id for h in first.hits} & {h.id for h in last.hits}


def test_facets_count_all_matching_documents(engine: SearchEngine) -> None:
    facets = engine.search("以学铸魂", limit=1).facets
    assert facets["genre"] == {"讲话": 1, "总结": 1, "党课": 1}
    assert facets["year"] == {"2023": 1, "2024": 2}
    assert facets["tag"] == {"主题教育": 2, "乡村振兴": 1, "作风建设": 1}


# -- paywall ---------------------------------------------------------------------------------------------
def test_a_match_only_in_paid_blocks_is_not_found_by_a_guest(engine: SearchEngine, ids: list[int]) -> None:
    guest = engine.search("以学正风", paid_visible=False)
    assert (guest.total, guest.hits) == (0, [])
    assert all(not counts for counts in guest.facets.values())
    member = engine.search("以学正风", paid_visible=True).hits[0]
    assert member.id == ids[0] and not member.locked
    assert member.snippets == ["会员专享：<mark>以学正风</mark>是关键，锤炼过硬作风。"]


def test_paid_blocks_give_no_snippet_text_to_a_guest(engine: SearchEngine, ids: list[int]) -> None:
    hit = next(h for h in engine.search("以学", paid_visible=False).hits if h.id == ids[0])
    assert hit.locked and len(hit.snippets) == 2  # locked: the document has a part the guest may not read
    assert all("正风" not in s for s in hit.snippets) and [p.block for p in hit.paragraphs] == [2, 3]


def test_a_query_needing_a_paid_block_for_one_term_finds_nothing_for_a_guest(engine: SearchEngine) -> None:
    assert engine.search("走深走实 锤炼过硬", paid_visible=False).total == 0
    assert engine.search("走深走实 锤炼过硬", paid_visible=True).total == 1


def test_an_exclusion_found_only_in_paid_text_excludes_nothing_for_a_guest(engine: SearchEngine) -> None:
    assert engine.search("以学铸魂 -以学正风", paid_visible=False).total == 3
    assert engine.search("以学铸魂 -以学正风", paid_visible=True).total == 2
    assert engine.search("以学铸魂 OR 以学正风", paid_visible=False).total == 3


def test_a_guest_gets_facets_and_filters_of_the_free_text(store: SqliteStore, tmp_path: Path) -> None:
    """Year and tag were given for the whole text; the free part names neither."""
    [doc_id] = add(store, make_doc("会议材料", "普通的开头。", "安全生产责任重于泰山。", paid_from=1,
                                   tags=("安全生产",), year=2021, genre="讲话"))
    with SearchEngine(store, tmp_path / "idx") as engine:
        guest = engine.search("普通的开头", paid_visible=False)
        member = engine.search("普通的开头", paid_visible=True)
        assert (guest.total, member.total) == (1, 1)
        assert (member.facets["tag"], member.facets["year"]) == ({"安全生产": 1}, {"2021": 1})
        assert (guest.facets["tag"], guest.facets["year"]) == ({}, {})
        assert [(h.id, h.year, h.locked) for h in guest.hits] == [(doc_id, None, True)]
        assert engine.search("普通的开头 year:2021", paid_visible=False).total == 0
        assert engine.search("普通的开头 tag:安全生产", paid_visible=False).total == 0
        assert engine.search("普通的开头 tag:安全生产", paid_visible=True).total == 1


# -- following the store -----------------------------------------------------------------------------------
def test_searchable_right_after_add_and_sync_gone_after_delete(store: SqliteStore, engine: SearchEngine) -> None:
    [new] = add(store, make_doc("新材料", "刚刚入库的独特句子。"))
    assert engine.search("独特句子").total == 0  # not yet synced
    assert engine.sync() == 1
    assert hit_ids(engine, "独特句子") == [new]
    store.delete_document(new)
    assert engine.sync() == 1
    assert engine.search("独特句子").total == 0
    assert engine.sync() == 0


def test_duplicates_are_not_indexed(store: SqliteStore, engine: SearchEngine) -> None:
    [copy] = add(store, LIBRARY[1])
    assert store.document(copy).duplicate_of is not None
    engine.sync()
    assert engine.search("乡村振兴工作").total == 1


def test_deleting_an_original_promotes_its_duplicate(store: SqliteStore, engine: SearchEngine, ids: list[int]) -> None:
    [copy] = add(store, LIBRARY[1])
    engine.sync()
    store.delete_document(ids[1])
    engine.sync()
    assert hit_ids(engine, "乡村振兴工作") == [copy]


def test_a_restart_catches_up_with_changes_made_while_closed(store: SqliteStore, tmp_path: Path) -> None:
    SearchEngine(store, tmp_path / "idx").close()
    [new] = add(store, make_doc("离线入库", "关闭期间入库的句子。"))
    with SearchEngine(store, tmp_path / "idx") as engine:
        assert hit_ids(engine, "关闭期间") == [new]


def test_rebuild_gives_the_same_answers_and_reports_progress(engine: SearchEngine) -> None:
    before = {q: hit_ids(engine, q) for q in ["以学铸魂", "作风", "同志们"]}
    seen: list[tuple[int, int]] = []
    assert engine.rebuild(lambda done, total: seen.append((done, total))) == 4
    assert seen[-1] == (4, 4)
    assert {q: hit_ids(engine, q) for q in before} == before


def test_a_lost_or_foreign_index_is_rebuilt(store: SqliteStore, engine: SearchEngine, tmp_path: Path) -> None:
    engine.close()
    shutil.rmtree(tmp_path / "index")
    with SearchEngine(store, tmp_path / "index") as fresh:
        assert fresh.search("以学铸魂").total == 3
    state = tmp_path / "index" / STATE_FILE
    data = json.loads(state.read_text())
    state.write_text(json.dumps({**data, "seq": data["seq"] + 100}))  # an index of another library
    with SearchEngine(store, tmp_path / "index") as again:
        assert again.search("以学铸魂").total == 3


def test_reapplying_changes_after_a_crash_before_the_state_write_is_harmless(
    store: SqliteStore, engine: SearchEngine, tmp_path: Path
) -> None:
    add(store, make_doc("新材料", "重放测试句子。"))
    engine.sync()
    engine.close()
    state = tmp_path / "index" / STATE_FILE
    state.write_text(json.dumps({**json.loads(state.read_text()), "seq": 0}))  # committed, state not written
    with SearchEngine(store, tmp_path / "index") as again:
        assert again.search("重放测试").total == 1
        assert again.search("以学铸魂").total == 3


_KILLED_WRITER = textwrap.dedent("""
    import hashlib, sys
    from pathlib import Path
    from sucai.model import Block, Document
    from sucai.search.engine import SearchEngine
    from sucai.store.base import StoredFile
    from sucai.store.sqlite import SqliteStore
    store = SqliteStore(sys.argv[1])
    engine = SearchEngine(store, Path(sys.argv[2]))
    print("ready", flush=True)
    for i in range(100000):
        text = f"唯一标记 第{i}篇 " + "内容" * 200
        digest = hashlib.sha256(text.encode()).hexdigest()
        doc = Document(None, f"篇{i}", [Block("paragraph", text)], body_sha256=digest)
        data = text.encode()
        store.add_file(StoredFile(f"{i}.txt", hashlib.sha256(data).hexdigest(), data, "txt"), [doc], [[]])
        engine.sync()
""")


def test_sigkill_while_indexing_leaves_search_agreeing_with_the_store(tmp_path: Path) -> None:
    db, index = tmp_path / "lib.db", tmp_path / "index"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(db), str(index)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    store = SqliteStore(db)
    try:
        stored = store.count_documents()
        assert stored > 0
        with SearchEngine(store, index) as engine:
            assert engine.search("唯一标记").total == stored
    finally:
        store.close()


# -- quick lookup ------------------------------------------------------------------------------------------
def test_suggestions_from_titles_and_headings(engine: SearchEngine, ids: list[int]) -> None:
    titles = engine.suggest("主题教育")
    assert titles[0].text == "2023年主题教育研讨交流发言材料" and titles[0].kind == "title" and titles[0].id == ids[0]
    [heading] = engine.suggest("锤炼作风")
    assert (heading.kind, heading.id, heading.text) == ("heading", ids[2], "二、锤炼作风")


def test_suggestions_by_pinyin_initials_and_full_pinyin(engine: SearchEngine, ids: list[int]) -> None:
    assert engine.suggest("ztjy")[0].id == ids[0]
    assert engine.suggest("zhutijiaoyu")[0].id == ids[0]
    assert engine.suggest("xiangcunzhen")[0].text == "乡村振兴工作总结"
    assert engine.suggest("YXZH")[0].text == "以学铸魂专题党课讲稿"
    assert engine.suggest("qqqq") == []


def test_suggestions_follow_sync(store: SqliteStore, engine: SearchEngine) -> None:
    assert engine.suggest("数字政府") == []
    [new] = add(store, make_doc("数字政府建设调研报告", "一、数字政府的现状", "正文。"))
    engine.sync()
    assert {s.id for s in engine.suggest("szzf")} == {new}
    store.delete_document(new)
    engine.sync()
    assert engine.suggest("szzf") == []


def test_paid_headings_are_suggested_only_to_members(store: SqliteStore, tmp_path: Path) -> None:
    add(store, make_doc("党课", "正文。", "三、会员才有的提纲", paid_from=1))
    with SearchEngine(store, tmp_path / "idx") as engine:
        assert [s.text for s in engine.suggest("会员才有")] == ["三、会员才有的提纲"]
        assert engine.suggest("会员才有", paid_visible=False) == []


def test_suggestions_answer_within_a_few_milliseconds(store: SqliteStore, tmp_path: Path) -> None:
    import time

    docs = [make_doc(f"{2000 + i % 25}年第{i}号主题教育研讨材料", f"一、第{i}个要点", "正文。") for i in range(300)]
    add(store, *docs)
    with SearchEngine(store, tmp_path / "idx") as engine:
        engine.suggest("预热")
        started = time.perf_counter()
        for prefix in ["主题", "ztjy", "zhuti", "第12", "yaodian"]:
            assert engine.suggest(prefix)
        assert (time.perf_counter() - started) / 5 < 0.02


def test_the_title_is_highlighted_for_title_filters(engine: SearchEngine) -> None:
    [hit] = engine.search("title:党课").hits
    assert re.fullmatch(r"以学铸魂专题<mark>党课</mark>讲稿", hit.title_html)
