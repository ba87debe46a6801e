"""The key two copies of one document share: its normalised title and body, blind to paragraph breaks.

Decided on the title and the body together, so two picture pages that share nothing but a credit line are
not merged; the body's blocks are joined with nothing between them, so the same article with one more (or
one less) paragraph break, or a heading split off its paragraph, is still the same document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_TITLE_SEP = "\u2028"  # no normalised text holds it: the title can never run into the body


def body_key(norm_title: str, norm_paragraphs: Sequence[str]) -> str:
    """The hex SHA-256 that marks duplicates (stored as Document.body_sha256), from the title and the body's
    blocks already put through sucai.normalize (the title block left out)."""
    return hashlib.sha256((norm_title + _TITLE_SEP + "".join(norm_paragraphs)).encode("utf-8")).hexdigest()
