"""Generic repair of obfuscated key terms, beyond the literal table of obfuscations.tsv.

Paid material libraries disguise sensitive terms so platform filters miss them. A span is repaired only
when it reads as a term of the vocabulary (rules/terms.txt) through one of three known tricks:

1. Latin letters for a character, by its pinyin initial or whole syllable, any case, any reading
   pypinyin knows (主T教育, 主ti教育, 习j平, 二十da, xi近平, 中Y八项规定).
2. Look-alike symbols or digits for numerals (=+大, ＝＋大, 2十大, 20大, 十⑨大), never in a quantity
   (20大项目, 第20大, 4个意识形态领域).
3. Separators inside the term (主*题*教*育, 主-题教育, 主 题 教 育, 习/近/平), never real punctuation
   (主题、教育) and never one gap between two words (党的 二十大, 习近平 总书记).

Precision comes first: at least two characters of the term must be there as written and outnumber those
spelt in Latin; a run of x / X is a placeholder, never pinyin; a letter-spaced term alone on its line is
typography (a byline 习　近　平), not a disguise. Speed: one compiled regex finds the few spots where
hanzi meet Latin letters, look-alike numerals or separators; only those spots are looked at in Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

MIN_TERM = 3  # shorter terms leave too little context to tell a trick from real text
_HAN = "\u3400-\u9fff"
_LATIN = "A-Za-zＡ-Ｚａ-ｚ"
# Separators: spaces, and marks that never separate words in Chinese (so not 、，。；：——《》 etc.).
_SPACE_CHARS, _MARK_CHARS = " \u3000", "*＊-－.．·・•/／\\＼_＿|｜~～"
_SEPARATOR_SET = frozenset(_SPACE_CHARS + _MARK_CHARS)
_SEPARATORS = re.escape(_SPACE_CHARS + _MARK_CHARS)  # for a character class
_DIGITS = "0-9０-９"
_SYMBOLS = {"=": "二", "＝": "二", "+": "十", "＋": "十", "≡": "三"}
# Circled, parenthesised and dingbat digits and Roman numerals, each standing for its number.
_NUMBER_SIGNS = "\u2460-\u2487\u2776-\u2793\u2160-\u216b"
_NUMERALS = "〇一二两三四五六七八九十"
_CHINESE_DIGITS = "〇一二三四五六七八九"
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF5B)}  # ０-９, Ａ-Ｚ, ａ-ｚ -> ASCII
# Alphanumeric tokens and addresses around Latin letters (5G, PM2.5, www.x.cn, a@b) are not pinyin.
_TOKEN_CHARS = f"{_LATIN}{_DIGITS}.\\-_/@:#&%+=＋＝"
_NOT_BEFORE_NUMBER = frozenset("第前后近约超逾共等这那几数余每各头首末")
# After a number written in digits or symbols, a term like 二十大 / 四个意识 must end at punctuation or be
# followed by words that go with the congress, never by a noun that makes it a count (20大项目).
_AFTER_NUMBER = re.compile(
    f"[^{_HAN}]|精神|报告|以来|召开|胜利|开幕|闭幕|期间|代表(?![团队性])|提出|作出|强调|指出|明确|部署|擘画|确定|决策"
)
_COUNT_SHAPED = re.compile(f"[{_NUMERALS}][个项大]")  # 四个意识, 八项规定, 二十大: read like a count
_STRIP_LINE = " \t\u3000（）()【】[]"


@dataclass(frozen=True)
class Fix:
    """A repair found in a text: text[start:end] (`found`) stands for the term `replaced`."""

    start: int
    end: int
    found: str
    replaced: str


@dataclass(frozen=True)
class _Reading:
    """How a term was read from the text: where it ended and what each character came from."""

    end: int
    literal: int = 0  # characters written as themselves
    latin: int = 0  # characters spelt in Latin letters
    numeric: int = 0  # numerals written as digits or look-alike symbols
    gaps: tuple[int, ...] = ()  # term positions with a separator before them


def merge_terms(lines: Iterable[str]) -> tuple[str, ...]:
    """Terms from rule-file lines in order; '!term' switches off an earlier one; short ones are dropped."""
    terms: dict[str, None] = {}
    for line in lines:
        word = line.strip()
        if word.startswith("!"):
            terms.pop(word[1:].strip(), None)
        elif len(word) >= MIN_TERM:
            terms[word] = None
    return tuple(terms)


def chinese_numbers(n: int) -> tuple[str, ...]:
    """How 1-99 is written in Chinese numerals (2 also as 两, as in 两个维护)."""
    if not 0 < n < 100:
        return ()
    tens, units = divmod(n, 10)
    unit = _CHINESE_DIGITS[units] if units else ""
    if tens == 0:
        return ("二", "两") if n == 2 else (unit,)
    return (("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + unit,)


def _sign_values() -> dict[str, tuple[str, ...]]:
    """Each look-alike sign (=, +, ⑨, ❾, Ⅸ ...) and the numerals it can stand for."""
    values: dict[str, tuple[str, ...]] = {sign: (numeral,) for sign, numeral in _SYMBOLS.items()}
    for lo, hi in ((0x2460, 0x2487), (0x2776, 0x2793), (0x2160, 0x216B)):
        for cp in range(lo, hi + 1):
            values[chr(cp)] = chinese_numbers(int(unicodedata.numeric(chr(cp))))
    return values


def _pinyin_pieces(chars: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each character, the Latin spellings that may stand for it: every reading, and its initials."""
    from pypinyin import Style, pinyin  # imported late: only a process that cleans text pays for it

    pieces: dict[str, frozenset[str]] = {}
    for ch in set(chars):
        readings = {r.lower() for r in pinyin(ch, heteronym=True, style=Style.NORMAL, errors="ignore")[0]}
        readings = {r for r in readings if r.isascii() and r.isalpha()}
        readings |= {r.replace("v", "u") for r in readings}  # ü typed as v or as u (lv / lu)
        initials = {r[0] for r in readings} | {r[:2] for r in readings if r[:2] in ("zh", "ch", "sh")}
        pieces[ch] = frozenset(readings | initials)
    return pieces


def _candidate_pattern(after_numerals: Iterable[str]) -> re.Pattern[str]:
    """One regex for every spot worth a look; it starts on a trigger character so the engine skips
    ordinary text fast, and itself rejects alphanumeric tokens, ranks, long numbers and counts."""
    latin, sep, num = f"[{_LATIN}]", f"[{_SEPARATORS}]", f"[{_DIGITS}{''.join(_SYMBOLS)}{_NUMBER_SIGNS}]"
    # a numeral after it may be disguised too (3严3实, 2＋大)
    numeral = f"[{_NUMERALS}{_DIGITS}{''.join(_SYMBOLS)}{_NUMBER_SIGNS}]"
    after = "|".join("".join(numeral if c in _NUMERALS else re.escape(c) for c in f) for f in sorted(after_numerals))
    after = after or "(?!)"
    not_token = f"(?![{_TOKEN_CHARS}])"
    return re.compile(
        f"[{_LATIN}{_SEPARATORS}{_DIGITS}{''.join(_SYMBOLS)}{_NUMBER_SIGNS}](?:"
        # Latin letters touching a hanzi, as a whole run that is not part of an alphanumeric token
        f"(?<={latin})(?<![{_TOKEN_CHARS}]{latin})(?:(?<=[{_HAN}]{latin}){latin}*{not_token}|{latin}*(?=[{_HAN}]))"
        # separators between two hanzi
        f"|(?<={sep})(?<=[{_HAN}]{sep}){sep}{{0,2}}(?=[{_HAN}])"
        # up to three digits / look-alikes followed by what follows a numeral in some term (20大, 4个意识)
        f"|(?<={num})(?<![{_LATIN}{_DIGITS}.．第]{num}){num}{{0,2}}(?![{_DIGITS}.．%％])(?={after})"
        ")"
    )


_LATIN_RUN = re.compile(f"[{_LATIN}]+")
_DIGIT_RUN = re.compile(f"[{_DIGITS}]+")
_SEPARATOR_RUN = re.compile(f"[{_SEPARATORS}]{{1,3}}")
_HAN_TAIL = re.compile(f"[{_HAN}]*\\Z")
_ALNUM = re.compile(f"[{_LATIN}{_DIGITS}]")
_MARK_SEPARATOR = re.compile(f"[{re.escape(_MARK_CHARS)}]")


class Deobfuscator:
    """Finds disguised vocabulary terms in a text; build once per vocabulary (it reads pinyin)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = tuple(dict.fromkeys(t for t in terms if len(t) >= MIN_TERM))
        self._pieces = _pinyin_pieces(c for t in self.terms for c in t)
        self._signs = _sign_values()
        self._longest = max(map(len, self.terms), default=0)
        self._by_prefix: dict[str, list[str]] = {}  # every proper prefix of a term -> the terms
        for term in self.terms:
            for k in range(1, len(term)):
                self._by_prefix.setdefault(term[:k], []).append(term)
        self._by_letter: dict[str, set[str]] = {}  # a Latin letter -> the term characters it can begin
        for ch, pieces in self._pieces.items():
            for piece in pieces:
                self._by_letter.setdefault(piece[0], set()).add(ch)
        self._pattern = _candidate_pattern(_after_numerals(self.terms))

    def find(self, text: str) -> list[Fix]:
        """Every repair in `text`, in order and not overlapping."""
        fixes: list[Fix] = []
        done = 0
        for m in self._pattern.finditer(text):
            if m.start() < done:
                continue  # inside a term already repaired
            fix = self._best(text, m.start(), m.end(), done)
            if fix is not None:
                fixes.append(fix)
                done = fix.end
        return fixes

    def _best(self, text: str, at: int, until: int, floor: int) -> Fix | None:
        """The longest acceptable term read through the trigger text[at:until], if any."""
        # The term's characters before the trigger are written as themselves: a run of hanzi.
        lo = max(floor, at - self._longest + 1, text.rfind("\n", 0, at) + 1)
        head = _HAN_TAIL.search(text, lo, at)
        fits = self._stands_for(text, at)
        best: Fix | None = None
        for start in range(head.start() if head else at, at + 1):
            if start < at:
                terms: Iterable[str] = self._by_prefix.get(text[start:at], ())
            else:  # the term starts with the trigger (xi近平, 20大)
                terms = [t for ch in fits or () for t in self._by_prefix.get(ch, ())]
            for term in terms:
                if (best and len(term) <= len(best.replaced)) or (fits is not None and term[at - start] not in fits):
                    continue  # no longer than what is found, or the trigger cannot stand for its character
                reading = self._first_acceptable(term, text, start, at, until)
                if reading is not None:
                    best = Fix(start, reading.end, text[start : reading.end], term)
        return best

    def _stands_for(self, text: str, at: int) -> set[str] | frozenset[str] | None:
        """Term characters the trigger at `at` may stand for (None for a separator: it stands for none)."""
        ch = text[at]
        if ch in _SEPARATOR_SET:
            return None
        if _LATIN_RUN.match(ch):
            return self._by_letter.get(ch.translate(_FULLWIDTH).lower(), set())
        return frozenset(value[0] for value in self._number_at(text, at)[1])

    def _number_at(self, text: str, pos: int) -> tuple[int, tuple[str, ...]]:
        """The end of the digits or look-alike sign at `pos` and the numerals it may stand for."""
        digits = _DIGIT_RUN.match(text, pos)
        if digits is not None:
            return digits.end(), chinese_numbers(int(digits.group(0).translate(_FULLWIDTH)))
        return pos + 1, self._signs.get(text[pos], ())

    def _first_acceptable(self, term: str, text: str, start: int, at: int, until: int) -> _Reading | None:
        known = _Reading(end=at, literal=at - start)
        for reading in self._read(term, at - start, text, at, known):
            if reading.end >= until and self._acceptable(term, text, start, reading):
                return reading
        return None

    def _read(self, term: str, i: int, text: str, pos: int, acc: _Reading) -> Iterator[_Reading]:
        """Every way text[pos:] goes on to spell term[i:] (depth-first; terms are short)."""
        if i == len(term):
            yield replace(acc, end=pos)
            return
        if pos >= len(text):
            return
        ch = text[pos]
        if ch == term[i]:
            yield from self._read(term, i + 1, text, pos + 1, replace(acc, literal=acc.literal + 1))
        elif ch in _SEPARATOR_SET:
            if i > 0 and i not in acc.gaps:  # between two characters, one run per gap
                run = _SEPARATOR_RUN.match(text, pos)
                end = run.end() if run else pos + 1
                yield from self._read(term, i, text, end, replace(acc, gaps=(*acc.gaps, i)))
        elif (run := _LATIN_RUN.match(text, pos)) is not None:
            yield from self._read_latin(term, i, text, run, acc)
        else:
            end, values = self._number_at(text, pos)
            for value in values:
                if term.startswith(value, i):
                    changed = replace(acc, numeric=acc.numeric + len(value))
                    yield from self._read(term, i + len(value), text, end, changed)

    def _read_latin(self, term: str, i: int, text: str, run: re.Match[str], acc: _Reading) -> Iterator[_Reading]:
        """Readings where the whole Latin run spells the next characters of the term."""
        spelt = run.group(0).translate(_FULLWIDTH).lower()
        if not spelt.strip("x"):
            return  # x, xx, XX are placeholders a writer fills in, never pinyin
        for k in self._spellings(spelt, term, i):
            yield from self._read(term, i + k, text, run.end(), replace(acc, latin=acc.latin + k))

    def _spellings(self, spelt: str, term: str, i: int) -> list[int]:
        """Each k such that `spelt` spells term[i:i+k], a character by an initial or a whole syllable."""
        found: set[int] = set()

        def walk(p: int, j: int) -> None:
            if p == len(spelt):
                found.add(j - i)
                return
            if j < len(term):
                for piece in self._pieces.get(term[j], ()):
                    if spelt.startswith(piece, p):
                        walk(p + len(piece), j + 1)

        walk(0, i)
        return sorted(found)

    def _acceptable(self, term: str, text: str, start: int, reading: _Reading) -> bool:
        """The precision rules: enough of the term written as itself, numbers not counts, gaps not words."""
        if reading.latin and (reading.literal < 2 or reading.latin > reading.literal):
            return False
        if _glued(text, start) or _glued(text, reading.end):
            return False  # its Latin or digits run on into a token (二十da2, C919大): part of something else
        if reading.numeric and not _plain_number(term, text, start, reading.end):
            return False
        return not reading.gaps or _real_gaps(term, text, start, reading)


def _glued(text: str, pos: int) -> bool:
    """Letters or digits on both sides of `pos`."""
    return 0 < pos < len(text) and bool(_ALNUM.match(text, pos - 1)) and bool(_ALNUM.match(text, pos))


def _after_numerals(terms: Iterable[str]) -> set[str]:
    """What follows a numeral in some term (up to two characters; 大 covers 大精): a digit or look-alike
    is worth a look only before one of these (20大, 4个意识, 3中全会), not before 个百分点 or 万元."""
    follows = {term[k + 1 : k + 3] for term in terms for k, ch in enumerate(term[:-1]) if ch in _NUMERALS}
    return {f for f in follows if f[:1] not in follows or len(f) == 1}


def _plain_number(term: str, text: str, start: int, end: int) -> bool:
    """A number written in digits or symbols is the term's numeral, not a rank or a count (第20大, 20大项目)."""
    if start and text[start - 1] in _NOT_BEFORE_NUMBER:
        return False
    if not _COUNT_SHAPED.search(term):
        return True  # 一带1路, 3严3实: no measure word, so no count to mistake it for
    return end == len(text) or _AFTER_NUMBER.match(text, end) is not None


def _real_gaps(term: str, text: str, start: int, reading: _Reading) -> bool:
    """Separators inside a term, not between two words of it, and not letter-spacing of a line of its own."""
    if len(reading.gaps) == 1 and 1 < reading.gaps[0] < len(term) - 1:
        return False  # one gap with two characters or more on each side: two words (党的 二十大)
    if reading.latin or reading.numeric or _MARK_SEPARATOR.search(text, start, reading.end):
        return True  # marks between its characters, not just spaces: a disguise, not letter-spacing
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", reading.end)
    before = text[line_start:start].strip(_STRIP_LINE)
    after = text[reading.end : line_end if line_end >= 0 else len(text)].strip(_STRIP_LINE)
    return bool(before or after)  # a letter-spaced term alone on its line is a byline or heading


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[tuple[int, str, str]], list[tuple[int, int]]]:
    """The text with the fixes made; each as (offset in the new text, found, replaced); offset anchors."""
    out: list[str] = []
    events: list[tuple[int, str, str]] = []
    anchors: list[tuple[int, int]] = []
    pos = delta = 0
    for fix in fixes:
        out.append(text[pos : fix.start])
        at = fix.start + delta
        events.append((at, fix.found, fix.replaced))
        anchors.extend([(fix.start, at), (fix.end, at + len(fix.replaced))])
        out.append(fix.replaced)
        delta += len(fix.replaced) - (fix.end - fix.start)
        pos = fix.end
    out.append(text[pos:])
    return "".join(out), events, anchors
