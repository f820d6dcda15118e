"""Engine-independent layout cleanup: from positioned words to the document's own text.

Every extraction engine hands this module the same thing, words with their page
and position, so that headers, footers, margin stamps, bill line numbers and
hyphenation are handled by one piece of code whatever produced the words.
"""

from __future__ import annotations

import bisect
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from statistics import median

from ..lexicon import english_words
from .marks import encode, strip_marks
from .types import Line, PageLines, Word


def horizontal_rule(x0: float, top: float, x1: float, bottom: float) -> tuple[float, float, float] | None:
    """A drawn line or thin rectangle as a rule (y, x0, x1) that can strike or underline words."""
    if bottom - top < 2.0 and x1 - x0 > 3.0:
        return ((top + bottom) / 2, x0, x1)
    return None


def mark_amendments(words: list[Word], segments: list[tuple[float, float, float]]) -> list[Word]:
    """Mark words crossed by a horizontal rule through their middle (struck) or under them (underlined).

    ``segments`` are horizontal rules as (y, x0, x1): drawn lines and thin rectangles.
    """
    if not segments:
        return words
    result = []
    for word in words:
        height = max(1.0, word.bottom - word.top)
        width = max(1.0, word.x1 - word.x0)
        mark = ""
        for y, x0, x1 in segments:
            overlap = min(x1, word.x1) - max(x0, word.x0)
            if overlap < 0.6 * width:
                continue
            if word.top + 0.35 * height <= y <= word.top + 0.75 * height:
                mark = "struck"
                break
            if word.top + 0.75 * height < y <= word.bottom + 2.0:
                mark = "underlined"
        result.append(Word(word.text, word.x0, word.x1, word.top, word.bottom, word.upright, mark) if mark else word)
    return result


# A stamp that agenda software prints in the margin of every page of a packet.
MARGIN_STAMP = re.compile(r"\bPacket\s+Pg\.?\s*\d+\b", re.IGNORECASE)
# A line that is only a page number: "7", "- 7 -", "Page 7", "Page 7 of 12", "7 | Page".
PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*[-–—])?(?:\s*\|\s*page)?\s*$",
    re.IGNORECASE,
)
LINE_NUMBER = re.compile(r"^\d{1,3}$")
# Line numbers are right-aligned in their column (points) and stand apart from the text.
LINE_NUMBER_ALIGN = 1.5
LINE_NUMBER_GAP = 6.0
HYPHEN_AT_END = re.compile(r"([A-Za-z]+)-$")
# The word that completes a hyphenated one, what is glued to it ("’", ").—") and the rest of the line.
WORD_AT_START = re.compile(r"^([A-Za-z]+)(\S*)(.*)$", re.DOTALL)

# Share of the page height that counts as the header or footer band.
BAND = 0.12
# Running lines are among the first or last few lines of a page.
EDGE_LINES = 3


def page_lines(number: int, words: list[Word], width: float, height: float) -> PageLines:
    """A page's words grouped into lines in reading order (see ``lines_from_words``)."""
    lines, pitch = _lines_and_pitch(words, width, height)
    return PageLines(number, width, height, lines, pitch)


def lines_from_words(words: list[Word], width: float, height: float) -> list[Line]:
    """Group a page's words into lines in reading order.

    Rotated words (margin stamps) and the line numbers of legislative bills are
    dropped here because only the words' positions tell them apart from text.
    """
    return _lines_and_pitch(words, width, height)[0]


def _lines_and_pitch(words: list[Word], width: float, height: float) -> tuple[list[Line], float]:
    words = [w for w in words if w.upright and w.text.strip()]
    words, pitch = _drop_margin_line_numbers(words)
    gutter = _column_gutter(words, width, height)
    if gutter is None:
        return _group_lines(words), pitch
    left = [w for w in words if w.x0 < gutter]
    right = [w for w in words if w.x0 >= gutter]
    return _group_lines(left) + _group_lines(right), pitch


def _drop_margin_line_numbers(words: list[Word]) -> tuple[list[Word], float]:
    """Drop the numbers a bill prints beside its lines ("1" ... "25", restarting on every page).

    They are told from text by position and sequence, not by how far left the body
    starts (a cover page or a production slug can reach further left than they do):
    a column of small numbers sharing a right edge, each the first word of its line,
    counting up one by one down the page. Also returns the distance between
    numbered lines (0.0 when there are none): the page's line pitch.
    """
    numbers = sorted((w for w in words if LINE_NUMBER.match(w.text)), key=lambda w: w.x1)
    columns: list[list[Word]] = []
    for word in numbers:
        if columns and word.x1 - columns[-1][0].x1 <= LINE_NUMBER_ALIGN:
            columns[-1].append(word)
        else:
            columns.append([word])
    by_top = sorted(words, key=lambda w: w.top)
    tops = [w.top for w in by_top]
    dropped: set[int] = set()
    pitches: list[float] = []
    for column in columns:
        column = [w for w in column if _first_on_its_line(w, by_top, tops)]
        if len(column) < 3:
            continue
        column.sort(key=lambda w: w.top)
        values = [int(w.text) for w in column]
        steps = [b - a for a, b in zip(values, values[1:])]
        if sum(1 for step in steps if step == 1) >= 0.8 * len(steps) and all(step > 0 for step in steps):
            dropped.update(id(w) for w in column)
            pitches += [(b.top - a.top) / (int(b.text) - int(a.text)) for a, b in zip(column, column[1:])]
    if not dropped:
        return words, 0.0
    return [w for w in words if id(w) not in dropped], median(pitches)


def _first_on_its_line(number: Word, by_top: list[Word], tops: list[float]) -> bool:
    """True when no word on ``number``'s line starts left of it and the text right of it keeps a gap."""
    reach = 0.5 * max(1.0, number.bottom - number.top)
    low, high = bisect.bisect_left(tops, number.top - reach), bisect.bisect_right(tops, number.top + reach)
    for word in by_top[low:high]:
        if word is number:
            continue
        if word.x0 < number.x0 or word.x0 - number.x1 < LINE_NUMBER_GAP:
            return False
    return True


def _column_gutter(words: list[Word], width: float, height: float) -> float | None:
    """The x of an empty vertical strip splitting the page's body into two columns."""
    body = [w for w in words if height * BAND < w.top < height * (1 - BAND)]
    if len(body) < 40:
        return None
    # Counted by bisection over the sorted edges: a dense page has thousands of words
    # and 41 candidate strips, too many to test every word against every strip.
    starts = sorted(w.x0 for w in body)
    ends = sorted(w.x1 for w in body)
    # Boxes with no width (x0 >= x1) are counted one by one; real pages have almost none.
    flat = [w for w in body if w.x0 >= w.x1]
    best = None
    for step in range(30, 71):
        x = width * step / 100
        left = bisect_right(ends, x)  # x1 <= x
        # x0 < x < x1: those starting left of x, less those also ending by x.
        crossing = bisect_left(starts, x) - left + sum(1 for w in flat if w.x1 <= x <= w.x0)
        right = len(body) - left - crossing
        if crossing == 0 and left > 0.3 * len(body) and right > 0.3 * len(body):
            score = min(left, right)
            if best is None or score > best[0]:
                best = (score, x)
    if best is None:
        return None
    # Two columns only when each side has many lines of its own, not a label/value table.
    gutter = best[1]
    left_lines = len({round(w.top) for w in body if w.x1 <= gutter})
    right_lines = len({round(w.top) for w in body if w.x0 >= gutter})
    return gutter if left_lines >= 8 and right_lines >= 8 else None


def _group_lines(words: list[Word]) -> list[Line]:
    lines: list[list[Word]] = []
    group: list[Word] = []
    group_top = 0.0
    # Decorated rather than sorted with a key function: cheaper on pages of thousands of
    # words; the index keeps the order of words with the same key, as a stable sort does.
    order = sorted([(round(w.top, 1), w.x0, i) for i, w in enumerate(words)])
    for _, _, i in order:
        word = words[i]
        top = word.top
        if group and abs(group_top - top) <= max(2.0, 0.3 * (word.bottom - top)):
            group.append(word)
        else:
            group = [word]
            group_top = top
            lines.append(group)
    # Most pages have no amendment marks: then a word's text is all a line needs.
    text_of = encode if any(w.mark for w in words) else _text
    result = []
    for group in lines:
        group.sort(key=_left)
        result.append(
            Line(
                text=" ".join([text_of(w) for w in group]),
                x0=group[0].x0,
                x1=max([w.x1 for w in group]),
                top=min([w.top for w in group]),
                bottom=max([w.bottom for w in group]),
            )
        )
    result.sort(key=lambda line: line.top)
    return result


def _left(word: Word) -> float:
    return word.x0


def _text(word: Word) -> str:
    return word.text


def running_line_keys(pages: list[PageLines]) -> set[str]:
    """Lines in the header or footer band that repeat on three or more pages.

    Digits are masked so that "Page 3 of 12" and "Page 4 of 12" count as one line.
    """
    counts: Counter[str] = Counter()
    for page in pages:
        edges = page.lines[:EDGE_LINES] + page.lines[-EDGE_LINES:]
        counts.update({_repeat_key(line.text) for line in edges if _in_band(line, page.height)})
    needed = min(3, len(pages))
    if len(pages) < 2:
        return set()
    return {key for key, count in counts.items() if count >= needed and key}


def _repeat_key(text: str) -> str:
    text = strip_marks(text)
    # A run of numbers counts as one ("Sep 11 2014 23:26" and "Sep 112014 23:26" are one slug).
    return re.sub(r"\d[\d\s.,:/-]*\d|\d", "#", " ".join(text.lower().split()))


def _in_band(line: Line, height: float) -> bool:
    return line.top < height * BAND or line.bottom > height * (1 - BAND)


def page_text(page: PageLines, running: set[str]) -> str:
    """The page's text without running lines, page numbers and stamps.

    Paragraphs, told apart by a larger vertical gap, are separated by a blank line.
    """
    kept: list[Line] = []
    for line in page.lines:
        text = MARGIN_STAMP.sub("", line.text).strip()
        if not text:
            continue
        if _in_band(line, page.height) and (
            _repeat_key(line.text) in running or PAGE_NUMBER_LINE.match(text)
        ):
            continue
        kept.append(Line(text, line.x0, line.x1, line.top, line.bottom))
    if not kept:
        return ""
    gaps = [b.top - a.top for a, b in zip(kept, kept[1:]) if b.top > a.top]
    # The line pitch is the smallest common gap: in an agenda most paragraphs are
    # one line long, so the median gap is often the paragraph gap itself. A bill's
    # line numbers give it exactly; its first page mixes single-spaced cover lines
    # with double-spaced numbered ones, whose every gap would otherwise read as a break.
    usual = page.line_pitch or (min((g for g in gaps if g >= 0.6 * median(gaps)), default=0.0) if gaps else 0.0)
    parts = [kept[0].text]
    for previous, line in zip(kept, kept[1:]):
        gap = line.top - previous.top
        parts.append("\n\n" if usual and gap > 1.4 * usual else "\n")
        parts.append(line.text)
    return "".join(parts)


def clean_plain_text(text: str) -> str:
    """Cleanup for text without positions (.txt, .md, HTML): stamps and page-number lines."""
    out = []
    for line in text.splitlines():
        line = MARGIN_STAMP.sub("", line).rstrip()
        if PAGE_NUMBER_LINE.match(line):
            continue
        out.append(line)
    return "\n".join(out)


def join_hyphenated(text: str) -> str:
    """Join words that a line break split with a hyphen, keeping real compounds.

    "surveil-\\nlance" becomes "surveillance" because that is a word; "body-\\nworn"
    stays "body-worn" because "bodyworn" is not and both halves are. Capitals are
    joined too ("AGRI-\\nCULTURE"); before a capital in mixed case the hyphen is a
    compound's ("non-\\nEnglish"). The second half moves up with what is glued to it
    ("Adminis-\\ntrator’ means": the closing quote, not only the letters).
    """
    lines: list[str | None] = list(text.split("\n"))
    for i in range(len(lines) - 1):
        current, following = lines[i], lines[i + 1]
        if not current or not following:
            continue
        joined = _join_pair(current, following)
        if joined is None:
            continue
        lines[i], rest = joined
        # A line whose only word moved up disappears rather than becoming a
        # blank line, which would read as a paragraph break.
        lines[i + 1] = rest if rest else None
    return "\n".join(line for line in lines if line is not None)


def join_hyphenated_pages(texts: list[str]) -> list[str]:
    """``join_hyphenated`` across page breaks: a word split over two pages ends up on the first."""
    texts = list(texts)
    for i in range(len(texts) - 1):
        head, _, last = texts[i].rpartition("\n")
        first, newline, tail = texts[i + 1].partition("\n")
        joined = _join_pair(last, first) if last and first else None
        if joined is None:
            continue
        texts[i] = head + "\n" + joined[0] if head or texts[i].startswith("\n") else joined[0]
        texts[i + 1] = joined[1] + newline + tail if joined[1] else tail
    return texts


def _join_pair(current: str, following: str) -> tuple[str, str] | None:
    """(current line with the word completed, rest of the following line), or None to leave both."""
    end = HYPHEN_AT_END.search(current)
    start = WORD_AT_START.match(following.lstrip()) if end else None
    if not end or not start:
        return None
    left, right = end.group(1), start.group(1)
    if right[0].isupper():
        if left.isupper() and len(left) > 1 and right.isupper():
            word = _repair(left, right)
        elif not left.isupper():
            word = f"{left}-{right}"
        else:
            return None  # "A-\nSection": not a word split in two
    else:
        word = _repair(left, right)
    return current[: end.start()] + word + start.group(2), start.group(3).lstrip()


def _repair(left: str, right: str) -> str:
    words = english_words()
    whole = (left + right).lower()
    if whole in words:
        return left + right
    if left.lower() in words and right.lower() in words and len(left) > 1:
        return f"{left}-{right}"
    return left + right
