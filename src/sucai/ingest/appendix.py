"""Where a document's appendices begin: 附件1, 附录, a glossary (名词解释) after the body.

They are a part of their own: their numbered items are not headings of the report's outline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_APPENDIX = re.compile(
    r"(?:附件|附录|附表)[\s\u3000]*[0-9０-９一二三四五六七八九十]{0,3}(?:[\s\u3000]*[：:．.、][\s\u3000]*[^。！？；]{0,60})?"
    r"|(?:名词解释|术语解释|名词注释|名词术语解释|注释|注解|释义)[\s\u3000]*[：:]?"
)
_ENDS_SENTENCE = re.compile("[。！？!?；;][”’」』）)]*$")


def appendix_start(texts: Sequence[str]) -> int | None:
    """Index of the line that opens the appendices (only after some body text), or None."""
    seen_body = False
    for i, text in enumerate(texts):
        if seen_body and len(text) <= 70 and _APPENDIX.fullmatch(text):
            return i
        seen_body = seen_body or _ENDS_SENTENCE.search(text) is not None
    return None
