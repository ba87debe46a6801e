"""Property: for any substring of a stored document (1-20 characters) and any absent string, the hit ids
equal a brute-force scan over the normalised paragraphs, and `total` equals its count."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sucai.model import Block, Document
from sucai.normalize import normalize
from sucai.search.engine import SearchEngine
from sucai.store.base import StoredFile
from sucai.store.sqlite import SqliteStore

# Recurring phrases of the genre, plus characters that normalisation folds (traditional, full width).
PHRASES = ["以学铸魂", "以学增智", "以学正风", "以学促干", "主题教育", "同志们：", "乡村振兴", "高质量发展",
           "学深悟透", "真抓实干", "發展", "ＸＸ", "××", "二十大", "“两个维护”", "、", "。", "习近平", "新时代"]


def _documents(count: int = 30, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        blocks = [Block("title", f"第{n}篇{rng.choice(PHRASES)}材料")]
        for _ in range(rng.randint(1, 6)):
            text = "".join(rng.choice(PHRASES) if rng.random() < 0.7 else chr(0x4E00 + rng.randint(0, 400))
                           for _ in range(rng.randint(1, 15)))
            blocks.append(Block("paragraph", text, None, rng.random() < 0.2))
        body = hashlib.sha256("\n".join(b.text for b in blocks).encode()).hexdigest()
        docs.append(Document(None, blocks[0].text, blocks, body_sha256=body))
    return docs


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchEngine, dict[int, list[str]]]]:
    root: Path = tmp_path_factory.mktemp("property")
    store = SqliteStore(root / "lib.db")
    docs = _documents()
    data = "".join(d.text for d in docs).encode()
    store.add_file(StoredFile("p.txt", hashlib.sha256(data).hexdigest(), data, "txt"), docs, [[] for _ in docs])
    engine = SearchEngine(store, root / "index")
    paragraphs = {d.id: [normalize(b.text) for b in d.blocks] for d in store.iter_documents() if d.id is not None}
    yield engine, paragraphs
    engine.close()
    store.close()


def _brute_force(paragraphs: dict[int, list[str]], query: str) -> set[int]:
    needle = normalize(query)
    return {doc_id for doc_id, paras in paragraphs.items() if any(needle in p for p in paras)}


def _check(engine: SearchEngine, paragraphs: dict[int, list[str]], query: str) -> None:
    expected = _brute_force(paragraphs, query)
    res = engine.search(f'"{query}"', limit=100)
    assert {h.id for h in res.hits} == expected
    assert res.total == len(expected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_stored_substring_finds_exactly_the_documents_containing_it(
    library: tuple[SearchEngine, dict[int, list[str]]], data: st.DataObject
) -> None:
    engine, paragraphs = library
    doc_id = data.draw(st.sampled_from(sorted(paragraphs)))
    paragraph = data.draw(st.sampled_from(paragraphs[doc_id]))
    start = data.draw(st.integers(0, len(paragraph) - 1))
    length = data.draw(st.integers(1, 20))
    query = paragraph[start : start + length]
    _check(engine, paragraphs, query)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(alphabet=st.sampled_from(list("以学铸魂主题教育发展新时代翔鹤ab")), min_size=1, max_size=8))
def test_random_strings_present_or_absent_agree_with_brute_force(
    library: tuple[SearchEngine, dict[int, list[str]]], query: str
) -> None:
    engine, paragraphs = library
    _check(engine, paragraphs, query)
