"""Placeholders a writer must fill in: xx, XX, ××, x月x日, 20xx年, 某某, 〇〇, □□, figures (X.X%, X%), and a lone
X before a verb.

Latin words are left alone: "xx" inside a word, XXL, Roman numerals (XIX) and X光/X射线 are not placeholders.
Chinese years written with 〇 (二〇〇三年) are not either. Nor are anonymised names, which a writer leaves as
they are: 某某 after a surname (何某某, 王某某) and a letter after a surname that starts a name (王X华, 张X).
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
            # figures left open: X.X%, XX.X亿元, X%, X‰ (a report's numbers to fill in)
            r"(?<![A-Za-z0-9Ａ-Ｚａ-ｚ０-９])[xXｘＸ]+[.．][xXｘＸ]+(?![A-Za-zＡ-Ｚａ-ｚ])",
            r"(?<![A-Za-z0-9Ａ-Ｚａ-ｚ０-９])[xXｘＸ](?=[%％‰])",
            r"(?<![A-Za-zＡ-Ｚａ-ｚ])[xXｘＸ]{2,}(?![A-Za-zＡ-Ｚａ-ｚ])",  # xx, XXX
            r"×{2,}",  # ××
            r"某某+",
            # 〇〇, but not the 〇〇 of a year written in Chinese numerals (二〇〇三年)
            r"(?<![一二三四五六七八九十〇○零])[〇○]{2,}(?![一二三四五六七八九十〇○零年])",
            r"□{2,}",
            r"(?<![A-Za-z0-9Ａ-Ｚａ-ｚ０-９.．])[xXｘＸ](?=[\u4e00-\u9fff])(?![光射线型轴染])",  # X立即召开, not 3.x版
        )
    )
    + ")"
)


# common single-character surnames, less those that are also prepositions or end place names (向, 于, 区 …)
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付傅邹孟熊秦邱尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤易常温康施文牛樊"
    "葛邢安齐伍庞颜倪鲁柳甘祝包左殷欧岳柴翟聂耿焦成"
)
_NAME_START = frozenset("、，,：:；;（(“\"　 \n被对与和及由让请经告原")  # before a surname that starts a name


def find_placeholders(blocks: Sequence[Block]) -> list[Placeholder]:
    """Every placeholder in the blocks, with its block index and offsets inside the block text."""
    return [
        Placeholder(m.group(0), index, m.start(), m.end())
        for index, block in enumerate(blocks)
        for m in PLACEHOLDER.finditer(block.text)
        if not _in_a_name(block.text, m.start(), m.group(0))
    ]


def _in_a_name(text: str, start: int, found: str) -> bool:
    """何某某 (某某 after a surname), 王X华 / 张X (a lone letter after a surname that starts a name)."""
    if start == 0 or text[start - 1] not in _SURNAMES:
        return False
    if found.startswith("某"):
        return True
    return len(found) == 1 and (start == 1 or text[start - 2] in _NAME_START)
