"""The one codec for amendment marks: struck-through and underlined words.

Amending ordinances print deleted words struck through and inserted words
underlined. The PDF engines see the rules that do it (``layout.mark_amendments``);
from there to ``segment`` the marks travel inside the page text as private-use
code points around each marked word, so that every text stage in between
(cleanup, hyphenation, caching) keeps them without knowing about them.
``encode`` writes them, the rest of this module reads them.
"""

from __future__ import annotations

import re

from .types import Word

MARKS = {"struck": ("\ue000", "\ue001"), "underlined": ("\ue002", "\ue003")}
MARK_CHARS = "".join(a + b for a, b in MARKS.values())

_REMOVE = {ord(ch): None for ch in MARK_CHARS}
_AS_SPACE = {ord(ch): " " for ch in MARK_CHARS}
_PRESENT = re.compile("[" + re.escape(MARK_CHARS) + "]")
_STRUCK = re.compile(re.escape(MARKS["struck"][0]) + "(.*?)" + re.escape(MARKS["struck"][1]), re.DOTALL)
_UNDERLINED = re.compile(re.escape(MARKS["underlined"][0]) + "(.*?)" + re.escape(MARKS["underlined"][1]), re.DOTALL)


def encode(word: Word) -> str:
    """The word's text, between the marks of its amendment markup if it has any."""
    if not word.mark:
        return word.text
    start, end = MARKS[word.mark]
    return f"{start}{word.text}{end}"


def strip_marks(text: str) -> str:
    """``text`` without its marks."""
    return text.translate(_REMOVE)


def as_spaces(text: str) -> str:
    """``text`` with every mark read as a space: same length, so offsets still agree."""
    return text.translate(_AS_SPACE)


def widen_over_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """Include the marks around a struck or underlined first and last word in the span."""
    while start > 0 and text[start - 1] in MARK_CHARS:
        start -= 1
    while end < len(text) and text[end] in MARK_CHARS:
        end += 1
    return start, end


def amended_text(raw: str) -> tuple[str, str]:
    """The clause as it reads after the amendment, and what the amendment does to it.

    A clause made wholly of struck text is being repealed: it keeps its text, marked
    "deleted". Struck words inside a clause are dropped: what is left is the law.
    Returns the text with whitespace collapsed and no marks, and "deleted",
    "inserted" (wholly underlined) or "unchanged".
    """
    plain = lambda t: " ".join(strip_marks(t).split())  # noqa: E731
    if not _PRESENT.search(raw):
        return " ".join(raw.split()), "unchanged"
    letters = sum(map(str.isalpha, raw))
    struck = sum(ch.isalpha() for m in _STRUCK.finditer(raw) for ch in m.group(1))
    underlined = sum(ch.isalpha() for m in _UNDERLINED.finditer(raw) for ch in m.group(1))
    if letters and struck >= 0.9 * letters:
        return plain(raw), "deleted"
    after = plain(_STRUCK.sub("", raw))
    if letters and underlined >= 0.9 * (letters - struck):
        return after, "inserted"
    return after, "unchanged"
