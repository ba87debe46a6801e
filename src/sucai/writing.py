"""The writer's desk beyond lint and check: polishing (润笔) and outline first. Part of the public Library.

Both read the library only through its viewer-aware calls (phrases, search, document), so a suggestion or
a proposed outline never carries member-only text to a viewer who may not read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sucai.compose.outline import OutlineProposal, propose_outline
from sucai.compose.polish import PolishReport, polish
from sucai.errors import InputError
from sucai.model import Document, PhraseHit, SearchResult, User

if TYPE_CHECKING:
    from sucai.settings import Settings

OUTLINE_DOCUMENTS = 8  # best-matching documents an outline is assembled from
PHRASES_PER_TOPIC = 6
MAX_TOPIC_CHARS = 60


class WritingDesk:
    """Library methods for the desk (needs settings, phrases, search and document)."""

    settings: Settings
    phrases: Callable[..., tuple[int, list[PhraseHit]]]
    search: Callable[..., SearchResult]
    document: Callable[..., Document]

    def polish(self, text: str, viewer: User | None = None) -> PolishReport:
        """Suggestions for a draft, with 金句 on its topics from the phrase bank as the viewer may read it."""
        from sucai.ingest.clean import load_rules

        topics = load_rules(self.settings.rules_dirs).topics

        def lookup(keyword: str) -> list[PhraseHit]:
            return self.phrases(keyword, viewer=viewer, limit=PHRASES_PER_TOPIC)[1]

        return polish(text, phrase_lookup=lookup, topics=topics)

    def propose_outline(self, topic: str, viewer: User | None = None) -> OutlineProposal:
        """An outline for a topic (words separated by spaces) from the best-matching documents' headings.

        Documents holding every word come first; when too few do, those holding any of them."""
        words = [w for w in topic.replace('"', " ").split() if w]
        if not words or len(topic) > MAX_TOPIC_CHARS:
            raise InputError(f"请输入 1 到 {MAX_TOPIC_CHARS} 字的主题，如：主题教育 研讨发言。Give a topic.")
        quoted = [f'"{w}"' for w in words]
        ids = [h.id for h in self.search(" ".join(quoted), limit=OUTLINE_DOCUMENTS, viewer=viewer).hits]
        if len(ids) < OUTLINE_DOCUMENTS and len(words) > 1:
            wider = self.search(" OR ".join(quoted), limit=OUTLINE_DOCUMENTS, viewer=viewer).hits
            ids += [h.id for h in wider if h.id not in ids][: OUTLINE_DOCUMENTS - len(ids)]
        ranked = [self.document(i, viewer) for i in ids]
        return propose_outline(words, ranked, topic)
