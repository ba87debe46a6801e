"""The phrase bank (金句) as part of the library: written at ingest, searchable, paywalled, gone on delete.

The library is the project's own documents (the demo set and tests/fixtures/); one test reads the shared sample."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sucai
from conftest import ALL_PAID, COMPILATION, SAMPLE, project_documents, shared_path
from sucai import access
from sucai.cli import app as cli_app
from sucai.errors import InputError
from sucai.library import Library
from sucai.model import PhraseHit, User
from sucai.web import phrases as phrases_web
from web_helpers import make_client

PASSWORD = "correct-horse-1"
# From tests/fixtures/: 以严治党… and 强调“防汛救灾…” and 指出“抓党建…” sit in member-only parts (the run in
# both fixture files), 指出：“汛期就是战时…” in the free part of the compilation's first speech.
PARALLEL = "以严治党、以严律己、以严促干"
PAID_QUOTE = "防汛救灾没有旁观者，守住安全底线就是最大的政绩"
SECOND_PAID_QUOTE = "抓党建是最大的政绩"
FREE_QUOTE_START = "汛期就是战时，每一座水库"
OTHER_PAID_PARALLEL = "守土有责、守土负责、守土尽责"  # the demo's third speech, member-only part


def _ingest(path: Path, documents: list[Path] | None = None) -> Library:
    lib = sucai.open(path)
    report = lib.ingest(project_documents() if documents is None else documents)
    assert report.documents and not report.failed, report
    return lib


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = _ingest(tmp_path_factory.mktemp("phrases") / "lib.db")
    library.add_user("reader", "free", PASSWORD)
    library.add_user("member", "member", PASSWORD, "2099-12-31")
    library.add_user("lapsed", "member", PASSWORD, "2000-01-01")
    yield library
    library.close()


def _texts(hits: list[PhraseHit]) -> set[str]:
    return {h.text for h in hits}


def _before(lib: Library, hit: PhraseHit) -> str:
    block = lib.store.document(hit.doc_id).blocks[hit.block].text
    return block[: block.index(hit.text)]


def _everything(lib: Library, viewer: User | None = None, **kw: str) -> list[PhraseHit]:
    total, hits = lib.phrases(viewer=viewer, limit=500, **kw)
    assert total == len(hits)
    return hits


def _in_source(lib: Library, hit: PhraseHit) -> bool:
    doc = lib.store.document(hit.doc_id)  # the full document: block is a position in it
    return hit.text in doc.blocks[hit.block].text and hit.title == doc.title


# -- found, with its source ------------------------------------------------------------------------------
def test_parallel_run_is_found_with_its_source_document(lib: Library) -> None:
    total, hits = lib.phrases("以严治党")
    assert total == len(hits) >= 1
    assert {h.text for h in hits} == {PARALLEL}
    assert all(h.kind == "parallel" and _in_source(lib, h) for h in hits)
    # each document that uses it is named as a source: the compilation's first speech and the report
    assert len({h.doc_id for h in hits}) == len(hits) == 2
    sources = {lib.store.document(h.doc_id).source for h in hits}
    assert {Path(s).name for s in sources} == {COMPILATION.name, ALL_PAID.name}


def test_quotations_introduced_by_zhichu_and_qiangdiao(lib: Library) -> None:
    quotes = _everything(lib, kind="quote")
    assert quotes and all(q.kind == "quote" and _in_source(lib, q) for q in quotes)
    texts = _texts(quotes)
    assert PAID_QUOTE in texts  # 强调“防汛救灾没有旁观者……”
    assert any(t.startswith(FREE_QUOTE_START) for t in texts)  # 指出：“汛期就是战时……”
    assert any(t.startswith(SECOND_PAID_QUOTE) for t in texts)  # 指出“抓党建是最大的政绩，……”
    for q in quotes:  # the demo set also quotes what someone 说 or 讲过
        assert any(verb in _before(lib, q)[-6:] for verb in ("指出", "强调", "说", "讲")), q.text
    parallels = _everything(lib, kind="parallel")
    assert PAID_QUOTE not in _texts(parallels) and PARALLEL in _texts(parallels)


def test_empty_text_lists_everything_newest_documents_first(lib: Library) -> None:
    hits = _everything(lib)
    assert len(hits) == len(_everything(lib, kind="parallel")) + len(_everything(lib, kind="quote"))
    doc_ids = [h.doc_id for h in hits]
    assert doc_ids == sorted(doc_ids, reverse=True)
    total, page = lib.phrases(limit=5, offset=5)
    assert total == len(hits) and page == hits[5:10]


# -- paywall ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["guest", "reader", "lapsed"])
def test_member_only_phrases_reach_no_one_without_access(lib: Library, who: str) -> None:
    viewer = access.GUEST if who == "guest" else lib.user(who)
    visible = _everything(lib, viewer)
    assert any(t.startswith(FREE_QUOTE_START) for t in _texts(visible))  # the free part still shows
    assert PARALLEL not in _texts(visible) and PAID_QUOTE not in _texts(visible)
    assert lib.phrases("以严治党", viewer=viewer) == (0, [])  # not even counted
    assert lib.phrases("没有旁观者", kind="quote", viewer=viewer) == (0, [])
    for hit in visible:
        assert not lib.store.document(hit.doc_id).blocks[hit.block].paid


@pytest.mark.parametrize("who", ["operator", "member"])
def test_member_only_phrases_reach_the_operator_and_members(lib: Library, who: str) -> None:
    viewer = None if who == "operator" else lib.user(who)
    assert PARALLEL in _texts(lib.phrases("以严治党", viewer=viewer)[1])
    assert lib.phrases(PAID_QUOTE, viewer=viewer)[0] == 1


# -- the text is taken literally ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["%", "_", "以严%", "以_治党", "以严治党%", "%以严", "\\", "以严\\治党", "'"])
def test_like_wildcards_in_the_text_are_literal(lib: Library, text: str) -> None:
    assert lib.phrases(text) == (0, [])


def test_unknown_kind_and_bad_paging_are_input_errors(lib: Library) -> None:
    with pytest.raises(InputError):
        lib.phrases(kind="slogan")
    with pytest.raises(InputError):
        lib.phrases(limit=0)
    with pytest.raises(InputError):
        lib.phrases(offset=-1)


# -- delete --------------------------------------------------------------------------------------------------
def test_delete_removes_the_documents_phrases(tmp_path: Path) -> None:
    with _ingest(tmp_path / "lib.db") as lib:
        before = _everything(lib)
        gone = next(h.doc_id for h in before if h.text == PAID_QUOTE)
        lib.delete(gone)
        after = _everything(lib)
        assert after and all(h.doc_id != gone for h in after)
        assert PAID_QUOTE not in _texts(after)
        assert after == [h for h in before if h.doc_id != gone]


def test_reingesting_the_same_file_adds_no_phrases(tmp_path: Path) -> None:
    with _ingest(tmp_path / "lib.db") as lib:
        count = lib.phrases()[0]
        lib.ingest(project_documents())
        assert lib.phrases()[0] == count


# -- CLI and web -------------------------------------------------------------------------------------------------
def test_cli_phrases_json(lib: Library) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["phrases", "以严", "--kind", "parallel", "--db", lib.store.url, "--json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["total"] == len(obj["phrases"]) >= 1
    assert set(obj["phrases"][0]) == {"id", "doc_id", "title", "block", "kind", "text"}
    assert PARALLEL in {p["text"] for p in obj["phrases"]}
    guest = runner.invoke(cli_app, ["phrases", "以严", "--as", "guest", "--db", lib.store.url, "--json"])
    assert json.loads(guest.stdout) == {"total": 0, "phrases": []}
    bad = runner.invoke(cli_app, ["phrases", "--kind", "slogan", "--db", lib.store.url, "--json"])
    assert bad.exit_code == 2


def test_web_page_and_api(lib: Library) -> None:
    client = make_client(lib)
    if not any(getattr(r, "path", "") == "/api/phrases" for r in client.app.routes):
        client.app.include_router(phrases_web.router)  # until web/app.py includes it
    member = {"Authorization": f"Bearer {lib.new_token('member')}"}
    api = client.get("/api/phrases", params={"q": "以严治党"}, headers=member).json()
    assert api["total"] >= 1 and {p["text"] for p in api["phrases"]} == {PARALLEL}
    assert client.get("/api/phrases", params={"q": "以严治党"}).json() == {"total": 0, "phrases": []}
    assert client.get("/api/phrases", params={"kind": "slogan"}).status_code == 400

    page = client.get("/phrases", params={"q": "以严治党"}, headers=member)
    assert page.status_code == 200 and PARALLEL in page.text
    hit = lib.phrases("以严治党")[1][0]
    assert f'href="/d/{hit.doc_id}#b{hit.block}"' in page.text
    guest_page = client.get("/phrases")
    assert guest_page.status_code == 200 and "金句库" in guest_page.text
    assert FREE_QUOTE_START in guest_page.text
    for paid in (PARALLEL, PAID_QUOTE, SECOND_PAID_QUOTE, OTHER_PAID_PARALLEL):
        assert paid not in guest_page.text


# -- fidelity to the shared sample -----------------------------------------------------------------------------
def test_the_sample_yields_its_parallel_run_and_quotations(tmp_path: Path) -> None:
    """The sample's 以学铸魂… run (member-only, in each speech that uses it) and its three introduced quotations."""
    with _ingest(tmp_path / "lib.db", [shared_path(SAMPLE)]) as lib:
        parallel = "以学铸魂、以学增智、以学正风、以学促干"
        total, hits = lib.phrases("以学铸魂")
        assert total == len(hits) == len({h.doc_id for h in hits}) >= 1 and _texts(hits) == {parallel}
        assert all(h.kind == "parallel" and _in_source(lib, h) for h in hits)
        found = _everything(lib, kind="quote")
        assert all("指出" in _before(lib, q)[-6:] or "强调" in _before(lib, q)[-6:] for q in found)
        quotes = _texts(found)
        assert "踏石留印，抓铁有痕" in quotes
        assert any(t.startswith("新时代中国特色社会主义思想，是对马克思列宁主义") for t in quotes)
        assert any(t.startswith("靠几业") for t in quotes)
        guest = _texts(_everything(lib, access.GUEST))
        assert parallel not in guest and "踏石留印，抓铁有痕" not in guest
