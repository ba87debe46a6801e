"""Our tokens: what the engine indexes, and that phrase queries over them are exact substring matches."""

from __future__ import annotations

import tantivy
from hypothesis import given, settings
from hypothesis import strategies as st

from sucai.normalize import normalize
from sucai.search.index import ALL_FIELDS, FREE_FIELDS, Fields, body_query, main_schema
from sucai.search.tokens import (
    SEPARATOR,
    char_tokens,
    document_tokens,
    paragraph_tokens,
    phrase_terms,
    single_char_pattern,
    token_safe,
)


def test_a_paragraph_is_its_bigrams_then_its_last_character_then_the_separator() -> None:
    assert paragraph_tokens("以学铸魂") == f"以学 学铸 铸魂 魂 {SEPARATOR}"
    assert paragraph_tokens("魂") == f"魂 {SEPARATOR}"
    assert paragraph_tokens("") == ""


def test_paragraphs_are_joined_and_empty_ones_skipped() -> None:
    assert document_tokens(["ab", "", "c"]) == f"ab b {SEPARATOR} c {SEPARATOR}"


def test_the_engine_tokenizer_gives_exactly_our_tokens_one_position_each() -> None:
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    text = normalize("以学　铸魂¨x")  # an ideographic space vanishes; NFKC of ¨ holds an ASCII space
    tokens = paragraph_tokens(text)
    assert analyzer.analyze(tokens) == tokens.split(" ")
    assert all(" " not in t for t in tokens.split(" "))


def test_ascii_whitespace_from_normalisation_is_carried_as_one_character() -> None:
    assert token_safe("a b\tc") == "a\uffffb\uffffc"
    assert len(token_safe(normalize("¨"))) == len(normalize("¨"))


def test_phrase_terms_cover_every_character_with_as_few_bigrams_as_possible() -> None:
    assert phrase_terms("以学") == [(0, "以学")]
    assert phrase_terms("以学铸") == [(0, "以学"), (1, "学铸")]
    assert phrase_terms("以学铸魂") == [(0, "以学"), (2, "铸魂")]
    assert phrase_terms("以学铸魂以") == [(0, "以学"), (2, "铸魂"), (3, "魂以")]


def test_every_character_is_also_a_token_of_its_own() -> None:
    assert char_tokens(["以学", "", "a b"]) == "以 学 a \uffff b"


def test_a_single_character_becomes_an_escaped_regex() -> None:
    assert single_char_pattern("以") == "\\x{4EE5}.?"
    assert single_char_pattern("*") == "\\x{2A}.?"


# -- exactness against brute force, in a real (in-memory) engine index ----------------------------
def _index(docs: list[list[str]]) -> tuple[tantivy.Index, tantivy.Schema]:
    schema = main_schema()
    index = tantivy.Index(schema)
    writer = index.writer(15_000_000, 1)
    for doc_id, paragraphs in enumerate(docs):
        doc = tantivy.Document()
        doc.add_integer("id", doc_id)
        # odd paragraphs member-only: a member's query must still match as over the whole text
        for field, part in (("free", paragraphs[0::2]), ("paid", paragraphs[1::2])):
            doc.add_text(f"{field}_body", document_tokens(part))
            doc.add_text(f"{field}_chars", char_tokens(part))
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, schema


def _engine_ids(index: tantivy.Index, schema: tantivy.Schema, query: str, fields: Fields = ALL_FIELDS) -> set[int]:
    searcher = index.searcher()
    found = searcher.search(body_query(schema, query, fields), 1000)
    return {int(v) for v in searcher.fast_field_values("id", [a for _s, a in found.hits]) if v is not None}


# A tiny alphabet makes overlaps, repeats and paragraph-boundary coincidences common.
paragraphs = st.lists(st.text(alphabet="ab+", min_size=0, max_size=12), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(docs=st.lists(paragraphs, min_size=1, max_size=6), query=st.text(alphabet="ab+", min_size=1, max_size=7))
def test_phrase_queries_over_our_tokens_equal_substring_search(docs: list[list[str]], query: str) -> None:
    index, schema = _index(docs)
    expected = {i for i, paras in enumerate(docs) if any(query in p for p in paras)}
    assert _engine_ids(index, schema, query) == expected
    free = {i for i, paras in enumerate(docs) if any(query in p for p in paras[0::2])}
    assert _engine_ids(index, schema, query, FREE_FIELDS) == free


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="以学铸魂ab \U00020000", max_size=90), max_size=8))
def test_long_fields_are_tokenised_exactly_as_paragraph_by_paragraph(paragraphs: list[str]) -> None:
    """Fields of 200+ characters take a vectorised path: it must give the very same token string."""
    expected = " ".join(t for t in map(paragraph_tokens, paragraphs) if t)
    assert document_tokens(paragraphs) == expected
    assert document_tokens([p * 5 for p in paragraphs]) == " ".join(
        t for t in (paragraph_tokens(p * 5) for p in paragraphs) if t
    )
