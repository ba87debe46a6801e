"""A web page's article text: navigation, footers, scripts, forms and hidden junk out; block elements as lines.

lxml (libxml2, without huge_tree) parses in C and stops at 256 levels of nesting; we walk the tree with
iterwalk, never recursion, and refuse a page that libxml2 had to cut short rather than keep half of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from sucai.errors import InputError
from sucai.ingest.limits import Limits
from sucai.ingest.readers.text import decode_text

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CHARSET_ALIASES = {  # what browsers do (WHATWG): GBK labels mean GB18030, Latin-1 labels mean windows-1252
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030",
    "big5": "cp950", "big5-hkscs": "big5hkscs", "iso-8859-1": "windows-1252", "latin1": "windows-1252",
    "latin-1": "windows-1252", "us-ascii": "windows-1252", "ascii": "windows-1252",
}
_DROP_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "frame", "frameset", "form", "nav", "footer", "aside", "template",
    "svg", "math", "button", "select", "textarea", "input", "object", "embed", "canvas", "audio", "video",
    "map", "dialog", "menu",
})
_CONTENT_TAGS = ("article", "main")
_JUNK_WORDS = frozenset({
    "nav", "navbar", "navigation", "menu", "menubar", "footer", "foot", "sidebar", "side", "comment",
    "comments", "share", "sharing", "ad", "ads", "advert", "adverts", "advertisement", "banner", "breadcrumb",
    "breadcrumbs", "crumb", "crumbs", "related", "recommend", "toolbar", "topbar", "copyright", "login",
    "social", "qrcode", "pagination", "pager",
})
_JUNK_AFFIXES = ("nav", "menu", "footer", "sidebar", "comment", "share", "breadcrumb")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "pre",
                         "figcaption", "caption"})
_LIST_WRAPPERS = frozenset({"ul", "ol", "dl", "tbody", "thead", "tfoot", "tr", "table"})
_BLOCKS = _PARAGRAPHS | _LIST_WRAPPERS | frozenset({
    "div", "section", "article", "main", "header", "body", "html", "address", "center", "figure", "hr",
    "fieldset", "details", "summary", "td", "th",
})
_CELLS = frozenset({"td", "th"})
_LIBXML_MAX_DEPTH = 255  # libxml2 without huge_tree stops at 256 levels
_MIN_UNIT_CHARS = 10  # text shorter than this says nothing about where the article is
_MAIN_SHARE = 0.3  # an <article>/<main> holding less of the page than this is a teaser, not the article
_SOURCE_BREAK = "\x00"  # whitespace with a newline in the page source (NUL never survives decoding)
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d\u2026\u2014"
_BREAK_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) *{_SOURCE_BREAK}[ {_SOURCE_BREAK}]*(?=[{_CJK}])")
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—_]\s+|_|\|")


@dataclass(frozen=True)
class HtmlText:
    text: str
    encoding: str
    title: str | None
    dropped: int = 0  # undecodable byte runs left out (readers/text.py)


def html_to_text(data: bytes, limits: Limits) -> HtmlText:
    """The article text of a page (one line per block), the encoding read and a title hint (<h1>, <title>)."""
    decoded = decode_text(data, declared=_declared_charset(data))
    root = _parse(decoded.text, limits)
    if root is None:
        return HtmlText("", decoded.encoding, None, decoded.dropped)
    page_title = _clean_line(_whitespace(root.findtext(".//title") or "", 0))
    body = root.find("body")
    body = root if body is None else body
    _remove(_junk(body))
    main = _main_element(body)
    heading = _heading(body, main)
    text = _render(main)
    heading_text = _inline_text(heading) if heading is not None else ""
    if heading is not None and not _is_inside(heading, main) and _precedes(heading, main):
        text = heading_text + "\n" + text
    # <title> is only a fallback: site names pollute it, and a text that opens with its own title line
    # (a compilation's collection title, say) knows better.
    title = heading_text or (None if _opens_with_title(text) else _best_title_part(page_title))
    return HtmlText(text, decoded.encoding, title or None, decoded.dropped)


def _opens_with_title(text: str) -> bool:
    from sucai.ingest.parts import is_title_like

    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return bool(first) and is_title_like(first)


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii").lower()
    if label.startswith(("utf-16", "utf-32", "utf16", "utf32")):
        return None  # a page without a BOM that claims UTF-16 is ASCII-compatible (WHATWG treats it as UTF-8)
    return _CHARSET_ALIASES.get(label, label)


def _parse(text: str, limits: Limits) -> etree._Element | None:
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(_XML_DECLARATION.sub("", text, count=1), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"HTML could not be parsed ({exc})") from exc
    for error in parser.error_log:
        if error.level_name == "FATAL":
            if "depth" in error.message:
                deepest = min(limits.max_html_depth, _LIBXML_MAX_DEPTH)
                raise InputError(f"HTML nested deeper than {deepest} elements; refused rather than read only "
                                 "part of it")
            raise InputError(f"HTML could not be parsed whole: {error.message.strip()} (line {error.line})")
    if root is not None and _depth(root) > limits.max_html_depth:
        raise InputError(f"HTML nested deeper than {limits.max_html_depth} elements; refused")
    return root


def _depth(root: etree._Element) -> int:
    depth = deepest = 0
    for event, _element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _junk(body: etree._Element) -> list[etree._Element]:
    """Elements that are never the article: by tag, by being hidden, by a class/id that names page chrome."""
    total = len(_text_of(body))
    found: list[etree._Element] = []
    for element in body.iter():
        tag = _tag(element)
        if tag is None:
            continue
        if tag in _DROP_TAGS or _is_hidden(element):
            found.append(element)
        elif tag == "header" and not any(_tag(a) in _CONTENT_TAGS for a in element.iterancestors()):
            found.append(element)
        elif _junk_name(element) and tag not in ("body", "html", *_CONTENT_TAGS):
            # a class name is a weak signal: never drop what holds most of the page or the marked article
            if len(_text_of(element)) < total / 2 and not any(True for _ in element.iter(*_CONTENT_TAGS)):
                found.append(element)
    return found


def _is_hidden(element: etree._Element) -> bool:
    # sites hide junk characters in the text to spoil copying; readers never see them
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(element.get("style") or ""))


def _junk_name(element: etree._Element) -> bool:
    words = [w.lower() for w in _WORDS.findall(f"{element.get('class') or ''} {element.get('id') or ''}")]
    return any(w in _JUNK_WORDS or w.startswith(_JUNK_AFFIXES) or w.endswith(_JUNK_AFFIXES) for w in words)


def _remove(elements: Iterable[etree._Element]) -> None:
    """Take elements out of the tree, keeping the text that follows each (its tail)."""
    for element in elements:
        parent = element.getparent()
        if parent is None:
            continue
        if element.tail:
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)


def _main_element(body: etree._Element) -> etree._Element:
    """<article> or <main> when one holds the page, else the element the most paragraph text gathers in."""
    total = len(_text_of(body).strip())
    for tag in _CONTENT_TAGS:
        candidates = [(len(_text_of(e).strip()), e) for e in body.iter(tag)]
        if candidates:
            size, element = max(candidates, key=lambda c: c[0])
            if size > 0 and size >= total * _MAIN_SHARE:
                return element
    scores: dict[etree._Element, float] = {}
    in_link = 0  # link text (menus, lists of headlines) says nothing about where the article is
    for event, element in etree.iterwalk(body, events=("start", "end")):
        is_link = _tag(element) == "a"
        in_link += is_link if event == "start" else -is_link
        if event == "end" or in_link:
            continue
        chars = _own_text_chars(element)
        if chars < _MIN_UNIT_CHARS:
            continue
        container = _container(element)
        scores[container] = scores.get(container, 0.0) + chars
        parent = container.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + chars / 2
    if not scores:
        return body
    return max(scores, key=lambda e: scores[e])


def _own_text_chars(element: etree._Element) -> int:
    """Characters written directly in an element: its text and its children's tails."""
    if _tag(element) is None:
        return 0
    pieces = [element.text or ""] + [child.tail or "" for child in element]
    return len("".join(pieces).strip())


def _container(element: etree._Element) -> etree._Element:
    """The block that holds a text unit's paragraph: a <p> counts for its parent, a bare <div> for itself."""
    block = element
    while _tag(block) not in _BLOCKS and block.getparent() is not None:
        block = block.getparent()
    if _tag(block) not in _PARAGRAPHS:
        return block
    holder = block.getparent()
    while holder is not None and _tag(holder) in _PARAGRAPHS | _LIST_WRAPPERS and holder.getparent() is not None:
        holder = holder.getparent()
    return block if holder is None else holder


def _heading(body: etree._Element, main: etree._Element) -> etree._Element | None:
    inside = next((h for h in main.iter("h1") if _inline_text(h)), None)
    return inside if inside is not None else next((h for h in body.iter("h1") if _inline_text(h)), None)


def _render(main: etree._Element) -> str:
    """Text with a line break around every block element; whitespace collapsed except inside <pre>."""
    parts: list[str] = []
    in_pre = 0
    for event, element in etree.iterwalk(main, events=("start", "end")):
        tag = _tag(element)
        if event == "start":
            if tag in _CELLS:
                parts.append("\t")
            elif tag in _BLOCKS or tag == "br":
                parts.append("\n")
            in_pre += tag == "pre"
            if tag is not None and element.text:
                parts.append(_whitespace(element.text, in_pre))
            continue
        if tag in _CELLS:
            parts.append("\t")
        elif tag in _BLOCKS:
            parts.append("\n")
        in_pre -= tag == "pre"
        if element is not main and element.tail:
            parts.append(_whitespace(element.tail, in_pre))
    lines = (_clean_line(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _whitespace(text: str, in_pre: int) -> str:
    if in_pre:
        return text.replace("\t", " ")
    # a newline in the page source is no space in Chinese: mark it and decide once neighbours are known
    text = re.sub(r"[ \t\f\v]*[\r\n][\s]*", _SOURCE_BREAK, text)
    return re.sub(r"[ \t\f\v\xa0\u3000]+", " ", text)


def _clean_line(line: str) -> str:
    line = _BREAK_BETWEEN_CJK.sub("", line).replace(_SOURCE_BREAK, " ")
    line = re.sub(r"[ \t\xa0\u3000]*\t[ \t\xa0\u3000]*", "\t", line)
    line = re.sub(r"[ \xa0\u3000]{2,}", " ", line)
    return line.strip(" \t\xa0\u3000\r\n\x00")


def _best_title_part(title: str) -> str:
    """`文章标题_栏目_网站名` -> the longest part, which is the article's title."""
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    return max(parts, key=len) if parts else ""


def _inline_text(element: etree._Element) -> str:
    return _clean_line(_whitespace(_text_of(element), 0))


def _text_of(element: etree._Element) -> str:
    return str(element.xpath("string()"))


def _tag(element: etree._Element) -> str | None:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else None  # comments and entities have no string tag


def _is_inside(element: etree._Element, container: etree._Element) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


def _precedes(element: etree._Element, other: etree._Element) -> bool:
    """Whether `element` comes before `other` in document order (and is not inside it)."""
    for branch in (other, *other.iterancestors()):
        if any(_is_inside(element, sibling) for sibling in branch.itersiblings(preceding=True)):
            return True
    return False

