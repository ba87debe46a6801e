"""Advertisement removal and obfuscation repair, driven by rule files an operator can extend.

Rules are data (src/sucai/rules/ads.txt, obfuscations.tsv, topics.tsv, terms.txt); `load_rules(extra_dirs)` adds
the same-named files from each extra directory. After the literal table, terms.txt drives the generic repairer
(sucai.ingest.deobfuscate), whose repairs are recorded the same way. Nothing is taken out or changed silently:
every removal is a `Removal(rule, text)` and every repair a `Repair(found, replaced, count)`, each with its offset
in the cleaned text so the parser can give it to the document it fell in. Paywall markers are never removed.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

from sucai.errors import InputError
from sucai.ingest.chrome import CHROME_FILE, CREDITS_FILE, ChromeRules, load_chrome, strip_chrome
from sucai.ingest.deobfuscate import Deobfuscator, apply_fixes, merge_terms
from sucai.ingest.lines import PAID_MARKER
from sucai.ingest.scan import scan_form
from sucai.model import Removal, Repair

ADS_FILE, OBFUSCATIONS_FILE, TOPICS_FILE, TERMS_FILE = "ads.txt", "obfuscations.tsv", "topics.tsv", "terms.txt"
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)]*|[^。！？!?]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class AdRule:
    name: str
    pattern: re.Pattern[str]
    span: bool = False  # searched in the whole text (multi-line boilerplate) rather than line by line
    weak: bool = False  # counts only where the whole line is advertising and no guard matches the sentence
    guard: bool = False  # not a rule: a sentence it matches is prose that no weak rule may take


@dataclass(frozen=True)
class Rules:
    ads: tuple[AdRule, ...] = ()
    obfuscations: tuple[tuple[str, str], ...] = ()  # (found, replacement)
    topics: tuple[tuple[str, str], ...] = ()  # (keyword, tag)
    terms: tuple[str, ...] = ()  # vocabulary the generic repairer may restore
    chrome: ChromeRules = field(default_factory=ChromeRules)  # page chrome and credits (chrome.txt, credits.txt)

    @cached_property
    def repair_pattern(self) -> re.Pattern[str] | None:
        """One alternation of every obfuscation, longest first, guarded against Latin words."""
        if not self.obfuscations:
            return None
        found = sorted({f for f, _ in self.obfuscations}, key=len, reverse=True)
        return re.compile("|".join(_guarded(f) for f in found))

    @cached_property
    def replacements(self) -> dict[str, str]:
        return dict(self.obfuscations)  # a later file's entry wins

    @cached_property
    def deobfuscator(self) -> Deobfuscator | None:
        return Deobfuscator(self.terms) if self.terms else None


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text plus what was done to it, each event with its offset in `text`."""

    text: str
    removed: tuple[tuple[int, Removal], ...] = ()
    repaired: tuple[tuple[int, str, str], ...] = ()  # (offset, found, replaced)
    credits: tuple[tuple[int, str, str], ...] = ()  # (offset, field, value) of the credit lines taken out
    chrome: int = 0  # lines of page chrome and credits taken out (the text came from a web or newspaper page)

    @property
    def removals(self) -> list[Removal]:
        return [r for _, r in self.removed]

    @property
    def repairs(self) -> list[Repair]:
        return count_repairs((found, replaced) for _, found, replaced in self.repaired)


def count_repairs(events: Iterable[tuple[str, str]]) -> list[Repair]:
    """Repair events grouped into one Repair per (found, replaced), in order of first occurrence."""
    counts: dict[tuple[str, str], int] = {}
    for event in events:
        counts[event] = counts.get(event, 0) + 1
    return [Repair(found, replaced, n) for (found, replaced), n in counts.items()]


def _guarded(found: str) -> str:
    """Literal pattern that never matches inside a longer Latin word (主T must not hit 主Table)."""
    pattern = re.escape(found)
    if _LATIN.match(found[0]):
        pattern = "(?<![A-Za-z])" + pattern
    if _LATIN.match(found[-1]):
        pattern += "(?![A-Za-z])"
    return pattern


# ---------------------------------------------------------------- loading


def load_rules(extra_dirs: Sequence[Path] = ()) -> Rules:
    """The shipped rules, extended by the rule files found in each of `extra_dirs` (in order)."""
    files = [_shipped_dir(), *(Path(d) for d in extra_dirs)]
    key = tuple((str(d), _mtimes(d)) for d in files)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = _load(files)
            _CACHE[key] = cached
    return cached


_CACHE: dict[tuple[tuple[str, tuple[int, ...]], ...], Rules] = {}
_CACHE_LOCK = threading.Lock()


def _shipped_dir() -> Path:
    return Path(str(resources.files("sucai") / "rules"))


def _mtimes(folder: Path) -> tuple[int, ...]:
    stamps = []
    for name in (ADS_FILE, OBFUSCATIONS_FILE, TOPICS_FILE, TERMS_FILE, CHROME_FILE, CREDITS_FILE):
        try:
            stamps.append((folder / name).stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def _load(folders: Sequence[Path]) -> Rules:
    ads: dict[str, AdRule] = {}
    obfuscations: list[tuple[str, str]] = []
    topics: list[tuple[str, str]] = []
    terms: list[str] = []
    for folder in folders:
        for lineno, line in _data_lines(folder / ADS_FILE):
            _add_ad_rule(ads, line, f"{folder / ADS_FILE}:{lineno}")
        for lineno, line in _data_lines(folder / OBFUSCATIONS_FILE):
            obfuscations.append(_pair(line, f"{folder / OBFUSCATIONS_FILE}:{lineno}"))
        for lineno, line in _data_lines(folder / TOPICS_FILE):
            topics.append(_pair(line, f"{folder / TOPICS_FILE}:{lineno}"))
        terms.extend(line for _, line in _data_lines(folder / TERMS_FILE))
    chrome = load_chrome(folders, _data_lines)
    return Rules(tuple(ads.values()), tuple(obfuscations), tuple(topics), merge_terms(terms), chrome)


def _data_lines(path: Path) -> list[tuple[int, str]]:
    """Non-blank, non-comment lines of a rules file (none if the file is absent)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read rules file {path}: {exc}") from exc
    lines = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append((lineno, line))
    return lines


def _add_ad_rule(ads: dict[str, AdRule], line: str, where: str) -> None:
    parts = line.strip().split(None, 1)
    if parts[0].startswith("!"):
        ads.pop(parts[0][1:], None)
        return
    if len(parts) != 2:
        raise InputError(f"{where}: expected '<rule-name> <regex>'")
    name, regex = parts
    name, _, kind = name.partition("@")
    if kind not in ("", "span", "weak", "guard"):
        raise InputError(f"{where}: unknown rule kind @{kind} (span, weak or guard)")
    try:
        pattern = re.compile(regex)
    except re.error as exc:
        raise InputError(f"{where}: bad regular expression for rule {name!r}: {exc}") from exc
    ads.pop(name, None)  # a redefinition replaces the rule and moves it last
    ads[name] = AdRule(name, pattern, kind == "span", kind == "weak", kind == "guard")


def _pair(line: str, where: str) -> tuple[str, str]:
    parts = line.split("\t")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise InputError(f"{where}: expected '<text><TAB><text>'")
    return parts[0].strip(), parts[1].strip()


# ---------------------------------------------------------------- cleaning


class _OffsetMap:
    """Maps offsets in a stage's input to offsets in its output, from anchor pairs (src, dst)."""

    def __init__(self, anchors: list[tuple[int, int]]) -> None:
        self.src = [s for s, _ in anchors]
        self.dst = [d for _, d in anchors]

    def __call__(self, offset: int) -> int:
        k = bisect.bisect_right(self.src, offset) - 1
        if k < 0:
            return offset
        mapped = self.dst[k] + offset - self.src[k]
        return min(mapped, self.dst[k + 1]) if k + 1 < len(self.dst) else mapped


def clean_text(text: str, rules: Rules | None = None) -> Cleaned:
    """Newlines normalised, page chrome and credit lines removed (credits kept), advertisements removed (span
    rules, then line rules), obfuscations repaired."""
    rules = rules if rules is not None else load_rules()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chrome = strip_chrome(text, rules.chrome)
    text, span_removed, span_map = _remove_spans(chrome.text, [r for r in rules.ads if r.span])
    line_rules = [r for r in rules.ads if not (r.span or r.guard)]
    text, line_removed, line_map = _remove_ad_lines(text, line_rules, [r for r in rules.ads if r.guard])
    removed = [(line_map(span_map(o)), r) for o, r in chrome.removed]
    removed += [(line_map(o), r) for o, r in span_removed] + line_removed
    text, repaired, repair_map = _repair_all(text, rules)
    events = sorted(((repair_map(o), r) for o, r in removed), key=lambda e: e[0])
    credits = tuple((repair_map(line_map(span_map(o))), f, v) for o, f, v in chrome.credits)
    return Cleaned(text, tuple(events), tuple(repaired), credits, len(chrome.removed))


def repair_text(text: str, rules: Rules | None = None) -> tuple[str, list[Repair]]:
    """Obfuscations in a short text (a title given from outside) put right."""
    rules = rules if rules is not None else load_rules()
    fixed, events, _ = _repair_all(text, rules)
    return fixed, count_repairs((f, r) for _, f, r in events)


def _remove_spans(
    text: str, span_rules: list[AdRule]
) -> tuple[str, list[tuple[int, Removal]], _OffsetMap]:
    spans: list[tuple[int, int, str]] = []
    for rule in span_rules:
        spans.extend((m.start(), m.end(), rule.name) for m in rule.pattern.finditer(text) if m.end() > m.start())
    spans.sort()
    out: list[str] = []
    removed: list[tuple[int, Removal]] = []
    anchors: list[tuple[int, int]] = []
    pos = length = 0
    for start, end, name in spans:
        if start < pos:
            continue  # overlaps a span already taken out
        out.append(text[pos:start])
        length += start - pos
        markers = "\n".join(m.group(0) for m in PAID_MARKER.finditer(text, start, end))
        removed.append((length, Removal(name, PAID_MARKER.sub("", text[start:end]).strip())))
        anchors.append((start, length))
        out.append(markers)
        length += len(markers)
        anchors.append((end, length))
        pos = end
    out.append(text[pos:])
    return "".join(out), removed, _OffsetMap(anchors)


def _remove_ad_lines(
    text: str, line_rules: list[AdRule], guards: Sequence[AdRule] = ()
) -> tuple[str, list[tuple[int, Removal]], _OffsetMap]:
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    # One pass finds every place where a rule with known first characters can match: the regex engine skips to
    # any of those characters, then tries there only the rules that can start with the one found.
    forms = [_scan_form(rule) for rule in line_rules]
    hits = [m.start() for r, f in zip(line_rules, forms, strict=True) if f is None for m in r.pattern.finditer(text)]
    known = [f for f in forms if f is not None]
    if known:
        first = re.escape("".join(sorted(set().union(*(chars for chars, _ in known)))))
        scan = re.compile(f"[{first}](?<={'|'.join(attempt for _, attempt in known)})")
        hits.extend(m.start() for m in scan.finditer(text))
    suspects = {bisect.bisect_right(starts, at) - 1 for at in hits}
    removed: list[tuple[int, Removal]] = []
    anchors: list[tuple[int, int]] = []
    length = 0
    for i, line in enumerate(lines):
        anchors.append((starts[i], length))
        if i in suspects:
            line, events = _clean_line(line, line_rules, guards)
            removed.extend((length, e) for e in events)
            lines[i] = line
        length += len(line) + 1
    return "\n".join(lines), removed, _OffsetMap(anchors)


def _scan_form(rule: AdRule) -> tuple[frozenset[str], str] | None:
    """For the suspect scan: the characters a match of a line rule can start with, and a one-character pattern
    that matches where the rule does. None when those characters cannot be told (a rule with groups, or starting
    with a case-insensitive letter, \\S, \\w, \\d ...): the rule is then searched alone. Read from the standard
    library's regex parser, where anything unexpected only costs speed; worked out once per rule."""
    return scan_form(rule.pattern)


def _clean_line(line: str, line_rules: list[AdRule], guards: Sequence[AdRule] = ()) -> tuple[str, list[Removal]]:
    """The line with its advertising sentences taken out (whole line if no Chinese text is left).

    A weak rule (a mention of 公众号 …) takes a sentence only when every sentence of the line is advertising and
    no guard (不得, 申请 …) matches it: a news sentence reporting a ban on forcing officials to follow accounts,
    or a notice's own instructions, stays."""
    chunks = PAID_MARKER.split(line)
    markers = PAID_MARKER.findall(line)
    found = [[(sentence, _ad_rule(sentence, line_rules, guards)) for sentence in _SENTENCE.findall(chunk)]
             for chunk in chunks]
    all_ads = all(rule is not None for chunk in found for _, rule in chunk)
    kept_chunks: list[str] = []
    taken: list[str] = []
    rule_name = ""
    for chunk_found in found:
        kept: list[str] = []
        for sentence, rule in chunk_found:
            if rule is None or (rule.weak and not all_ads):
                kept.append(sentence)
            else:
                rule_name = rule_name or rule.name
                taken.append(sentence)
        kept_chunks.append("".join(kept))
    if not taken:
        return line, []
    if not any(_CJK.search(c) for c in kept_chunks):
        return "".join(markers), [Removal(rule_name, PAID_MARKER.sub("", line).strip())]
    rebuilt = kept_chunks[0] + "".join(m + c for m, c in zip(markers, kept_chunks[1:], strict=True))
    return rebuilt, [Removal(rule_name, "".join(taken).strip())]


def _ad_rule(sentence: str, line_rules: list[AdRule], guards: Sequence[AdRule]) -> AdRule | None:
    """The first strong rule that matches the sentence, else the first weak one (unless a guard matches)."""
    weak = None
    for rule in line_rules:
        if rule.pattern.search(sentence):
            if not rule.weak:
                return rule
            weak = weak or rule
    if weak is not None and any(g.pattern.search(sentence) for g in guards):
        return None
    return weak


def _repair_all(text: str, rules: Rules) -> tuple[str, list[tuple[int, str, str]], Callable[[int], int]]:
    """The table's repairs, then the generic ones, all offsets in the final text."""
    text, repaired, table_map = _repair(text, rules)
    if rules.deobfuscator is None:
        return text, repaired, table_map
    text, found, anchors = apply_fixes(text, rules.deobfuscator.find(text))
    if not found:
        return text, repaired, table_map
    generic_map = _OffsetMap(anchors)
    events = sorted([(generic_map(o), f, r) for o, f, r in repaired] + found, key=lambda e: e[0])
    return text, events, lambda offset: generic_map(table_map(offset))


def _repair(text: str, rules: Rules) -> tuple[str, list[tuple[int, str, str]], _OffsetMap]:
    pattern = rules.repair_pattern
    if pattern is None:
        return text, [], _OffsetMap([])
    replacements = rules.replacements
    events: list[tuple[int, str, str]] = []
    anchors: list[tuple[int, int]] = []
    delta = 0

    def replace(m: re.Match[str]) -> str:
        nonlocal delta
        found = m.group(0)
        replaced = replacements[found]
        at = m.start() + delta
        events.append((at, found, replaced))
        anchors.extend([(m.start(), at), (m.end(), at + len(replaced))])
        delta += len(replaced) - len(found)
        return replaced

    fixed = pattern.sub(replace, text)
    return fixed, events, _OffsetMap(anchors)
