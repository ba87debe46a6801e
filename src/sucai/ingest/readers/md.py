"""Markdown to plain lines, lightly: syntax out, words kept; `# ` heading marks and list markers stay because
the structure stage reads them."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_FRONT_MATTER_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
_FRONT_MATTER_MAX_LINES = 200
_TITLE_FIELD = re.compile(r"""^title\s*[:=]\s*["']?(.*?)["']?\s*$""", re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]^]+\]:\s*\S+.*$")
_FOOTNOTE_DEF = re.compile(r"^\s{0,3}\[\^[^\]]+\]:\s*")
_QUOTE = re.compile(r"^\s{0,3}(>\s?)+")
_ATX_CLOSING = re.compile(r"^(\s{0,3}#{1,6}\s.*?)\s+#+\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_COMMENT = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"!\[[^\]]*\]\[[^\]]*\]"), ""),
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote references
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their words
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)"), r"\1"),  # intraword too, as CommonMark
    (re.compile(r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"<br\s*/?>", re.IGNORECASE), "\n"),
    (re.compile(r"</?[A-Za-z][^<>]*>"), ""),  # inline HTML tags; their text stays
)


@dataclass(frozen=True)
class MarkdownText:
    text: str
    title: str | None


def markdown_to_text(source: str) -> MarkdownText:
    """Plain text of a markdown document (LF newlines expected) and its title (front matter or first `# `)."""
    lines, title = _front_matter(_COMMENT.sub("", source).split("\n"))
    out: list[str] = []
    fence: str | None = None
    for line in _setext_to_atx(lines):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            else:
                out.append(line)  # code stays as it was written
            continue
        if match:
            fence = match.group(1)
            continue
        converted = _block(line)
        if converted is not None:
            out.append(_inline(converted))
    text = "\n".join(out)
    return MarkdownText(text, title or _first_heading(text))


def _front_matter(lines: list[str]) -> tuple[list[str], str | None]:
    closers = _FRONT_MATTER_FENCES.get(lines[0].strip()) if lines else None
    if closers is None:
        return lines, None
    for end in range(1, min(len(lines), _FRONT_MATTER_MAX_LINES)):
        if lines[end].strip() in closers:
            title = next((m.group(1) for m in map(_TITLE_FIELD.match, lines[1:end]) if m and m.group(1)), None)
            return lines[end + 1 :], title
    return lines, None


def _setext_to_atx(lines: list[str]) -> list[str]:
    """`Title` over `=====` becomes `# Title` (over `-----`: `## Title`), so one heading form remains."""
    out: list[str] = []
    for line in lines:
        match = _SETEXT.match(line)
        previous = out[-1] if out else ""
        if match and previous.strip() and not _is_special(previous):
            out[-1] = ("# " if match.group(1)[0] == "=" else "## ") + previous.strip()
            continue
        out.append(line)
    return out


def _is_special(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("#", "-", "*", "+", ">", "|", "```", "~~~")) or bool(_RULE.match(line))


def _block(line: str) -> str | None:
    """One line without its block syntax, or None when the line is only syntax."""
    if _RULE.match(line) or _REFERENCE.match(line) or (_TABLE_RULE.match(line) and "|" in line):
        return None
    line = _FOOTNOTE_DEF.sub("", line)
    line = _QUOTE.sub("", line)
    line = _ATX_CLOSING.sub(r"\1", line)
    if _TABLE_ROW.match(line):
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        line = "\t".join(cell for cell in cells if cell)
    return line


def _inline(line: str) -> str:
    # escaped characters are hidden from the patterns, then restored as plain characters
    escaped: list[str] = []

    def hide(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\ue000{len(escaped) - 1}\ue001"

    line = _ESCAPE.sub(hide, line)
    for pattern, replacement in _INLINE:
        line = pattern.sub(replacement, line)
    line = html.unescape(line)
    return re.sub(r"\ue000(\d+)\ue001", lambda m: escaped[int(m.group(1))], line)


def _first_heading(text: str) -> str | None:
    for line in text.split("\n"):
        if line.startswith("# "):
            return line[2:].strip() or None
    return None
