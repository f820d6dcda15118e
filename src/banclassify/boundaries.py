"""Clause boundaries against a reference parse: precision, recall and F1 of where clauses start.

The reference is a table of a document's clauses in reading order, one clause's
text per row (the parses of GPO bills in ``../shared/realdata/us_bills_linenumbered``
are tab-separated with a ``Text`` column; their ``Para`` column holds the marker,
"SEC. 2.(a)(1)", which the text leaves out). A boundary is the place in the
document where a clause's own words begin, after its markers ("‘‘(5)", "SEC. 2.").

Both sides are placed on the document's text reduced to lower-case letters and
digits, so that hyphenation, spacing and quote marks do not matter; a reference
row whose words cannot be found in the document counts as a boundary missed.
Only the stretch of the document that the reference covers is scored: a bill's
cover page and enacting words are not rows of its parse.
"""

from __future__ import annotations

import bisect
import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

# Markers are left out of both sides, wherever they stand: a parse may keep "(1)" of a
# clause run into the one before it, and references ("subsection (c)(1)") read the same either way.
MARKERS = re.compile(r"\((?:[A-Za-z]{1,6}|\d{1,3})\)|\b(?:SECTION|SEC\.|Section|Sec\.)\s*\d+[A-Za-z]?\.")
# Characters of a reference row matched at once; a shorter row is matched whole.
KEY_CHARS = 40
# Shortest fallback key when a row's longer key is not found (its text was hyphenated
# or repaired differently); shorter keys would land on any common word.
MIN_KEY_CHARS = 12
# How far past the previous row a row's text may be searched for, in reduced characters.
SEARCH_WINDOW = 20000


@dataclass(frozen=True)
class ReferenceRow:
    number: int | None  # the parse's own row number ("Item"); a jump means rows were left out
    text: str


@dataclass(frozen=True)
class BoundaryScore:
    reference: int  # boundaries in the reference
    found: int  # clause starts scored: inside the stretch the reference covers
    matched: int
    unplaced: int  # reference rows whose text was not found in the document
    ignored: int = 0  # clause starts where the reference left rows out (not scored)

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.reference if self.reference else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def read_reference(path: str | Path, column: str = "Text", number_column: str = "Item") -> list[ReferenceRow]:
    """The rows of a tab-separated reference parse, in order."""
    rows = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            text = (row.get(column) or "").strip()
            if text:
                number = (row.get(number_column) or "").strip()
                rows.append(ReferenceRow(int(number) if number.isdigit() else None, text))
    return rows


class _Reduced:
    """A text reduced to lower-case letters and digits, without markers, with a map back to its offsets."""

    def __init__(self, text: str) -> None:
        dropped = bytearray(len(text))
        for match in MARKERS.finditer(text):
            dropped[match.start(): match.end()] = b"\x01" * (match.end() - match.start())
        kept = [(i, ch.lower()) for i, ch in enumerate(text) if ch.isalnum() and not dropped[i]]
        self.offsets = [i for i, _ in kept]
        self.text = "".join(ch for _, ch in kept)

    def at(self, offset: int) -> int:
        """The reduced position of the first kept character at or after ``offset``."""
        return bisect.bisect_left(self.offsets, offset)


def _reduce(text: str) -> str:
    return _Reduced(text).text


def boundary_score(
    text: str, clause_starts: Iterable[int], reference: Sequence[ReferenceRow], skip_left_out: bool = True,
) -> BoundaryScore:
    """Score clause starts (offsets in ``text``, e.g. ``Clause.start``) against a reference's rows.

    With ``skip_left_out``, where the reference's row numbers jump (a parse that
    numbered rows and then dropped or merged some), clause starts between the rows
    around the jump are not scored: the reference does not say where clauses start
    there. Without it, every clause start in the stretch the reference covers counts.
    """
    document = _Reduced(text)
    rows = [_reduce(row.text) for row in reference]
    truth: list[int] = []
    left_out: list[tuple[int, int]] = []
    unplaced = 0
    cursor = 0
    last_end = 0
    previous: ReferenceRow | None = None
    for i, row in enumerate(rows):
        if not row:
            continue
        position = _place(document.text, rows, i, cursor)
        if position < 0:
            unplaced += 1
            continue
        number = reference[i].number
        if previous is not None and previous.number is not None and number is not None and number > previous.number + 1:
            left_out.append((truth[-1], position))
        truth.append(position)
        previous = reference[i]
        cursor = position + 1
        last_end = max(last_end, position + len(row))
    if not truth:
        return BoundaryScore(len(rows), 0, 0, unplaced)
    first = truth[0]
    starts, ignored = set(), 0
    for start in clause_starts:
        position = document.at(start)
        if not first <= position < last_end:
            continue
        if skip_left_out and any(a < position < b for a, b in left_out):
            ignored += 1
            continue
        starts.add(position)
    truth_set = set(truth)
    return BoundaryScore(len(truth_set) + unplaced, len(starts), len(starts & truth_set), unplaced, ignored)


def _place(document: str, rows: list[str], i: int, cursor: int) -> int:
    """Where row ``i`` begins in the reduced document, searching forward from ``cursor``; -1 if nowhere."""
    window = document[cursor: cursor + SEARCH_WINDOW]
    # A row followed by the rows after it is a long, distinctive key ("TERM.—" alone is not).
    following = "".join(rows[i: i + 4])[:KEY_CHARS]
    for key in (following, rows[i][:KEY_CHARS], rows[i][:MIN_KEY_CHARS]):
        if len(key) < min(MIN_KEY_CHARS, len(rows[i])):
            continue
        found = window.find(key)
        if found >= 0:
            return cursor + found
    return -1
