"""Plain-text and Markdown downloads, and the reading plan every format shares (title, blocks, notice, marks).

The text is exactly the document; the visible footer line (export/footer.py) is added by the caller. When
invisible marks are asked for, the token also travels as zero-width characters at a few places
(``strip_zero_width`` of the output gives the text a reader sees).
"""

from __future__ import annotations

import re

from sucai.export.trace import ZW_STRIP
from sucai.model import Block, Document

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_CARRIER_AFTER = "，。；：！？、"
_MD_INLINE = re.compile(r"([\\`*_\[\]<>])")
_MD_BLOCK_START = re.compile(r"^(\s*)([#>+=|-])")
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def clean(text: str) -> str:
    """Block text fit for any format: stale zero-width marks and control characters out, one line."""
    text = ZW_STRIP.sub("", _CONTROL.sub("", text))
    return " ".join(text.splitlines()).strip()


def locked_notice(locked: int) -> str:
    """The line that ends a download when member-only paragraphs were withheld from it."""
    return f"（另有 {locked} 段会员内容，已隐藏）"


def reading_plan(doc: Document) -> list[Block]:
    """What a download shows, in order: the title block first, then the visible non-empty blocks."""
    blocks = [Block(b.kind, clean(b.text), b.level, b.paid) for b in doc.blocks]
    blocks = [b for b in blocks if b.text]
    if not blocks or blocks[0].kind != "title":
        title = clean(doc.title)
        if title:
            blocks.insert(0, Block("title", title))
    return blocks


def carrier_blocks(count: int) -> set[int]:
    """Which blocks carry the mark: first, middle and last, so a partial copy usually keeps one."""
    return {0, count // 2, count - 1} if count else set()


def carrier_position(text: str) -> int:
    """Where the mark goes, between two ordinary characters: after an early comma or full stop, else
    before the last character — places where it rarely splits a phrase someone searches for."""
    for i, ch in enumerate(text[:-1]):
        if ch in _CARRIER_AFTER:
            return i + 1
    return max(len(text) - 1, 0)


def embed(text: str, mark: str) -> str:
    cut = carrier_position(text)
    return text[:cut] + mark + text[cut:]


def marked_texts(blocks: list[Block], mark: str | None) -> list[str]:
    """The blocks' texts, the zero-width mark (if any) woven into the carrier blocks."""
    if not mark:
        return [b.text for b in blocks]
    carriers = carrier_blocks(len(blocks))
    return [embed(b.text, mark) if i in carriers else b.text for i, b in enumerate(blocks)]


def render_txt(doc: Document, mark: str | None = None) -> str:
    """Title, a blank line, then one block per line; the locked notice last (`mark`: zero-width, or none)."""
    blocks = reading_plan(doc)
    texts = marked_texts(blocks, mark)
    lines = [*texts[:1], "", *texts[1:]] if blocks and blocks[0].kind == "title" else texts
    if doc.locked > 0:
        lines.append(locked_notice(doc.locked))
    return "\n".join(lines) + "\n"


def md_escape(text: str) -> str:
    """Text that Markdown shows as written: no emphasis, links, HTML or accidental lists and headings."""
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_ORDERED.sub(r"\1\\\2", _MD_BLOCK_START.sub(r"\1\\\2", text))


def _md_line(block: Block, text: str) -> str:
    if block.kind == "title":
        return f"# {text}"
    if block.kind == "heading":
        return "#" * min((block.level or 1) + 1, 6) + f" {text}"
    return text


def render_md(doc: Document, mark: str | None = None) -> str:
    """``# title``, headings ``##``… by level, paragraphs separated by blank lines; the locked notice last."""
    blocks = reading_plan(doc)
    # Mark first, then escape: a mark between a backslash and what it escapes would undo the escape.
    texts = marked_texts(blocks, mark)
    parts = [_md_line(b, md_escape(t)) for b, t in zip(blocks, texts, strict=True)]
    if doc.locked > 0:
        parts.append(md_escape(locked_notice(doc.locked)))
    return "\n\n".join(parts) + "\n"
