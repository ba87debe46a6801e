"""The originality check (查重): a draft against the library as the viewer may read it, with CNKI-style figures.

A viewer who may read member-only text (`paid_visible`) is checked against every document's whole text; any
other viewer against every document's free text only (fingerprint.free_document: the non-paid blocks), from
the free-text fingerprints (SCOPE_FREE) to the verification and the figures. Its report is the one a library
whose paid blocks were deleted would give, so no span, count or ratio can tell anything of member-only text
(a draft of "known text + candidate character" lines learns nothing of what follows the known text there).

1. The draft's content characters (see fingerprint.py) are winnowed exactly as documents are at ingest, so
   every run of GUARANTEE (13) or more content characters it shares with a document shares a fingerprint.
2. Candidate documents come from one batched fingerprint lookup (candidates.py); each hit is a seed
   (draft position, document position). Documents are ranked by evidence: a seed weighs 1 / (documents
   holding its fingerprint), so a rare shared passage outranks stock phrases.
3. Candidates are verified best first: the document is read back, every seed is checked character by
   character and extended both ways as far as the texts agree. Fingerprints never span two blocks, so
   the guarantee is for runs inside one block of the source; a run found there is extended across block
   boundaries (a copied heading and its paragraph are one run), never into a title block.
4. A candidate is skipped when none of its seeds has an unexplained draft character within reach (a run
   of 13 through a k-gram at s can only cover [s + K - 13, s + 13)), so a phrase found in thousands of
   documents costs a few verifications, not thousands. For the same reason a seed position is given up
   once QUOTA verified documents sharing it have left its reach unexplained. That is the one exception
   to the guarantee: a run through a fingerprint that more than QUOTA better-ranked documents share
   without the run. Measured (bench/bench_check.py, 90M characters, a draft of mutated library
   sentences built to hit it): one character in 2,489 missed, at the end of a reported run.

Figures, all counted in content characters (letters, digits, CJK; no punctuation or spaces):
`chars` the draft's content characters; `copied_chars` those inside a shared run of at least `min_run`;
`copy_ratio` = copied / chars (总文字复制比); `copy_ratio_excluding_quotes` the same without the copied
characters inside quotations (去除引用文献复制比, see quotes.py); `max_single_source_ratio` the largest share
one source explains on its own (单篇最大文字复制比). `sources[i].copied_chars` counts every draft character that
source shares in runs of at least `min_run`, so sources may overlap. Spans partition the copied characters:
each is attributed to the source with the longest run covering it, is wholly inside or outside a
quotation, and has `start`/`end` in characters of the draft as given and `source_start` in characters of the
source's `Document.text` (for a viewer without member access, of the text that viewer reads of it:
`access.visible_document(doc, viewer).text`). With min_run below 13 runs shorter than 13 are reported when
found, not guaranteed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sucai.errors import InputError
from sucai.model import CheckReport, CopiedSpan, Document, SectionFigure, SourceShare
from sucai.originality.candidates import Candidates, Ints, find_candidates, near_unexplained
from sucai.originality.fingerprint import GUARANTEE, Positions, content_array, free_document
from sucai.originality.quotes import quote_spans
from sucai.originality.sections import sections
from sucai.store.base import SCOPE_FREE, SCOPE_WHOLE, Store

MIN_REPORTED = 8  # no run shorter than this is ever reported
QUOTA = 8  # documents verified per draft k-gram that leave its reach unexplained, before giving up on it
_BATCH = 16  # candidate documents read back per store call
_SWEEP = 512  # candidates screened at once
_GALLOP = 16  # characters compared at once when extending a seed

__all__ = ["GUARANTEE", "MIN_REPORTED", "QUOTA", "check"]


@dataclass
class _Source:
    """A candidate document read back: its content characters and their offsets in doc.text."""

    doc: Document
    text: str  # content characters
    offsets: Positions
    body: list[tuple[int, int]]  # stretches of content positions outside title blocks

    @classmethod
    def of(cls, doc: Document) -> _Source:
        codes, offsets = content_array(doc.text)
        cuts = [0]
        start = 0
        for block in doc.blocks:
            if block.kind == "title":  # never fingerprinted, so never a source
                cuts += np.searchsorted(offsets, [start, start + len(block.text)]).tolist()
            start += len(block.text) + 1
        cuts.append(int(codes.size))
        body = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2) if cuts[i] < cuts[i + 1]]
        return cls(doc, codes.astype("<u4").tobytes().decode("utf-32-le"), offsets, body)

    def body_range(self, pos: int) -> tuple[int, int] | None:
        for lo, hi in self.body:  # one stretch, or a few: called once a seed
            if lo <= pos < hi:
                return lo, hi
        return None


@dataclass(frozen=True)
class _Found:
    """What the report needs of a source that shares runs with the draft, and no more (a genre draft at the
    size cap meets thousands of sources at 90M characters: their whole texts would take ~200 MiB)."""

    doc_id: int
    title: str
    pieces: tuple[tuple[int, Positions], ...]  # per run: its first content position, its characters' offsets

    @classmethod
    def of(cls, source: _Source, runs: list[tuple[int, int, int]]) -> _Found:
        pieces = tuple((first, source.offsets[first : first + end - start].copy()) for start, end, first in runs)
        return cls(int(source.doc.id or 0), source.doc.title, pieces)

    def text_offset(self, pos: int) -> int:
        """Where content character `pos` (inside one of the runs) is in the source's text."""
        for first, offsets in self.pieces:
            if first <= pos < first + offsets.size:
                return int(offsets[pos - first])
        raise ValueError(f"content position {pos} is in no run of document {self.doc_id}")


@dataclass
class _Attribution:
    """The verified runs, and which draft content characters they explain so far."""

    explained: npt.NDArray[np.bool_]
    misses: Ints  # per draft k-gram: verified documents that shared it but left its reach unexplained
    near: npt.NDArray[np.bool_] = field(init=False)  # per draft k-gram: unexplained characters in reach
    sources: list[_Found] = field(default_factory=list)
    overlap: list[int] = field(default_factory=list)  # per source: draft chars it shares on its own
    runs: list[tuple[int, int, int, int]] = field(default_factory=list)  # (source, start, end, source start)

    def __post_init__(self) -> None:
        self.near = near_unexplained(self.explained)

    def open_kgrams(self) -> npt.NDArray[np.bool_]:
        return self.near & (self.misses < QUOTA)

    def worth_verifying(self, starts: Ints) -> bool:
        """Whether a seed has unexplained characters in reach, and fewer than QUOTA verified documents
        that shared it have failed to explain them."""
        return bool((self.near[starts] & (self.misses[starts] < QUOTA)).any())

    def add(self, source: _Source, runs: list[tuple[int, int, int]]) -> None:
        shared = np.zeros(self.explained.size, bool)
        for start, end, src_start in runs:
            shared[start:end] = True
            self.runs.append((len(self.sources), start, end, src_start))
        self.explained |= shared
        for start, end, _ in runs:  # only k-grams within reach of a newly explained character change
            lo, hi = start - GUARANTEE, end + GUARANTEE
            self.near[max(lo, 0) : hi] = near_unexplained(self.explained, lo, hi)
        self.sources.append(_Found.of(source, runs))
        self.overlap.append(int(shared.sum()))

    def count_misses(self, starts: Ints) -> None:
        self.misses[starts[self.near[starts]]] += 1  # a repeated index counts once, as it should

    def owners(self) -> tuple[Ints, Ints]:
        """Each draft character's source (-1 = none) and position in it: the longest run covering it wins."""
        owner = np.full(self.explained.size, -1, np.int64)
        source_pos = np.zeros(self.explained.size, np.int64)
        for index, start, end, src_start in sorted(self.runs, key=lambda r: (r[1] - r[2], r[0], r[1])):
            free = np.flatnonzero(owner[start:end] < 0) + start
            owner[free] = index
            source_pos[free] = free - start + src_start
        return owner, source_pos


def check(draft: str, store: Store, *, min_run: int = GUARANTEE, paid_visible: bool = True) -> CheckReport:
    """Compare a draft with every document in the store, as a viewer who may (`paid_visible`) or may not
    read member-only text; see the module docstring for the figures."""
    if min_run < MIN_REPORTED:
        raise InputError(f"min_run must be at least {MIN_REPORTED} characters, not {min_run}")
    codes, offsets = content_array(draft)
    candidates = find_candidates(codes, store, SCOPE_WHOLE if paid_visible else SCOPE_FREE)
    text = codes.astype("<u4").tobytes().decode("utf-32-le")
    attribution = _attribute(text, candidates, store, min_run, paid_visible)
    return _report(draft, offsets, attribution)


def _attribute(draft: str, candidates: Candidates, store: Store, min_run: int, paid_visible: bool) -> _Attribution:
    """Verify candidates best first, skipping those that can only re-explain what is explained."""
    attribution = _Attribution(np.zeros(len(draft), bool), np.zeros(len(draft), np.int64))
    for first in range(0, len(candidates), _SWEEP):
        ranks = np.arange(first, min(first + _SWEEP, len(candidates)))
        todo = ranks[candidates.any_open(ranks, attribution.open_kgrams())].tolist()
        for i in range(0, len(todo), _BATCH):
            _verify_batch(draft, candidates, todo[i : i + _BATCH], store, min_run, attribution, paid_visible)
    return attribution


def _verify_batch(draft: str, candidates: Candidates, ranks: list[int], store: Store, min_run: int,
                  attribution: _Attribution, paid_visible: bool) -> None:
    ranks = [r for r in ranks if attribution.worth_verifying(candidates.seeds(r)[0])]
    docs = {d.id: d for d in store.documents([int(candidates.doc_ids[r]) for r in ranks])} if ranks else {}
    for rank in ranks:
        doc = docs.get(int(candidates.doc_ids[rank]))
        starts, positions = candidates.seeds(rank)
        if doc is None or not attribution.worth_verifying(starts):
            continue
        # Seeds of free-text fingerprints are positions in the free text: runs are verified and extended
        # there, so they can neither reach into a paid block nor be cut short by one.
        source = _Source.of(doc if paid_visible else free_document(doc))
        runs = shared_runs(draft, source, zip(starts.tolist(), positions.tolist(), strict=True), min_run)
        if runs:
            attribution.add(source, runs)
        attribution.count_misses(starts)


def shared_runs(
    draft: str, source: _Source, seeds: Iterable[tuple[int, int]], min_run: int
) -> list[tuple[int, int, int]]:
    """(draft start, draft end, source start) of each maximal exact run through a seed, at least min_run long."""
    runs: list[tuple[int, int, int]] = []
    reached: dict[int, int] = {}  # diagonal -> draft end of the last run found on it
    for pos, src in sorted(seeds, key=lambda s: (s[1] - s[0], s[0])):
        diagonal = src - pos
        stretch = source.body_range(src)
        if reached.get(diagonal, -1) > pos or stretch is None:
            continue
        low, high = stretch
        right = _forward(draft, pos, source.text, src, min(len(draft) - pos, high - src))
        if right == 0:
            continue
        left = _backward(draft, pos, source.text, src, min(pos, src - low))
        start, end = pos - left, pos + right
        reached[diagonal] = end
        if end - start >= min_run:
            runs.append((start, end, start + diagonal))
    return runs


def _forward(a: str, i: int, b: str, j: int, limit: int) -> int:
    """How many characters a[i:] and b[j:] agree on, up to limit (whole slices first, then one by one)."""
    done = 0
    while done + _GALLOP <= limit and a[i + done : i + done + _GALLOP] == b[j + done : j + done + _GALLOP]:
        done += _GALLOP
    while done < limit and a[i + done] == b[j + done]:
        done += 1
    return done


def _backward(a: str, i: int, b: str, j: int, limit: int) -> int:
    """How many characters just before a[i] and b[j] agree, up to limit."""
    done = 0
    while done + _GALLOP <= limit and a[i - done - _GALLOP : i - done] == b[j - done - _GALLOP : j - done]:
        done += _GALLOP
    while done < limit and a[i - done - 1] == b[j - done - 1]:
        done += 1
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
            start=int(offsets[a]), end=int(offsets[b - 1]) + 1, source_id=source.doc_id,
            source_start=source.text_offset(int(src[a])), quoted=bool(quoted[a]),
        ))
    return spans


def _shares(attribution: _Attribution, owner: npt.NDArray[np.int64]) -> list[SourceShare]:
    """Every source that explains at least one character, largest overlap first."""
    used = [int(i) for i in np.unique(owner) if i >= 0]
    shares = [
        SourceShare(attribution.sources[i].doc_id, attribution.sources[i].title, attribution.overlap[i])
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
