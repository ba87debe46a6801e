"""The document page's view: the viewer's blocks at their places in the full document, lock notices between.

Anchors (#b12) use positions in the full document, so a link from a search hit lands on the same paragraph
for every viewer; the text comes only from the viewer's document (access.visible_document)."""

from __future__ import annotations

from dataclasses import dataclass

from sucai.model import Block, Document


@dataclass(frozen=True)
class BlockView:
    anchor: int  # position in the full document
    visible: int  # position in the viewer's document (what "add to draft" names)
    block: Block


@dataclass(frozen=True)
class LockView:
    anchor: int  # first withheld block
    blocks: int  # how many (their size is not shown: it is a fact about member-only text)


@dataclass(frozen=True)
class OutlineView:
    level: int
    text: str
    anchor: int
    visible: int


@dataclass(frozen=True)
class DocView:
    items: list[BlockView | LockView]
    outline: list[OutlineView]
    locked_blocks: int


def document_view(doc: Document, withheld: list[tuple[int, int]]) -> DocView:
    """Lay the viewer's blocks out around the withheld ones (positions, sizes: Library.locked_blocks)."""
    items = _layout(doc.blocks, {position for position, _chars in withheld})
    anchors = {item.visible: item.anchor for item in items if isinstance(item, BlockView)}
    outline = [
        OutlineView(o.level, o.text, anchors[o.block], o.block) for o in doc.outline if o.block in anchors
    ]
    return DocView(items, outline, len(withheld))


def _layout(blocks: list[Block], withheld: set[int]) -> list[BlockView | LockView]:
    items: list[BlockView | LockView] = []
    visible = 0
    position = 0
    while visible < len(blocks) or position in withheld:
        if position in withheld:
            _add_locked(items, position)
        else:
            items.append(BlockView(position, visible, blocks[visible]))
            visible += 1
        position += 1
    return items


def _add_locked(items: list[BlockView | LockView], position: int) -> None:
    last = items[-1] if items else None
    if isinstance(last, LockView) and last.anchor + last.blocks == position:
        items[-1] = LockView(last.anchor, last.blocks + 1)
    else:
        items.append(LockView(position, 1))
