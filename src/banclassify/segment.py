"""Segment: a document's pages into clauses, the units a reader would cite.

A clause is a numbered section or subsection, or one sentence of an unnumbered
paragraph (LABELS.md). Each keeps the page it starts on, its section reference
("9.64.045(b)"), its character span in the document's text, and where it stands:
the chain of headings above it ("ARTICLE III. SURVEILLANCE > Sec. 10-62. Approval")
and the document's title. The same sentence means different things under
"Public Safety Video Surveillance" and under "Property and Evidence".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .documents.marks import amended_text, as_spaces, widen_over_marks
from .documents.types import PageText
from .lexicon import ABBREVIATIONS, SENTENCE_FINAL_ABBREVIATIONS

# Over-long "clauses" come from broken extraction (a table read as one line, a
# page without punctuation); they are cut rather than fed whole to the model.
MAX_CLAUSE_CHARS = 1500

# "Chapter 5-5 of Title 5", "SECTION 3 OF THE ACT": a citation of the text, not its heading.
# (The "[-.]digit" keeps the number from being cut short to slip past the test.)
CITATION_FOLLOWS = r"(?![.\-–]\d|\s+(?:of|OF|Of)\s)"
SECTION_HEADING = re.compile(
    r"(?:SECTION|Section|SEC\.|Sec\.|Sec|§§?)\s*(?P<num>\d+[A-Za-z]?(?:[.\-–]\d+[A-Za-z]?)*)" + CITATION_FOLLOWS +
    r"(?:\.(?!\d)|:|\s*[-–—]\s|(?=\s+[A-Z(\"“])|\s*$)"
)
CODE_HEADING = re.compile(r"(?P<num>\d+(?:\.\d+){2,}[A-Za-z]?|\d+\.\d+[A-Za-z]?)\.?(?=\s+[A-Z\"“(])")
ARTICLE_HEADING = re.compile(
    r"(?:ARTICLE|Article|CHAPTER|Chapter)\s+(?P<num>[IVXLC]+|\d+[A-Z]?(?:[.\-–]\d+[A-Z]?)*)\b" + CITATION_FOLLOWS + r"\.?"
)
_PAREN_LABEL = r"[a-z]{1,2}|[ivxl]{3,6}|\d{1,3}|[A-Z]{1,2}|[IVXL]{3,6}"
# "(a)", and the chains a bill opens a clause with when it starts two levels at once: "(ii)(I)".
PAREN_MARKER = re.compile(rf"\((?P<label>{_PAREN_LABEL})\)(?:\((?:{_PAREN_LABEL})\))*(?=\s)")
PAREN_LABEL = re.compile(rf"\(({_PAREN_LABEL})\)")
DOTTED_MARKER = re.compile(r"(?P<label>[A-Z]|\d{1,3}|[a-z])\.(?=\s+\S)")
# Opening quotes before a marker: the text a bill inserts into a law ("‘‘(5) ...", "“Sec. 9.").
OPENING_QUOTES = re.compile(r"(?:‘‘|``|''|[‘“\"'`])(?=\S)")
MARKER_FIRST_CHARS = frozenset("SAC§(0123456789‘“\"'`")

LINE_START = re.compile(r"^[ \t]*", re.MULTILINE)
# "(b)" opening a new subsection in running text, after the end of the last one.
INLINE_SUBSECTION = re.compile(r"(?<=[.;:])\s+(?=\((?:[a-z]|\d{1,2}|[ivx]{1,4})\)\s+[A-Z\"“])")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
KEYWORD_MARKERS = {"section", "article"}
# A line that ends like this runs on into a marker on the next: "under paragraph\n(1) shall",
# "described in\n(a)", "clauses (iii) and\n(iv)". A list item's "; and" does not.
RUNS_INTO_REFERENCE = re.compile(
    r"(?:\b(?:sections?|subsections?|paragraphs?|subparagraphs?|clauses?|subclauses?|items?|subitems?"
    r"|articles?|chapters?|titles?|parts?|divisions?|of|in|under|to|by|with|from|per)"
    r"|\)\s+(?:and|or|through|to))$",
    re.IGNORECASE,
)
# A line at least this long that ends without punctuation runs on into the next.
CONTINUED_LINE_CHARS = 60

SENTENCE_END = re.compile(r"[.!?][\"”')\]]*\s+(?=[\"“(]?[A-Z0-9])")


@dataclass
class Clause:
    """One clause of a document, as ``segment`` cuts it: the unit the model labels.

    ``text`` reads as the clause stands after any amendment (struck-out words
    dropped, underlined ones kept; ``change`` says when the whole clause is
    "deleted" or "inserted"); ``page`` is the page number it starts on;
    ``section`` its reference ("9.64.020(A)", "Section 3(b)") or None in
    unnumbered text; ``start``/``end`` its span in ``document_text(pages)``.
    """

    text: str
    page: int
    section: str | None
    start: int
    end: int
    change: str = "unchanged"  # amendment markup: "deleted" (all struck), "inserted" (all underlined)
    heading: str = ""  # the headings above the clause, outermost first, joined by HEADING_SEPARATOR
    title: str = ""  # the document's title


HEADING_SEPARATOR = " > "
MAX_HEADING_CHARS = 100


@dataclass
class _Block:
    start: int
    end: int
    section: str | None = None
    numbered: bool = False
    heading_only: bool = False
    heading: str = ""


def document_text(pages: list[PageText]) -> tuple[str, list[int]]:
    """The pages joined into one text, with the offset at which each page starts.

    Pages are joined by a single newline so that a paragraph running over a page
    break stays one paragraph.
    """
    starts, parts, offset = [], [], 0
    for page in pages:
        starts.append(offset)
        parts.append(page.text)
        offset += len(page.text) + 1
    return "\n".join(parts), starts


def segment(pages: list[PageText]) -> list[Clause]:
    """Cut the extracted ``pages`` into clauses, in reading order.

    A numbered section or subsection is one clause, unless longer than
    ``MAX_CLAUSE_CHARS``; unnumbered paragraphs are cut into sentences. A
    heading alone ("9.64.020 Face recognition.") is no clause: its number is
    carried by its subsections' references. Pieces with fewer than three
    letters are dropped.
    """
    text, page_starts = document_text(pages)
    numbers = [p.number for p in pages]
    clauses: list[Clause] = []
    # Boundaries are found on a view of the text in which amendment marks read as
    # spaces (same length, so offsets agree); clause text is cut from the original.
    view = as_spaces(text)
    title = document_title(view)
    for block in _merge_headings(_blocks(view), view):
        if block.heading_only:
            # "9.64.020 Face recognition." above its subsections states no rule;
            # its number lives on in the subsections' references.
            continue
        pieces = [(block.start, block.end)]
        if not block.numbered or block.end - block.start > MAX_CLAUSE_CHARS:
            pieces = _sentences(view, block.start, block.end)
        for start, end in pieces:
            for start, end in _cut_long(view, start, end):
                start, end = widen_over_marks(text, start, end)
                words, change = amended_text(text[start:end])
                if not _has_letters(words, 3):
                    continue
                page = numbers[bisect.bisect_right(page_starts, start) - 1]
                clauses.append(Clause(words, page, block.section, start, end, change, block.heading, title))
    return clauses


TITLE_LINES = 12
TITLE_PARTS = 3
NOT_TITLES = re.compile(r"^(table of )?contents$|^page \d+", re.IGNORECASE)


def document_title(text: str) -> str:
    """The document's title: its first heading-like line near the top, with the upper-case lines
    that continue it, else its first line with words."""
    lines = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if _has_letters(line, 3):
            lines.append(line)
        if len(lines) == TITLE_LINES:
            break
    parts = []
    for line in lines:
        heading_like = len(line) <= MAX_HEADING_CHARS and not NOT_TITLES.search(line) and (
            _is_caps_line(line) or _is_title_line(line) or (len(line.split()) <= 3 and line[:1].isupper())
        )
        # Upper-case lines run on into one title ("BLOOMINGTON POLICE DEPARTMENT / STANDARD OPERATING
        # PROCEDURE"); a title-case line is a title by itself, or the first heading under it.
        if heading_like and (not parts or (_is_caps_line(line) and _is_caps_line(parts[-1]))):
            parts.append(line)
            if len(parts) == TITLE_PARTS or not _is_caps_line(line):
                break
        elif parts:
            break
    if parts:
        return " ".join(parts)[: 2 * MAX_HEADING_CHARS]
    return lines[0][:MAX_HEADING_CHARS] if lines else ""


def _is_caps_line(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def _is_title_line(line: str) -> bool:
    """A short line that names rather than rules: "Policy 426 - Automated License Plate Readers"."""
    words = line.split()
    return (
        2 <= len(words) <= 10 and len(line) <= MAX_HEADING_CHARS and not line.endswith((".", ",", ";", ":", "?"))
        and words[0][:1].isupper() and not re.search(r"\b(shall|may|must|will|is|are|was|were)\b", line, re.IGNORECASE)
        and sum(w[:1].isupper() for w in words if len(w) > 3) >= max(1, len([w for w in words if len(w) > 3]) // 2)
    )


class _Headings:
    """The chain of headings above the current block: (level, text), outermost first."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []

    def push(self, level: int, text: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, " ".join(text.split())[:MAX_HEADING_CHARS]))

    def chain(self) -> str:
        return HEADING_SEPARATOR.join(text for _, text in self.stack)


def _section_heading(label: str, text: str, start: int, marker_end: int, end: int) -> tuple[int, str]:
    """(level, text) of a section heading: its marker and the title that leads its text, if any.

    Deeper numbers sit lower: "426.1" under "426", "426.1.1" under "426.1".
    """
    rest = " ".join(text[marker_end:end].split())
    title = ""
    if _is_title(rest):
        title = rest
    else:
        caps = re.match(r"((?:[A-Z][A-Z&'’,/-]*\s+){1,8})(?=[A-Z][a-z])", rest + " ")
        lead = re.match(r"([^.]{2,60}\.)\s", rest)
        if caps:
            title = caps.group(1).strip()
        elif lead and _is_title(lead.group(1)):
            title = lead.group(1)
    marker = " ".join(text[start:marker_end].split())
    return 2 + len(re.findall(r"[.\-–]", label)), f"{marker} {title}".strip()



def _has_letters(text: str, count: int) -> bool:
    """Whether ``text`` holds at least ``count`` letters (stops reading once it has seen them)."""
    for ch in text:
        if ch.isalpha():
            count -= 1
            if count == 0:
                return True
    return count <= 0


def _blocks(text: str) -> list[_Block]:
    """Split at paragraph breaks, section headings and subsection markers."""
    cuts = {0}
    cuts.update(m.end() for m in PARAGRAPH_BREAK.finditer(text))
    for line in LINE_START.finditer(text):
        marker = _marker(text, line.end())
        if marker is not None and _starts_clause(text, line.start(), marker[0]):
            cuts.add(line.end())
        elif marker is None and _is_caps_heading(text, line.end()) and not _continues_previous_line(text, line.start()):
            cuts.add(line.end())
    cuts.update(m.end() for m in INLINE_SUBSECTION.finditer(text))
    bounds = sorted(cuts) + [len(text)]
    blocks: list[_Block] = []
    state = _References()
    headings = _Headings()
    for a, b in zip(bounds, bounds[1:]):
        while a < b and text[a].isspace():
            a += 1
        end = b
        while end > a and text[end - 1].isspace():
            end -= 1
        if a >= end:
            continue
        marker = _marker(text, a)
        block = _Block(a, end)
        if marker and _starts_clause(text, a, marker[0]):
            kind, label, marker_end, quoted = marker
            labels = PAREN_LABEL.findall(text, a, marker_end) if kind == "paren" else [label]
            for label in labels:
                block.section = state.update(kind, label, quoted)
            block.numbered = True
            rest = text[marker_end:end].strip()
            block.heading_only = kind in {"section", "code", "article"} and _is_title(rest)
            if kind == "article":
                headings.push(0, _line_at(text, a))
            elif kind in {"section", "code"}:
                headings.push(*_section_heading(label, text, a, marker_end, end))
        else:
            if _is_caps_heading(text, a) and not _continues_previous_line(text, a):
                state.reset()  # "STAFF REPORT", "ORDINANCE NO. 12": a new part of the packet
                headings.push(1, _line_at(text, a))
            elif "\n" not in text[a:end] and _is_title_line(text[a:end].strip()):
                headings.push(1, text[a:end])
            block.section = state.current()
        block.heading = headings.chain()
        blocks.append(block)
    return blocks


def _line_at(text: str, pos: int) -> str:
    end = text.find("\n", pos)
    return text[pos: end if end >= 0 else len(text)]


def _starts_clause(text: str, line_start: int, kind: str) -> bool:
    """Whether a marker of ``kind`` at the start of the line at ``line_start`` opens a clause."""
    if RUNS_INTO_REFERENCE.search(_previous_line(text, line_start)):
        return False
    return kind in KEYWORD_MARKERS or not _continues_previous_line(text, line_start)


def _previous_line(text: str, line_start: int) -> str:
    """The text of the line just before ``line_start``; "" after a blank line (a paragraph break) or mid-line."""
    start = line_start
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    if start == 0 or text[start - 1] != "\n":
        return ""
    return text[text.rfind("\n", 0, start - 1) + 1: start - 1].strip()


def _continues_previous_line(text: str, line_start: int) -> bool:
    """True when the line before ``line_start`` is a full line that runs on.

    "...as provided in subsection\n(b) of this section" and an upper-case title
    wrapped before "9.64 TO THE ..." must not start a new clause; a short line
    ("4. CONSENT CALENDAR") or one ending a sentence lets a marker start one.
    """
    if line_start == 0:
        return False
    previous_start = text.rfind("\n", 0, line_start - 1) + 1
    previous = text[previous_start: line_start].strip()
    return len(previous) >= CONTINUED_LINE_CHARS and not previous.endswith(tuple(".:;!?\"”)"))


def _is_caps_heading(text: str, pos: int) -> bool:
    line = _line_at(text, pos).strip()
    if len(line) > 60 or not _all_caps(line):
        return False
    # The end of a bill's heading wrapped over two lines, "(b) PROGRAM FOR REPLACEMENT OF
    # EXISTING\nSCHOOL BUSES.—", is no new part of the document.
    previous = _previous_line(text, pos)
    marker = _marker(previous, 0) if previous else None
    previous = previous[marker[2]:] if marker else previous
    return not (line.endswith("—") and _all_caps(previous) and not previous.endswith(tuple(".:;!?—")))


def _all_caps(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return 4 <= len(letters) and all(ch.isupper() for ch in letters)


def _is_title(rest: str) -> bool:
    """A heading's title ("Prohibition.", "Biometric information held by businesses.") states no rule."""
    rest = " ".join(rest.split())
    return len(rest) <= 80 and len(rest.split()) <= 6 and not re.search(r"\b(shall|may|must|will|is|are)\b", rest)


def _merge_headings(blocks: list[_Block], text: str) -> list[_Block]:
    """Attach a title-only heading ("Sec. 9-25. Prohibition.") to the paragraph under it."""
    merged: list[_Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if previous and previous.heading_only and not block.numbered:
            previous.end = block.end
            previous.heading_only = False
            continue
        merged.append(block)
    return merged


def _marker(text: str, pos: int) -> tuple[str, str, int, bool] | None:
    """The heading or subsection marker that starts at ``pos``: (kind, label, end, quoted).

    ``quoted`` marks one inside opening quotes: text that a bill inserts into a law.
    """
    # Every marker starts with one of these characters or is a single letter and a
    # period: most lines are ruled out before any pattern is tried.
    if text[pos: pos + 1] not in MARKER_FIRST_CHARS and text[pos + 1: pos + 2] != ".":
        return None
    quote = OPENING_QUOTES.match(text, pos)
    start = quote.end() if quote else pos
    for kind, pattern in (
        ("section", SECTION_HEADING),
        ("article", ARTICLE_HEADING),
        ("code", CODE_HEADING),
        ("paren", PAREN_MARKER),
        ("dotted", DOTTED_MARKER),
    ):
        if quote and kind == "dotted":
            break  # "‘A. ..." is a quotation that starts with a letter, not a quoted subsection
        match = pattern.match(text, start)
        if match:
            return kind, match.group("label" if kind in {"paren", "dotted"} else "num"), match.end(), quote is not None
    return None


class _References:
    """Tracks the section and subsection path as markers are met, like a reader does.

    Text a bill inserts into a law ("‘‘SEC. 741. ...", "‘‘(5) ...") has references of its
    own, kept apart and written inside quotes after the bill's: "2(a)“741(b)(1)”". They
    hold until the bill's own text resumes with an unquoted marker.
    """

    def __init__(self) -> None:
        self.outer = _Path()
        self.inner: _Path | None = None

    def reset(self) -> None:
        self.outer = _Path()
        self.inner = None

    def current(self) -> str | None:
        outer = self.outer.reference()
        if self.inner is None:
            return outer
        return f"{outer or ''}“{self.inner.reference() or ''}”"

    def update(self, kind: str, label: str, quoted: bool = False) -> str | None:
        if quoted:
            if self.inner is None:
                self.inner = _Path()
            self.inner.update(kind, label)
        else:
            self.inner = None
            self.outer.update(kind, label)
        return self.current()


class _Path:
    """One section number and the subsection labels under it: "9.64.045", [(b), (1)]."""

    def __init__(self) -> None:
        self.section: str | None = None
        self.path: list[tuple[str, str]] = []
        # The numbering around the first section heading met ("9. PUBLIC HEARING" above an
        # ordinance's "Section 1."): the next number in it ("10.") ends the sections' text.
        self.enclosing: list[tuple[str, str]] | None = None

    def reference(self) -> str | None:
        if self.section is None and not self.path:
            return None
        return (self.section or "") + "".join(f"({label})" for _, label in self.path)

    def update(self, kind: str, label: str) -> None:
        if kind in {"section", "code", "article"}:
            if self.section is None:
                self.enclosing = list(self.path)
            self.section = f"Article {label}" if kind == "article" else label
            self.path = []
            return
        level = self._level(kind, label)
        if self.section is not None and self.enclosing and all(existing != level for existing, _ in self.path):
            for i, (existing, previous) in enumerate(self.enclosing):
                if existing == level and _follows(previous, label):
                    self.section, self.path, self.enclosing = None, self.enclosing[:i], None
                    break
        for i, (existing, _) in enumerate(self.path):
            if existing == level:
                del self.path[i:]
                break
        self.path.append((level, label))

    def _level(self, kind: str, label: str) -> str:
        suffix = "." if kind == "dotted" else ""
        if label.isdigit():
            return "1" + suffix
        roman = "i" if label.islower() else "I"
        if re.fullmatch(r"[ivx]+|[IVX]+", label):
            letter = ("a" if label.islower() else "A") + suffix
            letters = [lab for lvl, lab in self.path if lvl == letter]
            # "(i)" straight after "(h)" is the ninth letter, not roman one.
            if letters and len(label) == 1 and len(letters[-1]) == 1 and ord(letters[-1]) == ord(label) - 1:
                return letter
            return roman + suffix
        if len(label) > 1 and len(set(label)) == 1:
            return ("aa" if label.islower() else "AA") + suffix  # a bill's items: "(aa)", "(bb)"
        return ("A" if label.isupper() else "a") + suffix


def _follows(previous: str, label: str) -> bool:
    """Whether ``label`` is the number or letter after ``previous``: "9" then "10", "C" then "D"."""
    if previous.isdigit() and label.isdigit():
        return int(label) == int(previous) + 1
    return len(previous) == len(label) == 1 and ord(label) == ord(previous) + 1


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces, cursor = [], start
    for match in SENTENCE_END.finditer(text, start, end):
        if _ends_with_abbreviation(text, start, match.start() + 1):
            continue
        pieces.append((cursor, match.start() + 1 + len(match.group(0).rstrip()) - 1))
        cursor = match.end()
    pieces.append((cursor, end))
    return [(a, b) for a, b in pieces if b > a]


def _ends_with_abbreviation(text: str, start: int, stop: int) -> bool:
    """True when the period at ``stop - 1`` closes an abbreviation, not a sentence."""
    if text[stop - 1] != ".":
        return False
    token = text[max(start, stop - 30): stop - 1].split()
    if not token:
        return False
    word = token[-1].lstrip("(\"“[").lower()
    if word in SENTENCE_FINAL_ABBREVIATIONS:
        return False  # "at 9 p.m. The next..." ends a sentence more often than not
    if word in ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "John Q. Public"
    # "U.S.C." and "e.g." carry periods inside; section numbers such as "2.99.030" do not count.
    return "." in word and word.replace(".", "").isalpha()


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > MAX_CLAUSE_CHARS:
        cut = text.rfind(" ", start, start + MAX_CLAUSE_CHARS)
        if cut <= start:
            cut = start + MAX_CLAUSE_CHARS
        pieces.append((start, cut))
        start = cut + 1
    pieces.append((start, end))
    return pieces
