"""Candidate sources for a draft: one batched fingerprint lookup, turned into seeds grouped by document and
ranked by evidence, all in numpy (a genre draft shares some fingerprint with most of a large library)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sucai.originality.fingerprint import GUARANTEE, Codes, K, kgram_hashes, stored_hash, winnow
from sucai.store.base import SCOPE_WHOLE, Store

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Candidates:
    """Documents sharing a fingerprint with the draft, best first, with their seeds.

    A seed is (p, q): the draft's k-gram at content position p equals, by hash, the document's at q. A
    document's evidence is the sum over its seeds of 1 / (documents holding that fingerprint), so a seed
    shared with few documents counts for more than a stock phrase found everywhere."""

    doc_ids: Ints  # by rank
    bounds: Ints  # seeds of rank r are [bounds[r], bounds[r + 1])
    seed_p: Ints  # sorted by rank, then draft position
    seed_q: Ints

    def __len__(self) -> int:
        return int(self.doc_ids.size)

    def seeds(self, rank: int) -> tuple[Ints, Ints]:
        lo, hi = self.bounds[rank], self.bounds[rank + 1]
        return self.seed_p[lo:hi], self.seed_q[lo:hi]

    def any_open(self, ranks: Ints, open_kgrams: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """For each rank, whether one of its seeds is at a draft k-gram still open (see check.py)."""
        owner, index = _expand(self.bounds[ranks], self.bounds[ranks + 1])
        flags = open_kgrams[self.seed_p[index]]
        return np.bincount(owner, weights=flags, minlength=ranks.size) > 0


def _expand(lo: Ints, hi: Ints) -> tuple[Ints, Ints]:
    """For ranges [lo[i], hi[i]): (i repeated per element, the elements)."""
    sizes = hi - lo
    owner = np.repeat(np.arange(lo.size), sizes)
    firsts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return owner, lo[owner] + np.arange(int(sizes.sum())) - firsts[owner]


def _lookup(store: Store, wanted: list[int], scope: int) -> tuple[Ints, Ints, Ints]:
    hits = store.lookup_fingerprint_arrays(wanted, scope)
    return hits.hashes, hits.doc_ids, hits.positions


def _documents_per_hash(hashes: Ints, docs: Ints) -> Ints:
    """For each hit, how many distinct documents hold its hash."""
    pairs = np.unique((hashes + (1 << 31)) << 31 | docs)  # hashes are 32-bit, document ids below 2**31
    keys, counts = np.unique(pairs >> 31, return_counts=True)
    return counts[np.searchsorted(keys, hashes + (1 << 31))]


def find_candidates(codes: Codes, store: Store, scope: int = SCOPE_WHOLE) -> Candidates:
    """Look the draft's winnowed fingerprints up (those of `scope`: the whole texts, or the free texts for a
    viewer without member access) and seed every draft k-gram with a matching hash."""
    empty = np.zeros(0, np.int64)
    hashes = kgram_hashes(codes)
    if hashes.size == 0:
        return Candidates(empty, np.zeros(1, np.int64), empty, empty)
    values = stored_hash(hashes)
    chosen = np.unique(values[winnow(hashes)])
    hit_hash, hit_doc, hit_pos = _lookup(store, chosen.tolist(), scope)
    draft_pos = np.flatnonzero(np.isin(values, chosen))
    draft_pos = draft_pos[np.argsort(values[draft_pos], kind="stable")]
    sorted_values = values[draft_pos]
    hit_of_seed, at = _expand(np.searchsorted(sorted_values, hit_hash, "left"),
                              np.searchsorted(sorted_values, hit_hash, "right"))
    seed_p, seed_doc, seed_q = draft_pos[at], hit_doc[hit_of_seed], hit_pos[hit_of_seed]
    weight = 1.0 / _documents_per_hash(hit_hash, hit_doc)[hit_of_seed] if hit_hash.size else np.zeros(0)
    doc_ids, per_seed = np.unique(seed_doc, return_inverse=True)
    score = np.bincount(per_seed, weights=weight, minlength=doc_ids.size)
    order = np.lexsort((doc_ids, -score))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    seed_rank = rank[per_seed]
    by_rank = np.lexsort((seed_p, seed_rank))
    bounds = np.searchsorted(seed_rank[by_rank], np.arange(order.size + 1))
    return Candidates(doc_ids[order], bounds, seed_p[by_rank], seed_q[by_rank])


def near_unexplained(
    explained: npt.NDArray[np.bool_], first: int = 0, last: int | None = None
) -> npt.NDArray[np.bool_]:
    """For each draft k-gram start s in [first, last), whether an unexplained character lies in
    [s + K - 13, s + 13): the characters a run of 13 or more through that k-gram could explain (it holds a
    whole 13-window with s). Only explained[first + K - 13 : last + 13] is read."""
    n = explained.size
    last = n if last is None else min(last, n)
    first = min(max(first, 0), last)
    base = max(first + K - GUARANTEE, 0)
    counts = np.concatenate(([0], np.cumsum(~explained[base : min(last + GUARANTEE, n)])))
    starts = np.arange(first, last)
    lo, hi = np.clip(starts + K - GUARANTEE, 0, n) - base, np.clip(starts + GUARANTEE, 0, n) - base
    return np.asarray(counts[hi] > counts[lo], dtype=bool)
