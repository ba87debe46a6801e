"""The originality check against a real SQLite library of the project's documents (the demo set and
tests/fixtures/): planted copies of known lengths, exact bounds and sources, exact ratios, quotation exclusion,
sections, and the .docx report. One test also checks the shared sample against a library of the shared corpus."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

import sucai
from conftest import COMPILATION, project_documents, shared_path
from sucai.errors import InputError
from sucai.model import Block, CheckReport, Document
from sucai.originality import check, check_report_docx, content_chars, document_fingerprints
from sucai.originality.fingerprint import content_form
from sucai.store.base import StoredFile
from sucai.store.sqlite import SqliteStore

LIBRARY_SIZE = 30


@dataclass
class Library:
    store: SqliteStore
    docs: dict[int, Document]
    contents: dict[int, str]  # content characters of each document's text
    filler: list[str]  # characters found in no document: fresh text never matches the library


def _corpus_documents() -> list[Document]:
    docs = []
    for name in ("corpus/gov-work-reports.jsonl", "corpus/cpc-congress-reports.jsonl"):
        with shared_path(name).open(encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                paragraphs = [p.strip() for p in record["content"].split("\n") if p.strip()]
                blocks = [Block("title", record["title"])] + [Block("paragraph", p) for p in paragraphs]
                doc = Document(None, record["title"], blocks)
                doc.body_sha256 = hashlib.sha256(doc.text.encode()).hexdigest()
                docs.append(doc)
    return docs[-LIBRARY_SIZE // 2 :] + docs[: LIBRARY_SIZE // 2]


def _library(store: SqliteStore, ids: list[int]) -> Library:
    stored = {i: store.document(i) for i in ids if store.document(i).duplicate_of is None}
    contents = {i: content_chars(d.text)[0] for i, d in stored.items()}
    used = set("".join(contents.values()))
    filler = [chr(cp) for cp in range(0x3400, 0x4DB6) if content_form(chr(cp)) == chr(cp) and chr(cp) not in used]
    return Library(store, stored, contents, filler)


def _ingested(directory: Path, paths: list[Path]) -> Library:
    """The files through the real ingest (cleaning, splitting, fingerprints), then the store opened on its own."""
    with sucai.open(directory / "library.db") as lib:
        report = lib.ingest(paths)
        assert report.documents and not report.failed, report
    store = SqliteStore(directory / "library.db")
    return _library(store, [d.id for d in store.list_documents(limit=1000)[1]])


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    lib = _ingested(tmp_path_factory.mktemp("check"), project_documents())
    yield lib
    lib.store.close()


@pytest.fixture(scope="module")
def corpus_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    docs = _corpus_documents()
    store = SqliteStore(tmp_path_factory.mktemp("check-corpus") / "library.db")
    data = "\n".join(d.text for d in docs).encode()
    ids = store.add_file(StoredFile("corpus.jsonl", hashlib.sha256(data).hexdigest(), data, "jsonl"), docs,
                         [document_fingerprints(d) for d in docs])
    yield _library(store, ids)
    store.close()


def _fresh(rng: random.Random, lib: Library, size: int) -> str:
    """Text of characters found nowhere in the library, with some punctuation."""
    out = []
    for i in range(size):
        out.append(rng.choice(lib.filler))
        if i % 17 == 16:
            out.append(rng.choice("，。；"))
    return "".join(out)


@dataclass
class Plant:
    doc_id: int
    text: str  # as put in the draft
    content_index: int  # in the source's content characters
    length: int  # content characters
    start: int = 0  # where its first content character is in the draft
    end: int = 0  # just past its last content character in the draft


def _pick(lib: Library, rng: random.Random, doc_id: int, length: int) -> tuple[int, str]:
    """A stretch of `length` content characters inside one paragraph, without quotation marks, found in no
    other document."""
    doc = lib.docs[doc_id]
    chars, offsets = content_chars(doc.text)
    for _ in range(1000):
        i = rng.randrange(len(chars) - length)
        start, end = offsets[i], offsets[i + length - 1] + 1
        piece = chars[i : i + length]
        one_block = "\n" not in doc.text[start:end] and doc.text.index("\n") < start
        unquoted = not any(mark in doc.text[start:end] for mark in "“”「」")  # the draft decides what is quoted
        if one_block and unquoted and sum(c.count(piece) for c in lib.contents.values()) == 1:
            return i, doc.text[start:end]
    raise AssertionError("no unique stretch found")


def _reshape(text: str, rng: random.Random) -> str:
    """The same content characters with punctuation swapped or dropped and spaces and line breaks added."""
    out = []
    for ch in text:
        if not content_form(ch):
            out.append(rng.choice(["", "，", ", ", "、", " "]))
        else:
            out.append(ch + (rng.choice([" ", "\n", "\u3000"]) if rng.random() < 0.1 else ""))
    return "".join(out).rstrip()


def _draft(lib: Library, plants: list[Plant], rng: random.Random, quoted: int | None = None) -> str:
    """Fresh text with the plants set in it; plant number `quoted` inside 指出：“…”."""
    parts = [_fresh(rng, lib, 60)]
    for n, plant in enumerate(plants):
        opening = _fresh(rng, lib, 30) + ("总书记指出：“" if n == quoted else "")
        parts.append(opening)
        here = len("".join(parts))
        _, offsets = content_chars(plant.text)
        plant.start, plant.end = here + offsets[0], here + offsets[-1] + 1
        parts.append(plant.text + ("”" if n == quoted else ""))
        parts.append(_fresh(rng, lib, 40))
    return "".join(parts)


def _longest_plain_stretch(lib: Library, doc_id: int) -> int:
    """Content characters of the longest stretch of a paragraph without quotation marks."""
    lines = lib.docs[doc_id].text.split("\n")[1:]
    return max(len(content_chars(piece)[0]) for line in lines for piece in re.split("[“”「」]", line))


def _plants(lib: Library, seed: int, lengths: list[int], reshape: bool) -> list[Plant]:
    """One plant of each length, each from another document that has a paragraph long enough for it."""
    rng = random.Random(seed)
    doc_ids: list[int] = []
    for length in lengths:
        fits = [i for i in sorted(lib.docs) if i not in doc_ids and _longest_plain_stretch(lib, i) >= length + 20]
        doc_ids.append(rng.choice(fits))
    plants = []
    for doc_id, length in zip(doc_ids, lengths, strict=True):
        index, text = _pick(lib, rng, doc_id, length)
        plants.append(Plant(doc_id, _reshape(text, rng) if reshape else text, index, length))
    return plants


def _source_offset(lib: Library, plant: Plant) -> int:
    return content_chars(lib.docs[plant.doc_id].text)[1][plant.content_index]


def _assert_reported_exactly(report: CheckReport, lib: Library, plants: list[Plant], min_run: int) -> None:
    for plant in plants:
        inside = [s for s in report.spans if s.start < plant.end and s.end > plant.start]
        if plant.length < min_run:
            assert not inside, f"a run of {plant.length} must not be reported"
            continue
        assert len(inside) == 1, f"run of {plant.length}: {inside}"
        span = inside[0]
        assert (span.start, span.end) == (plant.start, plant.end)
        assert span.source_id == plant.doc_id
        assert span.source_start == _source_offset(lib, plant)


LENGTHS = [8, 12, 13, 20, 200]


@pytest.mark.parametrize("reshape", [False, True], ids=["verbatim", "punctuation-and-spacing-changed"])
def test_planted_runs_are_reported_with_source_and_bounds(library: Library, reshape: bool) -> None:
    plants = _plants(library, 11 + reshape, LENGTHS, reshape)
    draft = _draft(library, plants, random.Random(5))
    report = check(draft, library.store)
    _assert_reported_exactly(report, library, plants, 13)
    assert len(report.spans) == 3
    chars = len(content_chars(draft)[0])
    assert report.chars == chars
    assert report.copied_chars == 13 + 20 + 200
    assert report.copy_ratio == (13 + 20 + 200) / chars
    assert report.copy_ratio_excluding_quotes == report.copy_ratio
    assert report.max_single_source_ratio == 200 / chars
    # each source counts all it shares with the draft (the reports repeat each other, so a source of one
    # plant may share part of another): every planted source is listed, largest first
    shares = {s.id: s.copied_chars for s in report.sources}
    assert set(shares) == {p.doc_id for p in plants[2:]}
    assert all(shares[p.doc_id] >= p.length for p in plants[2:])
    assert [s.copied_chars for s in report.sources] == sorted(shares.values(), reverse=True)
    assert report.sources[0].title == library.docs[plants[-1].doc_id].title


def test_quoted_copy_is_excluded_from_the_second_ratio(library: Library) -> None:
    plants = _plants(library, 21, [30, 60], reshape=False)
    draft = _draft(library, plants, random.Random(6), quoted=0)
    report = check(draft, library.store)
    _assert_reported_exactly(report, library, plants, 13)
    quoted = {s.source_id: s.quoted for s in report.spans}
    assert quoted == {plants[0].doc_id: True, plants[1].doc_id: False}
    assert report.copy_ratio == 90 / report.chars
    assert report.copy_ratio_excluding_quotes == 60 / report.chars


def test_cited_quotation_is_excluded_too(library: Library) -> None:
    plants = _plants(library, 22, [40], reshape=False)
    rng = random.Random(7)
    draft = _fresh(rng, library, 50) + "“" + plants[0].text + "”（《政府工作报告》）" + _fresh(rng, library, 50)
    report = check(draft, library.store)
    assert report.copied_chars == 40
    assert report.copy_ratio_excluding_quotes == 0.0
    assert all(s.quoted for s in report.spans)


def test_a_lower_min_run_reports_short_runs_but_never_under_8(library: Library) -> None:
    plants = _plants(library, 31, [8, 12, 13, 20], reshape=False)
    draft = _draft(library, plants, random.Random(8))
    report = check(draft, library.store, min_run=8)
    for plant in plants[2:]:
        assert any(s.start == plant.start and s.end == plant.end for s in report.spans)
    assert all(len(content_chars(draft[s.start : s.end])[0]) >= 8 for s in report.spans)
    with pytest.raises(InputError):
        check("任何文字", library.store, min_run=7)


def test_the_same_copy_twice_is_reported_twice(library: Library) -> None:
    plants = _plants(library, 41, [25], reshape=False)
    rng = random.Random(9)
    draft = _fresh(rng, library, 40) + plants[0].text + _fresh(rng, library, 40) + plants[0].text
    report = check(draft, library.store)
    assert report.copied_chars == 50
    assert [s.source_id for s in report.spans] == [plants[0].doc_id] * 2


def test_fresh_text_and_empty_drafts_have_no_copies(library: Library) -> None:
    report = check(_fresh(random.Random(3), library, 500), library.store)
    assert (report.copied_chars, report.spans, report.sources) == (0, [], [])
    empty = check("  \n，。", library.store)
    assert (empty.chars, empty.copy_ratio, empty.spans) == (0, 0.0, [])


def _body_grams(text: str, size: int, within_blocks: bool) -> set[str]:
    """Every `size`-gram of the content characters of a document's body (titles left out)."""
    lines = text.split("\n")[1:]
    pieces = [content_chars(line)[0] for line in lines] if within_blocks else [content_chars("".join(lines))[0]]
    return {p[i : i + size] for p in pieces for i in range(len(p) - size + 1)}


def _assert_between_brute_force_bounds(lib: Library, draft: str) -> None:
    """What the check marks must lie between what a brute-force scan finds inside paragraphs and what it finds
    across them, and every span must be a verbatim copy of its source."""
    report = check(draft, lib.store)
    chars, offsets = content_chars(draft)
    marked = set()
    for span in report.spans:
        marked.update(i for i, o in enumerate(offsets) if span.start <= o < span.end)
        source = content_chars(lib.docs[span.source_id].text)
        k = source[1].index(span.source_start)
        piece = content_chars(draft[span.start : span.end])[0]
        assert source[0][k : k + len(piece)] == piece  # every span is a verbatim copy of its source
    lower, upper = set(), set()
    for text in (d.text for d in lib.docs.values()):
        inside, across = _body_grams(text, 13, True), _body_grams(text, 13, False)
        for i in range(len(chars) - 12):
            if chars[i : i + 13] in inside:
                lower.update(range(i, i + 13))
            if chars[i : i + 13] in across:
                upper.update(range(i, i + 13))
    assert lower, "the draft shares phrases with the library"
    assert lower <= marked <= upper
    assert report.copied_chars == len(marked)


def test_genre_draft_against_brute_force(tmp_path: Path) -> None:
    """The fixture compilation (two speeches in the genre) against a library of the demo set: it shares its
    closing formulas and set phrases with the demo speeches, nothing more."""
    demo = _ingested(tmp_path, [p for p in project_documents() if p.parent != COMPILATION.parent])
    try:
        _assert_between_brute_force_bounds(demo, COMPILATION.read_text(encoding="utf-8"))
    finally:
        demo.store.close()


def test_the_sample_against_the_corpus_against_brute_force(corpus_library: Library, sample_text: str) -> None:
    """The sample (a real speech compilation) shares many phrases with the real reports."""
    _assert_between_brute_force_bounds(corpus_library, sample_text)


def test_sections_follow_level_1_headings() -> None:
    from sucai.originality.sections import sections

    draft = "同志们：\n开场白。\n一、第一部分标题\n正文一。\n二、第二部分。正文\n正文二。"
    found = sections(draft)
    assert [s.heading for s in found] == ["（开头）", "一、第一部分标题", "二、第二部分"]
    first_lines = [draft[s.start : s.end].split("\n")[0] for s in found]
    assert first_lines == ["同志们：", "一、第一部分标题", "二、第二部分。正文"]
    assert found[-1].end == len(draft)
    assert [s.heading for s in sections("（一）甲\n乙\n（二）丙")] == ["（一）甲", "（二）丙"]
    assert [s.heading for s in sections("没有标题的短文。")] == ["（全文）"]


def test_section_figures_add_up(library: Library) -> None:
    plants = _plants(library, 51, [30, 40], reshape=False)
    rng = random.Random(10)
    draft = (_fresh(rng, library, 30) + "\n一、" + _fresh(rng, library, 20) + plants[0].text + "\n二、"
             + plants[1].text + _fresh(rng, library, 20))
    report = check(draft, library.store)
    assert [s.heading[:2] for s in report.sections] == ["（开", "一、", "二、"]
    assert [s.copied_chars for s in report.sections] == [0, 30, 40]
    assert sum(s.chars for s in report.sections) == report.chars
    assert report.sections[2].copy_ratio == 40 / report.sections[2].chars


def test_report_docx_marks_the_copied_spans(library: Library) -> None:
    plants = _plants(library, 61, [30], reshape=False)
    rng = random.Random(11)
    draft = _fresh(rng, library, 30) + plants[0].text + _fresh(rng, library, 30)
    report = check(draft, library.store)
    data = check_report_docx(draft, report)
    word = docx.Document(io.BytesIO(data))
    marked = [r.text for p in word.paragraphs for r in p.runs if r.font.highlight_color is not None]
    assert marked == [plants[0].text]
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert f"{report.copy_ratio * 100:.1f}%" in cells
    assert library.docs[plants[0].doc_id].title in cells


def test_quotations_need_a_verb_of_saying_or_a_citation() -> None:
    from sucai.originality.quotes import quote_spans

    text = "他指出：“甲乙丙”，又强调“丁戊”。树立“四个意识”。“己庚辛”（《论语》）\n“未闭合"
    inside = [text[s:e] for s, e in quote_spans(text)]
    assert inside == ["甲乙丙", "丁戊", "己庚辛"]
