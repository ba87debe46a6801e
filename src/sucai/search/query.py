"""The query language, parsed by our own small parser (user text never reaches the engine as syntax).

    query   := clause (WS clause)*            clauses are ANDed
    clause  := ['-'] alt                      '-' excludes
    alt     := atom (WS 'OR' WS atom)*        any one of the atoms
    atom    := filter | "quoted phrase" | word
    filter  := ('genre'|'year'|'tag'|'title') ':' (word | "quoted")

Phrases and title filters are normalised with sucai.normalize (spaces inside quotes vanish, as they do
in the indexed text), so a phrase means "this exact string occurs in one paragraph".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sucai.errors import QueryError
from sucai.normalize import normalize

FILTERS = ("genre", "year", "tag", "title")
MAX_QUERY_CHARS = 1000
_FILTER = re.compile(r"([A-Za-z]+):(.*)", re.S)
_YEAR = re.compile(r"(\d{1,4})(?:(?:-|\.\.)(\d{1,4}))?")


@dataclass(frozen=True)
class Phrase:
    """An exact string, already normalised, searched in the document's paragraphs."""

    text: str


@dataclass(frozen=True)
class Filter:
    """genre / tag (exact value), title (normalised substring), year (inclusive range)."""

    field: str
    value: str = ""
    year_from: int = 0
    year_to: int = 0


Atom = Phrase | Filter


@dataclass(frozen=True)
class AnyOf:
    """At least one of the atoms (A OR B OR ...)."""

    atoms: tuple[Atom, ...]


@dataclass(frozen=True)
class ParsedQuery:
    must: tuple[AnyOf, ...]
    must_not: tuple[AnyOf, ...] = ()

    def phrases(self) -> list[str]:
        """Every positive phrase, longest first (what snippets highlight)."""
        found = {a.text for alt in self.must for a in alt.atoms if isinstance(a, Phrase)}
        return sorted(found, key=lambda s: (-len(s), s))

    def title_phrases(self) -> list[str]:
        """Positive phrases and title: filters (what the title highlight marks)."""
        found = set(self.phrases())
        found |= {a.value for alt in self.must for a in alt.atoms if isinstance(a, Filter) and a.field == "title"}
        return sorted(found, key=lambda s: (-len(s), s))


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool
    negated: bool


def _fail(chinese: str, english: str) -> QueryError:
    return QueryError(f"{chinese} {english}")


def parse(query: str) -> ParsedQuery:
    """Parse a user's query; raises QueryError with a message fit to show them."""
    if len(query) > MAX_QUERY_CHARS:
        raise _fail(f"查询过长（最多 {MAX_QUERY_CHARS} 字）。", f"The query is too long (at most {MAX_QUERY_CHARS}).")
    tokens = _lex(query)
    if not tokens:
        raise _fail("请输入要搜索的词句。", "The query is empty.")
    groups = _group_or(tokens)
    must: list[AnyOf] = []
    must_not: list[AnyOf] = []
    for negated, atoms in groups:
        (must_not if negated else must).append(AnyOf(tuple(atoms)))
    if not must:
        raise _fail("查询不能只有排除项（-词），请至少给出一个要查找的词。",
                    "A query needs at least one term to find, not only exclusions.")
    return ParsedQuery(tuple(must), tuple(must_not))


def _lex(query: str) -> list[_Token]:
    """Split on whitespace outside quotes; a leading '-' negates; quotes keep their content together."""
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        start = i
        negated = query[i] == "-" and i + 1 < n and not query[i + 1].isspace()
        if negated:
            i += 1
        text, quoted, i = _lex_word(query, i)
        if negated and not text and not quoted:
            raise _fail(f"“{query[start:i]}” 无法解析。", f"Cannot parse {query[start:i]!r}.")
        tokens.append(_Token(text, quoted, negated))
    return tokens


def _lex_word(query: str, i: int) -> tuple[str, bool, int]:
    """One word from position i: a quoted phrase, a filter (value possibly quoted), or a bare word."""
    n = len(query)
    parts: list[str] = []
    quoted = False
    while i < n and not query[i].isspace():
        if query[i] == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise _fail("引号不成对：请补上右引号。", 'Unbalanced quote: add the closing ".')
            parts.append('"' + query[i + 1 : end] + '"')
            quoted = True
            i = end + 1
        else:
            parts.append(query[i])
            i += 1
    return "".join(parts), quoted, i


def _group_or(tokens: list[_Token]) -> list[tuple[bool, list[Atom]]]:
    """Fold `A OR B` into one group; each group is (negated, atoms)."""
    groups: list[tuple[bool, list[Atom]]] = []
    pending_or = False
    for tok in tokens:
        if tok.text == "OR" and not tok.quoted and not tok.negated:
            if not groups or pending_or:
                raise _fail("OR 两边都需要有词。", "OR needs a term on each side.")
            pending_or = True
            continue
        atom = _atom(tok)
        if pending_or:
            negated, atoms = groups[-1]
            if negated or tok.negated:
                raise _fail("排除项（-词）不能与 OR 连用。", "An exclusion (-term) cannot be part of an OR.")
            atoms.append(atom)
            pending_or = False
        else:
            groups.append((tok.negated, [atom]))
    if pending_or:
        raise _fail("OR 两边都需要有词。", "OR needs a term on each side.")
    return groups


def _atom(tok: _Token) -> Atom:
    match = _FILTER.fullmatch(tok.text)
    if match and not tok.text.startswith('"'):
        return _filter(match.group(1), match.group(2))
    return Phrase(_phrase_text(tok.text))


def _phrase_text(raw: str) -> str:
    text = normalize(raw.replace('"', "") if '"' in raw else raw)
    if not text:
        raise _fail("引号里没有可搜索的文字。", "The phrase has nothing to search for.")
    return text


def _filter(name: str, raw: str) -> Filter:
    field = name.lower()
    if field not in FILTERS:
        raise _fail(
            f"未知的筛选项 “{name}:”，可用：genre: year: tag: title:（要搜索冒号本身请加引号）。",
            f"Unknown filter {name}:, use one of genre: year: tag: title: (quote the text to search for a colon).",
        )
    value = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    if '"' in value:
        raise _fail(f"筛选项 {field}: 的值无法解析。", f"Cannot parse the value of {field}:.")
    if field == "year":
        return _year_filter(value)
    if field == "title":
        return Filter("title", _phrase_text(value))
    if not value.strip():
        raise _fail(f"筛选项 {field}: 后需要一个值。", f"The filter {field}: needs a value.")
    return Filter(field, value.strip())


def _year_filter(value: str) -> Filter:
    match = _YEAR.fullmatch(value.strip())
    if not match:
        raise _fail(f"年份 “{value}” 无效，请写成 year:2023 或 year:2020-2023。",
                    f"Invalid year {value!r}: write year:2023 or year:2020-2023.")
    lo = int(match.group(1))
    hi = int(match.group(2)) if match.group(2) else lo
    if hi < lo:
        lo, hi = hi, lo
    return Filter("year", year_from=lo, year_to=hi)
