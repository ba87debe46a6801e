"""The year of a Party congress report, from the congress its title names.

A report to the Nth National Congress of the Communist Party of China was given in that congress's year
(public record). Only titles that are the report itself count: "在中国共产党第九次全国代表大会上的报告", or
a title ending in "(九大)" as archives name them. A title that merely mentions a congress ("学习党的二十大
精神心得体会") says nothing about its own year.
"""

from __future__ import annotations

import re

# The year each National Congress opened.
CONGRESS_YEARS: dict[int, int] = {
    1: 1921, 2: 1922, 3: 1923, 4: 1925, 5: 1927, 6: 1928, 7: 1945, 8: 1956, 9: 1969, 10: 1973,
    11: 1977, 12: 1982, 13: 1987, 14: 1992, 15: 1997, 16: 2002, 17: 2007, 18: 2012, 19: 2017, 20: 2022,
}
_NUMERAL = "[一二三四五六七八九十]{1,3}"
# On normalised titles: simplified characters, ASCII brackets, no spaces.
_REPORT_TO = re.compile(f"中国共产党第({_NUMERAL})次全国代表大会上的(?:政治)?报告")
_ARCHIVE_SUFFIX = re.compile(f"\\((?:党的)?({_NUMERAL})大\\)$")
_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


def chinese_number(text: str) -> int | None:
    """一 … 九十九 written the usual way (十, 十一, 二十, 二十三), else None."""
    if not text or any(c not in _DIGITS and c != "十" for c in text) or text.count("十") > 1:
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def congress_year(normalized_title: str) -> int | None:
    """The year of the congress a report's (normalised) title names as the one it was given to."""
    found = _REPORT_TO.search(normalized_title) or _ARCHIVE_SUFFIX.search(normalized_title)
    if not found:
        return None
    number = chinese_number(found.group(1))
    return CONGRESS_YEARS.get(number) if number is not None else None
