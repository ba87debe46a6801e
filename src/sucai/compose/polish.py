"""Polishing (润笔): suggestions a drafter would accept, each an edit that applies with one click and undoes.

    report = polish(text, phrase_lookup=library_phrases)
    new_text = apply_edit(text, report.edits[0])

Rules: `parallel` (headings of one level whose lead phrases are not parallel — 以学铸魂/以学增智/以学正风/
以学促干 — with the odd one out marked), `filler` (进一步, 切实, 相关, 有关 … used again in one paragraph),
`repeat` (a word used three times or more in one paragraph), `weak-opening` (我认为, 众所周知 …), `split`
(a sentence over the length limit, split at the clause nearest its middle), `phrase` (金句 from the library's
phrase bank on the section's topic, each with its source). Offsets are characters of the text as given.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from sucai.compose.headings import first_words
from sucai.compose.lint import lines_with_offsets
from sucai.ingest.structure import numbering_at
from sucai.model import PhraseHit

FILLERS = ("进一步", "切实", "相关", "有关", "不断", "大力", "积极", "认真", "有效", "全面")
WEAK_OPENINGS = (
    "我认为", "我觉得", "我个人认为", "众所周知", "大家都知道", "不可否认", "总的来说", "总而言之", "毫无疑问",
    "在当今社会", "随着社会的发展", "随着时代的发展", "首先我想说",
)
# Verbs a draft leans on until they wear out; a topic's own nouns (安全生产 in a safety speech) repeat rightly.
OVERUSED_VERBS = (
    "加强", "强化", "提高", "提升", "推进", "推动", "落实", "深化", "深入", "扎实", "着力", "努力", "做好", "抓好",
)
REPEAT_MIN = 3
MAX_SENTENCE = 90  # longer sentences read better split (lint's hard limit is far higher)
PHRASES_PER_SECTION = 3
PhraseLookup = Callable[[str], Sequence[PhraseHit]]

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_CLAUSE_BREAK = "，；"


@dataclass(frozen=True)
class Edit:
    """One suggestion: replace text[start:end] (== original) with `replacement`; None = advice only."""

    rule: str
    start: int
    end: int
    original: str
    replacement: str | None
    message: str
    sources: list[PhraseHit] = field(default_factory=list)


@dataclass
class PolishReport:
    edits: list[Edit] = field(default_factory=list)


def polish(text: str, *, phrase_lookup: PhraseLookup | None = None, topics: Sequence[tuple[str, str]] = (),
           max_sentence: int = MAX_SENTENCE) -> PolishReport:
    """Every suggestion for a draft, in order of position."""
    lines = list(lines_with_offsets(text))
    edits = [*parallel_headings(lines), *fillers(lines), *repeats(lines), *weak_openings(lines),
             *long_sentences(lines, max_sentence)]
    if phrase_lookup is not None and topics:
        edits += topic_phrases(lines, phrase_lookup, topics)
    return PolishReport(sorted(edits, key=lambda e: (e.start, e.end, e.rule)))


def apply_edit(text: str, edit: Edit) -> str:
    """The text with the edit made; ValueError when the text no longer holds the edit's original there."""
    if edit.replacement is None:
        raise ValueError("这条建议只是提示，没有可应用的修改。This suggestion is advice only.")
    if text[edit.start : edit.end] != edit.original:
        raise ValueError("文稿已改动，请重新润笔。The draft changed since this suggestion was made.")
    return text[: edit.start] + edit.replacement + text[edit.end :]


def undo_of(edit: Edit) -> Edit:
    """The edit that takes `edit` back once it has been applied."""
    if edit.replacement is None:
        raise ValueError("这条建议只是提示，没有可撤销的修改。This suggestion is advice only.")
    end = edit.start + len(edit.replacement)
    return Edit(edit.rule, edit.start, end, edit.replacement, edit.original, "撤销：" + edit.message)


# -- parallel headings (对仗) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Heading:
    level: str  # the numbering scheme, e.g. "cn" for 一、
    ordinal: int  # its number: a run that counts from 1 again is a new run
    start: int  # offset of the lead phrase in the text
    lead: str


def _headings(lines: list[tuple[int, str]]) -> list[_Heading]:
    found = []
    for offset, line in lines:
        stripped = line.lstrip(" \u3000\t")
        numbering = numbering_at(stripped)
        if numbering is None:
            continue
        scheme, width = numbering.scheme, numbering.end
        lead = first_words(stripped[width:])
        if 2 <= len(lead) <= 16:
            found.append(_Heading(scheme, numbering.ordinal, offset + len(line) - len(stripped) + width, lead))
    return found


def _pattern_of(leads: Sequence[str]) -> tuple[int, str] | None:
    """The length and common opening most of a run of leads share, when they share one."""
    if len(leads) < 3:
        return None
    length, count = Counter(len(lead) for lead in leads).most_common(1)[0]
    if count * 2 <= len(leads):
        return None
    same = [lead for lead in leads if len(lead) == length]
    prefix = same[0]
    for lead in same[1:]:
        while not lead.startswith(prefix):
            prefix = prefix[:-1]
    # Headings of one length without a shared opening (基本情况/主要做法) are a list, not a parallel run.
    return (length, prefix) if prefix else None


def _fits(lead: str, length: int, prefix: str) -> bool:
    parts = lead.split("、")  # 以学正风、以学促干: two parallel parts in one heading
    return all(len(p) == length and p.startswith(prefix) for p in parts)


def sibling_runs(headings: list[_Heading]) -> list[list[_Heading]]:
    """Headings grouped as siblings: same scheme under the same parent. Schemes rank by first appearance
    (the first met is level 1), and a heading of a higher rank closes the runs of every lower one."""
    rank: dict[str, int] = {}
    open_runs: dict[str, list[_Heading]] = {}
    runs: list[list[_Heading]] = []
    for h in headings:
        level = rank.setdefault(h.level, len(rank))
        for scheme in [s for s in open_runs if rank[s] > level]:
            runs.append(open_runs.pop(scheme))
        current = open_runs.get(h.level)
        if current and h.ordinal <= current[-1].ordinal:  # numbering starts again: another list
            runs.append(open_runs.pop(h.level))
        open_runs.setdefault(h.level, []).append(h)
    return runs + list(open_runs.values())


def parallel_headings(lines: list[tuple[int, str]]) -> Iterator[Edit]:
    """Sibling headings whose lead phrases break the pattern most of them share (length and opening)."""
    for run in sibling_runs(_headings(lines)):
        pattern = _pattern_of([h.lead for h in run])
        if pattern is None:
            continue
        length, prefix = pattern
        for h in run:
            if not _fits(h.lead, length, prefix):
                want = f"{length} 字、以“{prefix}”开头"
                yield Edit("parallel", h.start, h.start + len(h.lead), h.lead, None,
                           f"标题不对仗：“{h.lead}”与同级标题（{want}）不一致")


# -- words within a paragraph ------------------------------------------------------------------------------


def fillers(lines: list[tuple[int, str]]) -> Iterator[Edit]:
    """A filler word used again in the same paragraph: suggest dropping the repeats."""
    for offset, line in lines:
        for word in FILLERS:
            positions = [m.start() for m in re.finditer(word, line)]
            for pos in positions[1:]:
                yield Edit("filler", offset + pos, offset + pos + len(word), word, "",
                           f"“{word}”在本段出现 {len(positions)} 次，建议删去重复")


def repeats(lines: list[tuple[int, str]]) -> Iterator[Edit]:
    """A verb of OVERUSED_VERBS used REPEAT_MIN times or more in one paragraph (advice: vary it)."""
    for offset, line in lines:
        for word in OVERUSED_VERBS:
            positions = [m.start() for m in re.finditer(word, line)]
            if len(positions) >= REPEAT_MIN:
                pos = positions[REPEAT_MIN - 1]
                yield Edit("repeat", offset + pos, offset + pos + len(word), word, None,
                           f"“{word}”在本段出现 {len(positions)} 次，建议换用近义表述")


def weak_openings(lines: list[tuple[int, str]]) -> Iterator[Edit]:
    """A paragraph that opens with a weak phrase: suggest starting at what follows it."""
    for offset, line in lines:
        body = line.lstrip(" \u3000\t")
        lead = offset + len(line) - len(body)
        for phrase in WEAK_OPENINGS:
            if body.startswith(phrase):
                end = len(phrase) + (1 if body[len(phrase) : len(phrase) + 1] in ("，", ",") else 0)
                yield Edit("weak-opening", lead, lead + end, body[:end], "",
                           f"开头“{phrase}”力度不足，建议直接陈述观点")
                break


def long_sentences(lines: list[tuple[int, str]], limit: int) -> Iterator[Edit]:
    """A sentence over `limit` characters: turn the clause break nearest its middle into a full stop."""
    for offset, line in lines:
        for m in _SENTENCE.finditer(line):
            sentence = m.group(0)
            if len(sentence) <= limit:
                continue
            breaks = [i for i, ch in enumerate(sentence) if ch in _CLAUSE_BREAK and 8 <= i < len(sentence) - 8]
            if not breaks:
                continue
            cut = min(breaks, key=lambda i: abs(i - len(sentence) // 2))
            start = offset + m.start() + cut
            yield Edit("split", start, start + 1, sentence[cut], "。",
                       f"句子长 {len(sentence)} 字（上限 {limit}），建议在此断句")


# -- phrases from the library ---------------------------------------------------------------------------


def topic_phrases(lines: list[tuple[int, str]], lookup: PhraseLookup,
                  topics: Sequence[tuple[str, str]]) -> Iterator[Edit]:
    """For the first paragraph naming a topic, 金句 from the library on it, insertable after that paragraph."""
    seen: set[str] = set()
    for offset, line in lines:
        for keyword, tag in topics:
            if tag in seen or keyword not in line:
                continue
            seen.add(tag)
            hits = [h for h in lookup(keyword) if h.text not in line][:PHRASES_PER_SECTION]
            if hits:
                end = offset + len(line)
                yield Edit("phrase", end, end, "", hits[0].text,
                           f"可引用关于“{tag}”的金句（共 {len(hits)} 条，见来源）", sources=list(hits))
