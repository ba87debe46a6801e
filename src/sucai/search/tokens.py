"""Our own tokens for the engine: overlapping bigrams of normalised text, one paragraph at a time.

Every paragraph of n >= 1 characters yields its n-1 bigrams, then its last character alone, then a
separator token; each token takes the next position. So a phrase query over a query's bigrams (at
their offsets) matches exactly where the normalised paragraph contains the query, a one-character
query is the regex `c.?` over the terms, and no match can span two paragraphs.

The engine's whitespace tokenizer splits on ASCII whitespace; normalised text has none (normalize
drops it), and token_safe maps any that a caller might pass to U+FFFF, in tokens and queries alike.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable

import numpy as np
import tantivy

# Three characters: never equal to a bigram, never matched by the one-character regex.
SEPARATOR = "\u2029\u2029\u2029"
_ASCII_SPACE = str.maketrans({c: "\uffff" for c in " \t\n\r\x0b\x0c"})
_HAS_ASCII_SPACE = re.compile("[ \t\n\r\x0b\x0c]")


def token_safe(normalized: str) -> str:
    """The normalised text as tokens carry it (ASCII whitespace -> U+FFFF)."""
    # Normalised text has no whitespace: skip translate's dictionary lookup per character.
    if _HAS_ASCII_SPACE.search(normalized) is None:
        return normalized
    return normalized.translate(_ASCII_SPACE)


def paragraph_tokens(normalized: str) -> str:
    """One normalised paragraph as space-separated tokens, closed by the separator."""
    text = token_safe(normalized)
    if not text:
        return ""
    bigrams = " ".join(map(operator.add, text, text[1:]))
    if bigrams:
        return f"{bigrams} {text[-1]} {SEPARATOR}"
    return f"{text} {SEPARATOR}"


def document_tokens(normalized_paragraphs: Iterable[str]) -> str:
    """The token string of a field: every non-empty paragraph's tokens, in order."""
    paragraphs = [p for p in map(token_safe, normalized_paragraphs) if p]
    if sum(map(len, paragraphs)) >= VECTOR_FROM_CHARS:
        return _document_tokens_vectorised(paragraphs)
    return " ".join(map(paragraph_tokens, paragraphs))


VECTOR_FROM_CHARS = 200  # below this, numpy's fixed cost outweighs a character-by-character join
_SPACE, _SEP = ord(" "), ord(SEPARATOR[0])


def _document_tokens_vectorised(paragraphs: list[str]) -> str:
    """document_tokens for token-safe, non-empty paragraphs, built as UTF-32 code units in numpy.

    Each character emits its bigram with the next one and a space, or, ending its paragraph, itself, a
    space, the separator and a space: rows of six units, of which a bigram uses the first three."""
    units = np.frombuffer("".join(paragraphs).encode("utf-32-le"), dtype=np.uint32)
    last = np.zeros(len(units), dtype=bool)
    last[np.cumsum([len(p) for p in paragraphs]) - 1] = True
    following = np.append(units[1:], np.uint32(_SPACE))
    rows = np.empty((len(units), 6), dtype=np.uint32)
    rows[:, 0] = units
    rows[:, 1] = np.where(last, _SPACE, following)
    rows[:, 2] = np.where(last, _SEP, _SPACE)
    rows[:, 3:5] = _SEP
    rows[:, 5] = _SPACE
    used = np.ones(rows.shape, dtype=bool)
    used[~last, 3:] = False
    return rows[used][:-1].tobytes().decode("utf-32-le")


def char_tokens(normalized_paragraphs: Iterable[str]) -> str:
    """Every character as a token of its own (for one-character queries)."""
    return " ".join(token_safe("".join(normalized_paragraphs)))


def phrase_terms(normalized_query: str) -> list[tuple[int, str]]:
    """(offset, bigram) terms that pin down a query of >= 2 characters exactly.

    Bigrams at even offsets cover every character; the last bigram closes an odd length. Skipping
    the others is exact because a paragraph ends with two non-bigram tokens (last char, separator),
    which a step of two cannot jump."""
    text = token_safe(normalized_query)
    if len(text) < 2:
        raise ValueError("phrase_terms needs at least two characters")
    last = len(text) - 2
    offsets = list(range(0, last + 1, 2))
    if offsets[-1] != last:
        offsets.append(last)
    return [(i, text[i : i + 2]) for i in offsets]


def single_char_pattern(normalized_char: str) -> str:
    """Regex over terms for a one-character query: the char alone (paragraph end) or starting a bigram."""
    ch = token_safe(normalized_char)
    return f"\\x{{{ord(ch):X}}}.?"


def phrase_query(schema: tantivy.Schema, field: str, text: str) -> tantivy.Query:
    """Exact substring of one paragraph of `field` (a field of our tokens); text already normalised."""
    if len(text) == 1:
        return tantivy.Query.regex_query(schema, field, single_char_pattern(text))
    pairs = phrase_terms(text)
    if len(pairs) == 1:
        return tantivy.Query.term_query(schema, field, pairs[0][1])
    words: list[str | tuple[int, str]] = [*pairs]
    return tantivy.Query.phrase_query(schema, field, words)
