"""A page of remarks by several speakers (发言摘编) -> one document per speaker.

Each speaker is introduced by a line of their own: a role and a name before a colon ("院长曲青山：",
"全国政协委员、江渚大学校长 林远舟："), or a headline that names the speaker ("林远舟委员：推动产学研深度融合").
A page counts as one only with at least MIN_SPEAKERS distinct speakers, each introduced once and each
followed by body text; an article that quotes people, or an interview where the same two people take turns,
is never split. The speaker's line stays at the top of the document's body (nothing is lost); a headline
line right above it becomes the document's title; otherwise the title is the collection's, with the name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sucai.ingest.pagelines import speaker_of
from sucai.ingest.parts import Part, is_title_like, strip_count
from sucai.model import Line

MIN_SPEAKERS = 3
_MAX_INTRO = 80
_SENTENCE_END = re.compile("[。！？!?][”’」』）)]*$")
# "林远舟委员：推动产学研深度融合" — a headline after the speaker's colon
_HEADED = re.compile(r"(?P<intro>[^：:。！？]{2,30}?[：:])(?P<headline>[^：:。！？；]{4,40})")


def split_speakers(lines: Sequence[Line], first: int, collection: str | None) -> list[Part] | None:
    """The parts of a many-speaker page (lines[first:] after its collection title), or None if it is not one."""
    intros = [(i, who) for i in range(first, len(lines)) if (who := _introduction(lines[i].text)) is not None]
    if len(intros) < MIN_SPEAKERS or len({who[1] for _, who in intros}) != len(intros):
        return None
    # a part starts at the headline right above its speaker's line, if there is one
    heads = [i - 1 if i - 1 > first and _is_headline(lines[i - 1].text) else None for i, _ in intros]
    starts = [i if head is None else head for (i, _), head in zip(intros, heads, strict=True)]
    ends = [*starts[1:], len(lines)]
    if not all(_has_body(lines, i + 1, end) for (i, _), end in zip(intros, ends, strict=True)):
        return None
    parts: list[Part] = []
    for k, ((i, (role, name, headline)), head) in enumerate(zip(intros, heads, strict=True)):
        title = lines[head].text if head is not None else headline or _named(collection, name)
        body_from = i if k > 0 else first  # lines before the first speaker (a date, an editor's note) are theirs
        body = [line for j, line in enumerate(lines[body_from : ends[k]], body_from) if j != head]
        parts.append(Part(title, body, starts[k] if k > 0 else first, ends[k], name, role))
    return parts


def _introduction(text: str) -> tuple[str, str, str] | None:
    """(role, name, headline) if the line introduces a speaker; headline "" for a bare "院长曲青山：" line."""
    if len(text) > _MAX_INTRO or ("：" not in text and ":" not in text):
        return None
    who = speaker_of(text)
    if who is not None:
        return who[0], who[1], ""
    m = _HEADED.fullmatch(text)
    if m is None:
        return None
    who = speaker_of(m.group("intro"))
    return (who[0], who[1], m.group("headline").strip()) if who is not None else None


def _is_headline(text: str) -> bool:
    return is_title_like(text) and speaker_of(text) is None


def _has_body(lines: Sequence[Line], start: int, end: int) -> bool:
    return any(_SENTENCE_END.search(line.text) for line in lines[start:end])


def _named(collection: str | None, name: str) -> str:
    return f"{strip_count(collection)}（{name}）" if collection else f"{name}的发言"
