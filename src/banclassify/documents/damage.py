"""Damaged PDFs: files cut off before their end, broken cross-reference tables, missing pages.

PDF engines repair what they can without a word: a download cut off after a few
pages opens as a short, complete-looking document. These checks read the file's
last kilobyte (the end-of-file marker and the ``startxref`` pointer, which every
complete PDF ends with) and compare the page count the page tree declares with
the pages that could be read, so that the user is told what is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

# The spec lets the end-of-file marker sit anywhere in the last 1024 bytes (readers accept that much trailing junk).
TAIL_BYTES = 1024
HEADER_WINDOW = 1024  # "%PDF-" may follow up to this much junk; offsets count from it
STARTXREF = re.compile(rb"startxref\s+(\d+)")
XREF_AT = re.compile(rb"\s*(?:xref\b|\d+\s+\d+\s+obj\b)")


def structure_problem(path: Path) -> str:
    """What is wrong with the file's structure, in a few words; "" when nothing is."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEADER_WINDOW)
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read()
            if b"%%EOF" not in tail:
                return "the file ends before its end-of-file marker: it is cut off (an incomplete download?)"
            pointers = STARTXREF.findall(tail)
            if not pointers:
                return "the cross-reference table is damaged (no startxref at the end of the file)"
            offset = int(pointers[-1])
            # Offsets count from the %PDF header, which junk before it shifts (PDFium reads it that way).
            for base in {0, max(0, head.find(b"%PDF-"))}:
                handle.seek(base + offset)
                if XREF_AT.match(handle.read(64)):
                    return ""
    except OSError:
        return ""  # the engines say what is wrong with a file that cannot be read
    return "the cross-reference table is damaged (startxref points to no cross-reference section)"


def missing_pages(declared: int, read: set[int]) -> list[int]:
    """Declared pages the engines did not read (by number)."""
    return [n for n in range(1, declared + 1) if n not in read]


def damage_message(structure: str, declared: int, missing: list[int]) -> str:
    """One warning about a damaged file; "" for a sound one."""
    from .extract import format_pages  # extract imports this module's callers

    parts = []
    if structure:
        parts.append(structure)
    if missing:
        parts.append(f"the file declares {declared} pages but page{'s' if len(missing) > 1 else ''} {format_pages(missing)} could not be read")
    if not parts:
        return ""
    return "damaged PDF: " + "; ".join(parts)
