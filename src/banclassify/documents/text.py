"""Documents without pages of positioned words: plain text, Markdown and HTML.

Text is decoded (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252),
Markdown markup is dropped, HTML is read by ``html``, and the same plain-text
cleanup and hyphenation repair as for PDFs is applied. A form feed starts a new
page. A plain-text file has no vertical gaps to tell paragraphs apart, so a
line that opens a recital or resolution clause ("WHEREAS", "NOW, THEREFORE",
"BE IT RESOLVED") starts a new paragraph; numbered lines ("Sec. 2.", "(a)",
"1.") already start a clause in ``segment``, as in PDFs.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..errors import InputError
from . import html
from .layout import clean_plain_text, join_hyphenated
from .types import ExtractedDocument, PageText

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}

# A well-formed UTF-8 sequence of two to four bytes (RFC 3629: no overlong forms, no surrogates).
UTF8_MULTIBYTE = (
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
HIGH_BYTES = re.compile(rb"(?:" + UTF8_MULTIBYTE + rb")|(?P<bad>[\x80-\xff])")
OFFSETS_NAMED = 10


def read_document_bytes(path: Path, limit: int = -1) -> bytes:
    """The bytes of a regular file (its first ``limit`` bytes if given); ``InputError`` for a FIFO, device or socket.

    The file is opened without blocking and checked on the open descriptor, so a
    FIFO named ``notes.txt`` cannot hang the read and a symlink to ``/dev/zero``
    cannot be read without end, even if the path changes after a check by name.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as handle:
        check_regular(path, os.fstat(fd).st_mode)
        try:
            return handle.read(limit)
        except OSError as exc:
            raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None


def check_regular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = (
        "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
        else "a character device" if stat.S_ISCHR(mode)
        else "a block device" if stat.S_ISBLK(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise InputError(path, f"is {kind}, not a document file: only regular files are read")


def decode_text(path: Path, data: bytes, warnings: list[str] | None = None) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.

    A UTF-8 file with a few invalid bytes (a stray byte pasted from another
    program, a cut multi-byte character) stays UTF-8: the bad bytes become
    U+FFFD and a warning naming their offsets goes to ``warnings``. Only a file
    whose high bytes are mostly not UTF-8 is read as Windows-1252, so one stray
    byte never turns every "São" of a file into "SÃ£o".
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"invalid UTF-16 text at byte {exc.start}") from None
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    valid, bad = 0, []
    for match in HIGH_BYTES.finditer(body):
        if match.group("bad") is None:
            valid += 1
        else:
            bad.append(match.start() + (3 if bom else 0))
    if bom or (valid and valid >= len(bad)):
        if warnings is not None:
            warnings.append(_replaced_message(bad))
        return body.decode("utf-8", errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"undecodable byte 0x{data[exc.start]:02x} at offset {exc.start}: not UTF-8, UTF-16 or Windows-1252 text"
        ) from None


def _replaced_message(offsets: list[int]) -> str:
    named = ", ".join(str(offset) for offset in offsets[:OFFSETS_NAMED])
    more = f" and {len(offsets) - OFFSETS_NAMED} more" if len(offsets) > OFFSETS_NAMED else ""
    plural = "s" if len(offsets) > 1 else ""
    verb = "are" if len(offsets) > 1 else "is"
    return f"{len(offsets)} byte{plural} that {verb} not valid UTF-8 replaced with U+FFFD (byte offset{plural} {named}{more})"


MARKDOWN_LIST_BEFORE_MARKER = re.compile(r"^[ \t]*\d+\.[ \t]+(?=\((?:[a-z]{1,2}|\d{1,3}|[A-Z])\)\s)", re.MULTILINE)
MARKDOWN_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))|(\*\*|__|`)", re.MULTILINE)

# Lines that open a recital or an operative clause of a resolution or ordinance.
CLAUSE_OPENING = re.compile(
    r"^[ \t]*(?:WHEREAS|Whereas|NOW,?[ \t]+THEREFORE|Now,?[ \t]+[Tt]herefore|(?:AND[ \t]+|And[ \t]+)?BE[ \t]+IT|"
    r"(?:And[ \t]+)?Be[ \t]+[Ii]t|(?:FURTHER[ \t]+)?RESOLVED|(?:Further[ \t]+)?Resolved)\b",
    re.MULTILINE,
)
# "be it" / "BE IT FURTHER" at the end of a line runs on into "RESOLVED" on the next.
OPENING_RUNS_ON = re.compile(r"\bBE[ \t]+IT(?:[ \t]+FURTHER)?,?[ \t]*$", re.IGNORECASE)


def read_text_file(path: Path) -> ExtractedDocument:
    data = read_document_bytes(path)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = _utf16_without_bom(path, data)
    warnings: list[str] = []
    text = decode_text(path, data, warnings).replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() in {".md", ".markdown"}:
        text = strip_html_comments(text, warnings)
        # Code publishers number every paragraph as a list item ("2. (b) Ban on ..."): the
        # list number is not the law's numbering, the "(b)" after it is.
        text = MARKDOWN_LIST_BEFORE_MARKER.sub("", text)
        text = MARKDOWN_MARKUP.sub("", text)
    text = break_before_clause_openings(text)
    # A form feed is how plain-text exports of paged documents mark a new page.
    raw_pages = text.split("\f")
    pages = [PageText(n, join_hyphenated(clean_plain_text(t))) for n, t in enumerate(raw_pages, start=1)]
    return ExtractedDocument(path, "text", pages, len(pages), warnings=warnings)


def _utf16_without_bom(path: Path, data: bytes) -> bytes:
    """UTF-16 text that lacks its byte-order mark, given one; ``InputError`` for a binary file.

    ASCII-range text in UTF-16 has a NUL in every other byte: at odd offsets in
    little-endian, at even ones in big-endian. A binary file has NULs anywhere.
    """
    head = data[:4096]
    even, odd = head[0::2], head[1::2]
    for zeros, bom in ((odd, b"\xff\xfe"), (even, b"\xfe\xff")):
        other = even if zeros is odd else odd
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) <= 0.01 * len(other) and len(data) % 2 == 0:
            try:
                (bom + data).decode("utf-16")
            except UnicodeDecodeError:
                break
            return bom + data
    raise InputError(path, "binary file, not text (NUL bytes, and not UTF-16 text)")


def strip_html_comments(text: str, warnings: list[str]) -> str:
    """Drop ``<!-- ... -->`` comments in one pass; an unclosed one is kept as text, with a warning.

    A non-greedy regular expression would try every later "<!--" against the
    whole rest of the file: quadratic, minutes for a file of unclosed comments.
    """
    pieces, cursor = [], 0
    while True:
        start = text.find("<!--", cursor)
        if start < 0:
            break
        end = text.find("-->", start + 4)
        if end < 0:
            line = text.count("\n", 0, start) + 1
            warnings.append(f"an HTML comment opened on line {line} is never closed: the text after it is read as text")
            break
        pieces.append(text[cursor:start])
        cursor = end + 3
    pieces.append(text[cursor:])
    return "".join(pieces)


def break_before_clause_openings(text: str) -> str:
    """Start a paragraph at each line that opens a recital or "RESOLVED" clause."""
    def cut(match: re.Match) -> str:
        start = match.start()
        if start == 0:
            return match.group(0)
        previous = text[text.rfind("\n", 0, start - 1) + 1: start].strip()
        if not previous or OPENING_RUNS_ON.search(previous):
            return match.group(0)
        return "\n" + match.group(0)

    return CLAUSE_OPENING.sub(cut, text)


def read_html_file(path: Path) -> ExtractedDocument:
    warnings: list[str] = []
    document = html.read_html_file(path, decode_text(path, read_document_bytes(path), warnings))
    document.warnings.extend(warnings)
    return document
