"""HTML pages: the visible text of the document, with its blocks and table cells apart.

Pages are parsed by selectolax's Lexbor engine, an HTML5 parser that follows the
WHATWG tree-construction rules, so optional end tags (``<li>Home<li>Codes``,
``<p>`` closed by the next block), misnested and unclosed tags give the tree a
browser would build. Site chrome is dropped before the text is read: scripts,
styles, forms, navigation, breadcrumbs, table-of-contents sidebars, and page-level
headers and footers. Every block element, table row and table cell ends a piece
of text, so a row "Sec. 10-1. | No city department ..." does not read as
"Sec. 10-1.No city department".
"""

from __future__ import annotations

import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .layout import clean_plain_text, join_hyphenated
from .types import ExtractedDocument, PageText

# Never text a reader of the document sees as its content.
INVISIBLE = {"script", "style", "noscript", "template", "head", "svg", "canvas", "iframe", "object", "form", "button", "select", "textarea", "dialog"}
# Site chrome by its HTML5 meaning.
CHROME_TAGS = {"nav", "aside", "menu"}
CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
# Page-level headers and footers are chrome; inside an article or section they carry its heading.
PAGE_EDGES = {"header", "footer"}
SECTIONING = {"article", "section", "main"}
# Chrome by name, as code publishers' templates mark it ("breadcrumbs", "toc-sidebar", "navbar").
CHROME_NAME_PARTS = {"breadcrumb", "breadcrumbs", "crumbs", "toc", "sidebar", "navbar", "nav", "navigation", "menu", "skip", "skiplink", "cookie", "cookies"}
NAME_PARTS = re.compile(r"[^a-z0-9]+")
CAMEL_CASE = re.compile(r"([a-z0-9])([A-Z])")  # "codesToc" -> "codes Toc"
# A chrome-named element with more than this share of the page's text is the page itself
# ("<div class='sidebar-layout'>" around everything), not a sidebar.
CHROME_MAX_SHARE = 0.5
# An element that holds one of these holds the page's content, whatever it is called
# (a site that wraps the whole page in <nav>): it is never dropped as chrome.
MAIN_TAGS = {"main", "article", "h1"}

# Elements that end a paragraph (a blank line) or a line.
PARAGRAPH = {
    "p", "div", "section", "article", "main", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "li", "dd", "dt", "dl", "ul", "ol", "table", "tr", "caption", "figure", "figcaption", "address", "details", "summary",
    "fieldset", "center", "hgroup", "pre", "hr",
}
LINE = {"br", "td", "th"}
# Text that ends in one of these and meets the next element's text without a space
# ("<span>Sec. 10-1.</span><span>Definitions</span>") gets one: a browser shows them apart through CSS.
JOINING_PUNCTUATION = ".:;,)"
# Code publishers print a subsection's marker in an element of its own
# ("<p class='incr0'>(a)</p><p class='content1'>No department ...</p>"): it belongs to the text after it.
LONE_MARKER = re.compile(r"^(\((?:[a-zA-Z]{1,4}|\d{1,3})\)|\d{1,3}\.|[A-Za-z]\.)\n+(?=\S)", re.MULTILINE)
SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")


def read_html_file(path: Path, html: str) -> ExtractedDocument:
    """The visible text of an HTML page (already decoded) as one page."""
    text = visible_text(html)
    return ExtractedDocument(path, "html", [PageText(1, join_hyphenated(clean_plain_text(text)))], 1)


def visible_text(html: str) -> str:
    """The text a reader sees as the page's content, blocks separated by blank lines."""
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    sizes = _subtree_sizes(root)
    return _text_of(root, sizes)


def _children(node: LexborNode) -> list[LexborNode]:
    children = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    return children


def _subtree_sizes(root: LexborNode) -> dict[int, tuple[int, bool]]:
    """For every element: the length of its text and whether it holds the main content.

    One pass without recursion (hostile pages nest thousands of elements deep); the
    decisions of ``_is_chrome`` then cost nothing per element.
    """
    sizes: dict[int, tuple[int, bool]] = {}
    stack: list[tuple[LexborNode, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if node.tag is None or node.tag.startswith("-"):
            continue
        if entering:
            stack.append((node, False))
            stack.extend((c, True) for c in _children(node))
            continue
        length, main = 0, node.tag in MAIN_TAGS or node.attributes.get("role") == "main"
        for child in _children(node):
            if child.tag == "-text":
                length += len((child.text_content or "").strip())
            elif child.mem_id in sizes:
                child_length, child_main = sizes[child.mem_id]
                length += child_length
                main = main or child_main
        sizes[node.mem_id] = (length, main)
    return sizes


def _is_invisible(node: LexborNode) -> bool:
    attributes = node.attributes
    return node.tag in INVISIBLE or "hidden" in attributes or attributes.get("aria-hidden") == "true"


def _is_chrome(node: LexborNode, sizes: dict[int, tuple[int, bool]], total: int, sectioning: int) -> bool:
    length, main = sizes.get(node.mem_id, (0, False))
    if main:
        return False
    attributes = node.attributes
    if node.tag in CHROME_TAGS or attributes.get("role") in CHROME_ROLES:
        return True
    if node.tag in PAGE_EDGES and not sectioning:
        return True
    names = CAMEL_CASE.sub(r"\1 \2", f"{attributes.get('class') or ''} {attributes.get('id') or ''}").lower()
    named = any(part in CHROME_NAME_PARTS for part in NAME_PARTS.split(names))
    return named and length <= CHROME_MAX_SHARE * total


def _text_of(root: LexborNode, sizes: dict[int, tuple[int, bool]]) -> str:
    total = sizes.get(root.mem_id, (0, False))[0] or 1
    parts: list[str] = []
    # (node, entering): an element is visited when entered and again when left.
    stack: list[tuple[LexborNode, bool]] = [(root, True)]
    pre_depth = sectioning = 0
    at_element_edge = False
    while stack:
        node, entering = stack.pop()
        tag = node.tag
        if tag == "-text":
            raw = node.text_content or ""
            piece = raw if pre_depth else SPACES.sub(" ", raw)
            if piece.strip():
                if at_element_edge and parts and parts[-1][-1:] in JOINING_PUNCTUATION and piece[0].isalnum():
                    parts.append(" ")
                at_element_edge = False
            if piece:
                parts.append(piece)
            continue
        if tag is None or tag.startswith("-"):
            continue  # comments, the doctype
        if entering and node is not root and (_is_invisible(node) or _is_chrome(node, sizes, total, sectioning)):
            continue
        at_element_edge = True
        if tag in PARAGRAPH:
            parts.append("\n\n")
        elif tag in LINE:
            parts.append("\n")
        step = 1 if entering else -1
        if tag == "pre":
            pre_depth += step
        if tag in SECTIONING:
            sectioning += step
        if entering:
            stack.append((node, False))
            stack.extend((c, True) for c in reversed(_children(node)))
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return LONE_MARKER.sub(r"\1 ", text)
