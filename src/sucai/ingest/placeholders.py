"""Placeholders a writer must fill in: xx, XX, ××, x月x日, 20xx年, 某某, 〇〇, □□, and a lone X before a verb.

Latin words are left alone: "xx" inside a word, XXL, Roman numerals (XIX) and X光/X射线 are not placeholders.
Chinese years written with 〇 (二〇〇三年) are not either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sucai.model import Block, Placeholder

_X = "[xX×ｘＸ]"
PLACEHOLDER = re.compile(
    # the lookahead lets the engine skip ordinary text fast (17x on long blocks)
    "(?=[xX×ｘＸ某〇○□12２])(?:"
    + "|".join(
        (
            rf"(?:(?:19|20)?{_X}{{2}}年)?{_X}{{1,2}}月(?:{_X}{{1,2}}日)?",  # x月x日, 20xx年x月
            rf"(?:19|20|２０){_X}{{2}}年",  # 20xx年
            r"(?<![A-Za-zＡ-Ｚａ-ｚ])[xXｘＸ]{2,}(?![A-Za-zＡ-Ｚａ-ｚ])",  # xx, XXX
            r"×{2,}",  # ××
            r"某某+",
            # 〇〇, but not the 〇〇 of a year written in Chinese numerals (二〇〇三年)
            r"(?<![一二三四五六七八九十〇○零])[〇○]{2,}(?![一二三四五六七八九十〇○零年])",
            r"□{2,}",
            r"(?<![A-Za-z0-9Ａ-Ｚａ-ｚ０-９])[xXｘＸ](?=[\u4e00-\u9fff])(?![光射线型轴染])",  # X立即召开
        )
    )
    + ")"
)


def find_placeholders(blocks: Sequence[Block]) -> list[Placeholder]:
    """Every placeholder in the blocks, with its block index and offsets inside the block text."""
    return [
        Placeholder(m.group(0), index, m.start(), m.end())
        for index, block in enumerate(blocks)
        for m in PLACEHOLDER.finditer(block.text)
    ]
