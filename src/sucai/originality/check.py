"""The originality check (查重): a draft against the whole library, with CNKI-style figures.

1. The draft's content characters (see fingerprint.py) are winnowed exactly as documents are at ingest, so
   every run of GUARANTEE (13) or more content characters it shares with a document shares a fingerprint.
2. Candidate documents come from one batched fingerprint lookup; each hit is a seed (draft position,
   document position).
3. Candidates are verified greedily, most seeds first: the document is read back, every seed is checked
   character by character and extended both ways as far as the texts agree. Fingerprints never span two
   blocks, so the guarantee is for runs inside one block of the source; a run found there is extended
   across block boundaries (a copied heading and its paragraph are one run), never into a title block.
   A candidate whose seeds only touch draft characters already explained is skipped, so a phrase found
   in thousands of documents costs one verification, not thousands.

Figures, all counted in content characters (letters, digits, CJK; no punctuation or spaces):
`chars` the draft's content characters; `copied_chars` those inside a shared run of at least `min_run`;
`copy_ratio` = copied / chars (总文字复制比); `copy_ratio_excluding_quotes` the same without the copied
characters inside quotations (去除引用文献复制比, see quotes.py); `max_single_source_ratio` the largest share
one source explains on its own (单篇最大文字复制比). `sources[i].copied_chars` counts every draft character that
source shares in runs of at least `min_run`, so sources may overlap. Spans partition the copied characters:
each is attributed to the source with the longest run covering it, is wholly inside or outside a
quotation, and has `start`/`end` in characters of the draft as given and `source_start` in characters of the
source's `Document.text`. With min_run below 13 runs shorter than 13 are reported when found, not guaranteed.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sucai.errors import InputError
from sucai.model import CheckReport, CopiedSpan, Document, SectionFigure, SourceShare
from sucai.originality.fingerprint import (
    GUARANTEE,
    Codes,
    K,
    Positions,
    block_ids,
    content_array,
    kgram_hashes,
    stored_hash,
    winnow,
)
from sucai.originality.quotes import quote_spans
from sucai.originality.sections import sections
from sucai.store.base import Store

MIN_REPORTED = 8  # no run shorter than this is ever reported
_BATCH = 16  # candidate documents read back per store call
_CHUNK = 256  # characters compared per numpy step when extending a seed
QUOTA = 4  # documents verified per draft k-gram that turn out to share no long run through it

__all__ = ["GUARANTEE", "MIN_REPORTED", "check"]


@dataclass
class _Source:
    """A candidate document read back: content characters, their offsets in doc.text, block of each."""

    doc: Document
    codes: Codes
    offsets: Positions
    body: npt.NDArray[np.bool_]  # False for the characters of title blocks
    bounds: Positions  # where stretches of body (or of title) characters start, then the end

    @classmethod
    def of(cls, doc: Document) -> _Source:
        codes, offsets = content_array(doc.text)
        body = block_ids(doc, offsets) >= 0
        changes = np.flatnonzero(body[1:] != body[:-1]) + 1
        return cls(doc, codes, offsets, body, np.concatenate(([0], changes, [codes.size])))

    def body_range(self, pos: int) -> tuple[int, int]:
        """[start, end) of the stretch of body characters around `pos` (runs never enter a title)."""
        k = int(np.searchsorted(self.bounds, pos, "right")) - 1
        return int(self.bounds[k]), int(self.bounds[k + 1])


@dataclass(frozen=True)
class _Candidate:
    doc_id: int
    seeds: list[tuple[int, int]]  # (draft position, document position) of a shared k-gram
    starts: Positions  # the distinct draft positions of those k-grams
    score: float  # evidence: each seed weighs 1 / (documents sharing its fingerprint)

    @classmethod
    def of(cls, doc_id: int, seeds: list[tuple[int, int]], score: float) -> _Candidate:
        return cls(doc_id, seeds, np.unique(np.array([p for p, _ in seeds], np.int64)), score)


@dataclass
class _Attribution:
    """The verified runs, and which draft content characters they explain so far."""

    explained: npt.NDArray[np.bool_]
    misses: npt.NDArray[np.int64]  # per draft k-gram: verified documents sharing it but no long run through it
    sources: list[_Source] = field(default_factory=list)
    overlap: list[int] = field(default_factory=list)  # per source: draft chars it shares on its own
    runs: list[tuple[int, int, int, int]] = field(default_factory=list)  # (source, start, end, source start)

    def can_explain(self, candidate: _Candidate) -> bool:
        """Whether a seed of the candidate touches an unexplained character and is still worth a look."""
        open_ = candidate.starts[self.misses[candidate.starts] < QUOTA]
        return bool(open_.size) and not bool(self.explained[open_[:, None] + np.arange(K)].all())

    def count_misses(self, candidate: _Candidate) -> None:
        unexplained = ~self.explained[candidate.starts[:, None] + np.arange(K)].all(axis=1)
        self.misses[candidate.starts[unexplained]] += 1

    def add(self, source: _Source, runs: list[tuple[int, int, int]]) -> None:
        shared = np.zeros(self.explained.size, bool)
        for start, end, src_start in runs:
            shared[start:end] = True
            self.runs.append((len(self.sources), start, end, src_start))
        self.explained |= shared
        self.sources.append(source)
        self.overlap.append(int(shared.sum()))

    def owners(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Each draft character's source (-1 = none) and position in it: the longest run covering it wins."""
        owner = np.full(self.explained.size, -1, np.int64)
        source_pos = np.zeros(self.explained.size, np.int64)
        for index, start, end, src_start in sorted(self.runs, key=lambda r: (r[1] - r[2], r[0], r[1])):
            free = np.flatnonzero(owner[start:end] < 0) + start
            owner[free] = index
            source_pos[free] = free - start + src_start
        return owner, source_pos


def check(draft: str, store: Store, *, min_run: int = GUARANTEE) -> CheckReport:
    """Compare a draft with every document in the store; see the module docstring for the figures."""
    if min_run < MIN_REPORTED:
        raise InputError(f"min_run must be at least {MIN_REPORTED} characters, not {min_run}")
    codes, offsets = content_array(draft)
    candidates = _candidates(codes, store)
    attribution = _attribute(codes, candidates, store, min_run)
    return _report(draft, offsets, attribution)


def _candidates(codes: Codes, store: Store) -> list[_Candidate]:
    """Documents sharing a fingerprint with the draft, most seeds first."""
    hashes = kgram_hashes(codes)
    if hashes.size == 0:
        return []
    values = stored_hash(hashes).tolist()
    chosen = {values[p] for p in winnow(hashes).tolist()}
    where: dict[int, list[int]] = defaultdict(list)
    for pos, value in enumerate(values):
        if value in chosen:
            where[value].append(pos)
    hits = store.lookup_fingerprints(sorted(chosen))
    sharing: dict[int, set[int]] = defaultdict(set)
    for hit in hits:
        sharing[hit.hash].add(hit.doc_id)
    seeds: dict[int, list[tuple[int, int]]] = defaultdict(list)
    score: dict[int, float] = defaultdict(float)
    for hit in hits:
        seeds[hit.doc_id].extend((pos, hit.pos) for pos in where[hit.hash])
        score[hit.doc_id] += len(where[hit.hash]) / len(sharing[hit.hash])
    candidates = [_Candidate.of(doc_id, found, score[doc_id]) for doc_id, found in seeds.items()]
    return sorted(candidates, key=lambda c: (-c.score, c.doc_id))


def _attribute(codes: Codes, candidates: Sequence[_Candidate], store: Store, min_run: int) -> _Attribution:
    """Verify candidates greedily, skipping those that can only re-explain what is explained."""
    attribution = _Attribution(np.zeros(codes.size, bool), np.zeros(codes.size, np.int64))
    queue = deque(candidates)
    while queue:
        batch: list[_Candidate] = []
        while queue and len(batch) < _BATCH:
            candidate = queue.popleft()
            if attribution.can_explain(candidate):
                batch.append(candidate)
        docs = {d.id: d for d in store.documents([c.doc_id for c in batch])}
        for candidate in batch:
            doc = docs.get(candidate.doc_id)
            if doc is None or not attribution.can_explain(candidate):
                continue
            source = _Source.of(doc)
            runs = shared_runs(codes, source, candidate.seeds, min_run)
            if runs:
                attribution.add(source, runs)
            attribution.count_misses(candidate)
    return attribution


def shared_runs(
    codes: Codes, source: _Source, seeds: Sequence[tuple[int, int]], min_run: int
) -> list[tuple[int, int, int]]:
    """(draft start, draft end, source start) of each maximal exact run through a seed, at least min_run long."""
    runs: list[tuple[int, int, int]] = []
    reached: dict[int, int] = {}  # diagonal -> draft end of the last run found on it
    for pos, src in sorted(seeds, key=lambda s: (s[1] - s[0], s[0])):
        diagonal = src - pos
        if reached.get(diagonal, -1) > pos or src >= source.codes.size:
            continue
        if not source.body[src]:
            continue  # a title block: never fingerprinted, never a source
        low, high = source.body_range(src)
        right = _common_prefix(codes, pos, source.codes, src, min(codes.size - pos, high - src))
        if right == 0:
            continue
        left = _common_suffix(codes, pos, source.codes, src, min(pos, src - low))
        start, end = pos - left, pos + right
        reached[diagonal] = end
        if end - start >= min_run:
            runs.append((start, end, start + diagonal))
    return runs


def _common_prefix(a: Codes, i: int, b: Codes, j: int, limit: int) -> int:
    """How many characters a[i:] and b[j:] agree on, up to limit."""
    done = 0
    while done < limit:
        step = min(_CHUNK, limit - done)
        diff = np.flatnonzero(a[i + done : i + done + step] != b[j + done : j + done + step])
        if diff.size:
            return done + int(diff[0])
        done += step
    return done


def _common_suffix(a: Codes, i: int, b: Codes, j: int, limit: int) -> int:
    """How many characters before a[i] and b[j] agree, up to limit."""
    done = 0
    while done < limit:
        step = min(_CHUNK, limit - done)
        diff = np.flatnonzero(a[i - done - step : i - done] != b[j - done - step : j - done])
        if diff.size:
            return done + step - 1 - int(diff[-1])
        done += step
    return done


# ---------------------------------------------------------------- the report


def _quoted_mask(draft: str, offsets: Positions) -> npt.NDArray[np.bool_]:
    """For each draft content character, whether it lies inside a quotation."""
    inside = np.zeros(len(draft) + 1, bool)
    for start, end in quote_spans(draft):
        inside[start:end] = True
    return inside[offsets]


def _spans(
    offsets: Positions, attribution: _Attribution, owners: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    quoted: npt.NDArray[np.bool_],
) -> list[CopiedSpan]:
    """Maximal stretches with one source, contiguous in it, and one quotation state."""
    owner, src = owners
    if owner.size == 0:
        return []
    breaks = (owner[1:] != owner[:-1]) | (src[1:] != src[:-1] + 1) | (quoted[1:] != quoted[:-1])
    starts = np.concatenate(([0], np.flatnonzero(breaks) + 1))
    ends = np.concatenate((starts[1:], [owner.size]))
    spans = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        index = int(owner[a])
        if index < 0:
            continue
        source = attribution.sources[index]
        spans.append(CopiedSpan(
            start=int(offsets[a]), end=int(offsets[b - 1]) + 1, source_id=int(source.doc.id or 0),
            source_start=int(source.offsets[src[a]]), quoted=bool(quoted[a]),
        ))
    return spans


def _shares(attribution: _Attribution, owner: npt.NDArray[np.int64]) -> list[SourceShare]:
    """Every source that explains at least one character, largest overlap first."""
    used = [int(i) for i in np.unique(owner) if i >= 0]
    shares = [
        SourceShare(int(attribution.sources[i].doc.id or 0), attribution.sources[i].doc.title,
                    attribution.overlap[i])
        for i in used
    ]
    return sorted(shares, key=lambda s: (-s.copied_chars, s.id))


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _section_figures(draft: str, offsets: Positions, copied: npt.NDArray[np.bool_]) -> list[SectionFigure]:
    figures = []
    for section in sections(draft):
        lo, hi = np.searchsorted(offsets, [section.start, section.end])
        chars, done = int(hi - lo), int(copied[lo:hi].sum())
        figures.append(SectionFigure(section.heading, section.start, section.end, chars, done, _ratio(done, chars)))
    return figures


def _report(draft: str, offsets: Positions, attribution: _Attribution) -> CheckReport:
    chars = int(offsets.size)
    owners = attribution.owners()
    copied = owners[0] >= 0
    quoted = _quoted_mask(draft, offsets)
    shares = _shares(attribution, owners[0])
    copied_chars = int(copied.sum())
    return CheckReport(
        chars=chars,
        copied_chars=copied_chars,
        copy_ratio=_ratio(copied_chars, chars),
        copy_ratio_excluding_quotes=_ratio(int((copied & ~quoted).sum()), chars),
        max_single_source_ratio=_ratio(shares[0].copied_chars if shares else 0, chars),
        sources=shares,
        spans=_spans(offsets, attribution, owners, quoted),
        sections=_section_figures(draft, offsets, copied),
    )
