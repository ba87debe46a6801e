"""The visible trace: one footer line at the end of every download, and its verification.

    下载自素材库｜账户：王五（编号 27）｜时间：2024-07-01T09:10:11+00:00｜文档：#7｜下载编号：314｜校验码：AB3D…-K7QX…

A reader sees who downloaded the text and when; nothing invisible is woven into the text (zero-width marks
break word counts and pasting into office systems, and whatever strips them strips the trace). The 校验码 has
two halves, each an HMAC-SHA256 (48 bits) under the library's secret: the first over the trace fields (the
line was written by this library, its fields unedited), the second over the fields and the text above the
line (the text is as downloaded). Whitespace and zero-width characters do not count in the text, so line
endings, re-wrapping or a re-encoding do not break it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from sucai.export.trace_token import TraceMark, payload_bytes

FOOTER_LEAD = "下载自素材库"
CODE_BYTES = 6
_FIELDS_CONTEXT = b"sucai-footer-fields-v1\x00"
_CONTENT_CONTEXT = b"sucai-footer-content-v1\x00"
_NOT_COUNTED = re.compile("[\\s\u200b\u200c\u200d\u2060\ufeff]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_B32 = "[A-Z2-7]{10}"
FOOTER_LINE = re.compile(
    rf"{FOOTER_LEAD}｜账户：(?P<user>.*)（编号 (?P<uid>\d+)）｜时间：(?P<time>[^｜]+)｜文档：(?P<docs>#\d+(?:、#\d+)*)"
    rf"｜下载编号：(?P<download>\d+)｜校验码：(?P<fields>{_B32})-(?P<content>{_B32})"
)
_MD_ESCAPED = re.compile(r"\\([\\`*_\[\]<>#>+=|-])")


@dataclass(frozen=True)
class FooterClaim:
    """A footer line found in a file: the mark it states, its two codes, and the text above it."""

    mark: TraceMark
    fields_code: str
    content_code: str
    content: str


def _code(data: bytes, secret: bytes) -> str:
    if not secret:
        raise ValueError("the trace secret must not be empty")
    mac = hmac.new(secret, data, hashlib.sha256).digest()[:CODE_BYTES]
    return base64.b32encode(mac).decode("ascii").rstrip("=")


def counted_text(text: str) -> str:
    """What the content code covers: the text without whitespace and zero-width characters."""
    return _NOT_COUNTED.sub("", text)


def _codes(mark: TraceMark, content: str, secret: bytes) -> tuple[str, str]:
    payload = payload_bytes(mark)
    digest = hashlib.sha256(counted_text(content).encode("utf-8")).digest()
    return _code(_FIELDS_CONTEXT + payload, secret), _code(_CONTENT_CONTEXT + payload + b"\x00" + digest, secret)


def footer_line(mark: TraceMark, content: str, secret: bytes) -> str:
    """The footer for a file whose text above the footer is `content`."""
    fields, body = _codes(mark, content, secret)
    docs = "、".join(f"#{i}" for i in mark.document_ids)
    return (
        f"{FOOTER_LEAD}｜账户：{mark.user}（编号 {mark.user_id}）｜时间：{mark.time}｜文档：{docs}"
        f"｜下载编号：{mark.download_id}｜校验码：{fields}-{body}"
    )


def _claim(match: re.Match[str], content: str) -> FooterClaim:
    ids = tuple(int(i) for i in match.group("docs").replace("#", "").split("、"))
    mark = TraceMark(match.group("user"), int(match.group("uid")), match.group("time"), ids,
                     int(match.group("download")))
    return FooterClaim(mark, match.group("fields"), match.group("content"), content)


def find_footer(lines: list[str]) -> FooterClaim | None:
    """The last footer line among the lines (of a text, or a document's paragraphs), with the text above it.

    Markdown escapes (a user name with * or _) are read both as written and unescaped."""
    for i in range(len(lines) - 1, -1, -1):
        if FOOTER_LEAD not in lines[i]:
            continue
        line = _ZERO_WIDTH.sub("", lines[i]).strip()
        match = FOOTER_LINE.search(line) or FOOTER_LINE.search(_MD_ESCAPED.sub(r"\1", line))
        if match:
            return _claim(match, "\n".join(lines[:i]))
    return None


def verify_footer(claim: FooterClaim, secret: bytes) -> tuple[bool, bool]:
    """(the fields are this library's, the text above is as downloaded)."""
    fields, body = _codes(claim.mark, claim.content, secret)
    fields_ok = hmac.compare_digest(fields, claim.fields_code)
    return fields_ok, fields_ok and hmac.compare_digest(body, claim.content_code)
