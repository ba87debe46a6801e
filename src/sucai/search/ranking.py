"""The order of results, the same on every node and on every page.

Documents whose title holds more of the query's phrases come first (a tier per count); within a tier,
by BM25 score as the engine computes it, then by document id (newest first). Each tier is searched as a
query of its own, so scores are compared exactly: adding a large constant per title phrase to a float32
score (the former 1e6 boost) rounds BM25 to steps of 1/16 and makes distinct scores tie. Ties are broken
by id, never by where a document sits in the index (which differs between nodes): a tie group that straddles
a page boundary is fetched whole before the page is cut from it. A query of filters only has no
meaningful score: it is ordered by id alone.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import tantivy

from sucai.search.query import ParsedQuery
from sucai.search.tokens import phrase_query

TITLE_TIER = 1_000_000.0  # the score reported for a hit: tier * TITLE_TIER + BM25 (float64: nothing rounds)
MAX_TIER_PHRASES = 4  # title tiers count at most this many phrases (C(4, 2) = 6 clauses at most)
TIE_SLACK = 32  # hits fetched beyond the page, so that a tie at its end is usually complete at once
_Occur = tantivy.Occur

Ranked = tuple[float, int]  # (score as reported, document id)


def _all(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(_Occur.Must, q) for q in queries])


def _at_least(titles: list[tantivy.Query], k: int) -> tantivy.Query:
    """Titles holding at least k of the phrases."""
    groups = [_all(list(group)) for group in combinations(titles, k)]
    return groups[0] if len(groups) == 1 else tantivy.Query.boolean_query([(_Occur.Should, g) for g in groups])


def tier_queries(schema: tantivy.Schema, parsed: ParsedQuery, match: tantivy.Query) -> list[tuple[int, tantivy.Query]]:
    """(tier, query) from the highest tier down; each query scores exactly as `match` does."""
    phrases = list(dict.fromkeys(parsed.phrases()))[:MAX_TIER_PHRASES]
    titles = [phrase_query(schema, "title", p) for p in phrases]
    tiers: list[tuple[int, tantivy.Query]] = []
    for k in range(len(titles), -1, -1):
        clauses = [(_Occur.Must, match)]
        if k:  # a zero constant: it selects without adding to the score
            clauses.append((_Occur.Must, tantivy.Query.const_score_query(_at_least(titles, k), 0.0)))
        if k < len(titles):
            clauses.append((_Occur.MustNot, _at_least(titles, k + 1)))
        tiers.append((k, tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else match))
    return tiers


def _ranked_in(
    searcher: tantivy.Searcher, query: tantivy.Query, skip: int, take: int, hits: list[tuple[float, Any]]
) -> list[tuple[float, int]]:
    """Hits skip .. skip+take of one tier by (score, id), both descending, with ties resolved by id; `hits` is
    the tier's first fetch (skip + take + TIE_SLACK best), fetched again larger while the page ends in a tie."""
    want = skip + take
    fetch = want + TIE_SLACK
    while len(hits) >= fetch and hits[-1][0] >= hits[want - 1][0]:  # the page's last score may go on: a tie
        fetch *= 4
        hits = searcher.search(query, fetch, count=False).hits
    ids = searcher.fast_field_values("id", [addr for _score, addr in hits])
    ranked = sorted(
        ((float(score), int(i)) for (score, _addr), i in zip(hits, ids, strict=True) if i is not None),
        key=lambda hit: (-hit[0], -hit[1]),
    )
    return ranked[skip:want]


def _by_id(searcher: tantivy.Searcher, match: tantivy.Query, limit: int, offset: int) -> list[Ranked]:
    found = searcher.search(match, limit, count=False, order_by_field="id", offset=offset, order=tantivy.Order.Desc)
    ids = searcher.fast_field_values("id", [addr for _key, addr in found.hits])
    return [(0.0, int(i)) for i in ids if i is not None]


def ranked_page(
    searcher: tantivy.Searcher, schema: tantivy.Schema, parsed: ParsedQuery, match: tantivy.Query,
    limit: int, offset: int,
) -> list[Ranked]:
    """The page of documents from `offset`, at most `limit`, in the one order every node agrees on."""
    if limit <= 0:
        return []
    if not parsed.phrases():
        return _by_id(searcher, match, limit, offset)
    page: list[Ranked] = []
    skip = offset
    tiers = tier_queries(schema, parsed, match)
    for position, (tier, query) in enumerate(tiers):
        if len(page) >= limit:
            break
        take = limit - len(page)
        counted = position < len(tiers) - 1  # the last tier needs no count: it is the rest
        first = searcher.search(query, skip + take + TIE_SLACK, count=counted)  # counted in the same pass
        if counted and skip >= (size := int(first.count or 0)):  # type: ignore[attr-defined]
            skip -= size
            continue
        found = _ranked_in(searcher, query, skip, take, first.hits)
        page += [(tier * TITLE_TIER + score, doc_id) for score, doc_id in found]
        skip = 0
    return page
