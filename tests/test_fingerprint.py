"""Content characters and winnowing fingerprints: normalisation, offsets, the 13-character guarantee, size."""

from __future__ import annotations

import json
import random
import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import project_documents, shared_path
from sucai.model import Block, Document
from sucai.originality.fingerprint import (
    GUARANTEE,
    K,
    W,
    content_chars,
    document_fingerprints,
    kgram_hashes,
    stored_hash,
    winnow,
)


def _doc(*paragraphs: str, title: str = "") -> Document:
    blocks = ([Block("title", title)] if title else []) + [Block("paragraph", p) for p in paragraphs]
    return Document(id=None, title=title, blocks=blocks)


def _hashes_of(text: str) -> set[int]:
    return {fp.hash for fp in document_fingerprints(_doc(text))}


def test_content_chars_drop_punctuation_and_spaces_and_fold_forms() -> None:
    text = "習近平 新時代，ＡＢＣ１２３。\u3000“主题”教育！"
    chars, offsets = content_chars(text)
    assert chars == "习近平新时代abc123主题教育"
    assert [text[i] for i in offsets] == list("習近平新時代ＡＢＣ１２３主题教育")


def test_content_chars_expanding_and_astral_characters_keep_offsets() -> None:
    chars, offsets = content_chars("面积⑩㎡，𠀋字")
    assert chars == "面积10m2𠀋字"
    assert offsets == [0, 1, 2, 2, 3, 3, 5, 6]


def test_guarantee_constants() -> None:
    assert W + K - 1 == GUARANTEE == 13


def test_punctuation_and_spacing_changes_keep_the_fingerprints() -> None:
    plain = "坚持以人民为中心的发展思想不断增强人民群众获得感幸福感安全感"
    changed = "坚持以人民为中心的发展思想，不断增强 人民群众\n获得感、幸福感、安全感。"
    assert _hashes_of(plain) == _hashes_of(changed)


def test_fingerprints_skip_titles_and_never_span_two_blocks() -> None:
    title = "关于进一步加强作风建设的实施意见全文"
    first, second = "一二三四五六七八九十甲乙丙丁戊己庚辛", "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往"
    doc = _doc(first, second, title=title)
    starts_of_body = len(content_chars(title)[0])
    boundary = starts_of_body + len(first)
    prints = document_fingerprints(doc)
    assert prints
    for fp in prints:
        assert fp.pos >= starts_of_body  # nothing from the title
        assert not (fp.pos < boundary < fp.pos + K)  # no k-gram across the two paragraphs


def test_hashes_are_signed_32_bit() -> None:
    rng = random.Random(7)
    text = "".join(chr(0x4E00 + rng.randrange(20000)) for _ in range(2000))
    values = [fp.hash for fp in document_fingerprints(_doc(text))]
    assert values and all(-(2**31) <= v < 2**31 for v in values)
    assert len(set(values)) > 0.9 * len(values)


def test_winnowing_selects_rightmost_minimum_of_each_window() -> None:
    codes = content_chars("的" * 40)[0]  # every k-gram hash ties: the rightmost of each window wins
    hashes = kgram_hashes(np.frombuffer(codes.encode("utf-32-le"), dtype="<u4").astype(np.uint32))
    chosen = winnow(hashes).tolist()
    assert chosen == list(range(W - 1, len(hashes)))
    assert stored_hash(hashes[:1]).dtype.kind == "i"


_COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年"
_ALPHABET = st.sampled_from(list(_COMMON[:24]))  # few characters: chance repeats test the tie-breaking


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_ALPHABET, min_size=0, max_size=60),
    st.lists(_ALPHABET, min_size=0, max_size=60),
    st.lists(_ALPHABET, min_size=GUARANTEE, max_size=40),
    st.lists(_ALPHABET, min_size=0, max_size=60),
)
def test_every_shared_run_of_13_shares_a_fingerprint(
    left_a: list[str], left_b: list[str], shared: list[str], right: list[str]
) -> None:
    a = "".join(left_a + shared + right)
    b = "".join(left_b + shared) + "。" + "".join(reversed(right))
    prints_a = {fp.hash: fp.pos for fp in document_fingerprints(_doc(a))}
    prints_b = document_fingerprints(_doc(b))
    start_a, start_b = len(left_a), len(left_b)
    inside = [
        fp for fp in prints_b
        if start_b <= fp.pos <= start_b + len(shared) - K and fp.hash in prints_a
    ]
    assert inside, "a shared run of 13 characters must share a fingerprint"
    assert start_a >= 0


def _corpus_documents(limit: int) -> list[Document]:
    path = shared_path("corpus/gov-work-reports.jsonl")
    docs = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            paragraphs = [p.strip() for p in record["content"].split("\n") if p.strip()]
            docs.append(_doc(*paragraphs, title=record["title"]))
            if len(docs) == limit:
                break
    return docs


def _project_documents() -> list[Document]:
    """The demo set and the fixtures, one document per file, a paragraph per line (markup and all)."""
    docs = []
    for path in project_documents():
        text = path.read_bytes().decode("gb18030" if "gbk" in path.name else "utf-8")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        docs.append(_doc(*lines[1:], title=lines[0]))
    return docs


def test_density_keeps_storage_small_on_the_project_documents() -> None:
    docs = _project_documents()
    chars = sum(len(content_chars(d.text)[0]) for d in docs)
    prints = sum(len(document_fingerprints(d)) for d in docs)
    assert chars > 10_000  # enough text for the density to mean something
    assert prints / chars < 2 / (W + 1) * 1.15  # about 0.2 fingerprints per content character


def test_density_keeps_storage_small_on_real_reports() -> None:
    docs = _corpus_documents(20)
    chars = sum(len(content_chars(d.text)[0]) for d in docs)
    prints = sum(len(document_fingerprints(d)) for d in docs)
    assert prints / chars < 2 / (W + 1) * 1.15  # about 0.2 fingerprints per content character


def test_fingerprinting_is_fast() -> None:
    docs = _corpus_documents(40)
    document_fingerprints(docs[0])  # build the lookup table once
    chars = sum(d.chars for d in docs)
    began = time.perf_counter()
    for doc in docs:
        document_fingerprints(doc)
    rate = chars / (time.perf_counter() - began)
    assert rate > 1_000_000, f"{rate:,.0f} characters/s"  # the benchmark measures ~6M/s on one core
