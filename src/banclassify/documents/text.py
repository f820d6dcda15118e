"""Documents without pages of positioned words: plain text, Markdown and HTML.

Text is decoded (UTF-8 with or without BOM, UTF-16, Windows-1252), Markdown and
HTML markup is dropped, and the same plain-text cleanup and hyphenation repair
as for PDFs is applied. A form feed starts a new page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from ..errors import InputError
from .layout import clean_plain_text, join_hyphenated
from .types import ExtractedDocument, PageText

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}


def decode_text(path: Path, data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"invalid UTF-16 text at byte {exc.start}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"undecodable byte 0x{data[exc.start]:02x} at offset {exc.start}: not UTF-8, UTF-16 or Windows-1252 text"
        ) from None


MARKDOWN_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MARKDOWN_LIST_BEFORE_MARKER = re.compile(r"^[ \t]*\d+\.[ \t]+(?=\((?:[a-z]{1,2}|\d{1,3}|[A-Z])\)\s)", re.MULTILINE)
MARKDOWN_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))|(\*\*|__|`)", re.MULTILINE)


def read_text_file(path: Path) -> ExtractedDocument:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "binary file, not text")
    text = decode_text(path, data).replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() in {".md", ".markdown"}:
        text = MARKDOWN_COMMENT.sub("", text)
        # Code publishers number every paragraph as a list item ("2. (b) Ban on ..."): the
        # list number is not the law's numbering, the "(b)" after it is.
        text = MARKDOWN_LIST_BEFORE_MARKER.sub("", text)
        text = MARKDOWN_MARKUP.sub(lambda m: "" if m.group(2) else "", text)
    # A form feed is how plain-text exports of paged documents mark a new page.
    raw_pages = text.split("\f")
    pages = [PageText(n, join_hyphenated(clean_plain_text(t))) for n, t in enumerate(raw_pages, start=1)]
    return ExtractedDocument(path, "text", pages, len(pages))


class _VisibleText(HTMLParser):
    """The visible text of an HTML page, without scripts, styles and navigation."""

    SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "svg", "head"}
    BLOCK = {"p", "div", "section", "article", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "dd", "dt", "table", "blockquote", "pre"}
    VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "area", "col", "base"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        role = dict(attrs).get("role") or ""
        if tag in self.VOID:
            if tag == "br" and not self.skipping:
                self.parts.append("\n")
            return
        if self.skipping or tag in self.SKIP or role in {"navigation", "banner", "contentinfo", "search"}:
            self.skipping.append(tag)
            return
        if tag in self.BLOCK:
            self.parts.append("\n\n" if tag in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"} else "\n")

    def handle_endtag(self, tag):
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def read_html_file(path: Path) -> ExtractedDocument:
    parser = _VisibleText()
    parser.feed(decode_text(path, path.read_bytes()))
    parser.close()
    text = join_hyphenated(clean_plain_text(parser.text()))
    return ExtractedDocument(path, "html", [PageText(1, text)], 1)
