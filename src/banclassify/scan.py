"""Scan: run extract -> segment -> normalise -> classify on one document."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator, Sequence, TextIO

from .attributes import CONDITION_WORDS, ClauseAttributes
from .documents import DocumentReader, ExtractedDocument, ReadOptions, extract
from .errors import BanclassifyError
from .labels import DEFAULT_MIN_CONFIDENCE, LABELS_BY_STRENGTH, strongest  # noqa: F401 (DEFAULT_MIN_CONFIDENCE: part of this module's interface)
from .segment import segment

if TYPE_CHECKING:  # scikit-learn is loaded with a model, not with the result types
    from .classify import ClauseClassifier, Explanation


# A long document is classified this many clauses at a time, so that the model's
# matrices (a few hundred bytes per character of text) stay the size of one chunk:
# a 200 MB text file is read in time and memory linear in its size.
CHUNK_CLAUSES = 1000
# Clauses read on each side of a chunk, so that every clause sees the same neighbours
# as in one pass; at least the model's context window (``NeighbourContext.window``, 5).
CHUNK_MARGIN = 10


@dataclass
class ClauseResult:
    """One clause of a scanned document and what the model says of it.

    ``page`` is where the clause starts (1-based), ``section`` its reference
    ("9.64.020(A)") or None, ``start``/``end`` its span in the document's text
    (pages joined by newlines), ``text`` the clause as it reads after any
    amendment (``change``: "deleted", "inserted" or "unchanged"). ``attributes``
    are found for operative clauses only; ``explanation`` with ``explain=True``.
    """

    file: str
    page: int
    section: str | None
    start: int
    end: int
    label: str
    confidence: float
    text: str
    probabilities: dict[str, float]
    attributes: ClauseAttributes | None = None  # for operative clauses
    explanation: Explanation | None = None  # with ``explain=True``
    change: str = "unchanged"  # "deleted" (struck through: being repealed) or "inserted" (underlined)
    heading: str = ""  # the headings above the clause, outermost first

    def to_dict(self) -> dict:
        """The clause as ``scan -f jsonl`` writes it."""
        from .report import clause_row

        return clause_row(self)


@dataclass
class LabelCount:
    label: str
    count: int
    pages: list[int]


@dataclass
class ScanResult:
    """Every clause of one document with its label, and what was not read.

    ``pages`` is the document's page count; ``clauses`` are all clauses in
    reading order, ``none`` ones included; ``warnings`` name pages that could
    not be read (scans without OCR); ``timings`` are seconds per stage.
    The methods summarise the rules found at or above a confidence.
    """

    file: str
    pages: int
    clauses: list[ClauseResult]
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    ocr_pages: list[int] = field(default_factory=list)  # read by OCR
    skipped_pages: list[int] = field(default_factory=list)  # no text layer and not read by OCR
    opening: str = ""  # text of the first two pages, where a document names itself (tracker.py)

    def to_dict(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict:
        """What ``scan -f json --all`` writes: the document summary and every clause (``clauses_shown``)."""
        from .report import clause_row, summary

        return {**summary(self, min_confidence), "clauses_shown": [clause_row(c) for c in self.clauses]}

    def found(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[ClauseResult]:
        """Operative clauses at or above ``min_confidence`` that the document enacts (not struck out)."""
        return [c for c in self.operative(min_confidence) if c.change != "deleted"]

    def operative(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[ClauseResult]:
        """Every operative clause at or above ``min_confidence``, repealed ones included."""
        return [c for c in self.clauses if c.label != "none" and c.confidence >= min_confidence]

    def repealed_counts(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list["LabelCount"]:
        """Labels of the clauses the document strikes out (amendment markup)."""
        repealed = [c for c in self.operative(min_confidence) if c.change == "deleted"]
        counts = []
        for label in LABELS_BY_STRENGTH[:-1]:
            chosen = [c for c in repealed if c.label == label]
            if chosen:
                counts.append(LabelCount(label, len(chosen), sorted({c.page for c in chosen})))
        return counts

    def label_counts(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[LabelCount]:
        found = self.found(min_confidence)
        counts = []
        for label in LABELS_BY_STRENGTH[:-1]:
            pages = sorted({c.page for c in found if c.label == label})
            count = sum(1 for c in found if c.label == label)
            if count:
                counts.append(LabelCount(label, count, pages))
        return counts

    def strongest_label(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> str:
        return strongest({c.label for c in self.found(min_confidence)})

    def coverage(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict[str, list[str]]:
        """Technologies and actors the document's rules cover, and its moratoria's ends."""
        found = [c for c in self.found(min_confidence) if c.attributes]
        ends = []
        for clause in found:
            if clause.label == "moratorium" and clause.attributes.duration:
                kind, value = next(iter(clause.attributes.duration.items()))
                ends.append(str(value) if kind == "end" else f"{value} months" if kind == "months" else CONDITION_WORDS[value])
        return {
            "technologies": sorted({t for c in found for t in c.attributes.technology}),
            "actors": sorted({a for c in found for a in c.attributes.actors}),
            "moratorium_ends": sorted(set(ends)),
        }


def scan_file(path: str | Path, classifier: ClauseClassifier, options: ReadOptions | None = None, explain: bool = False,
              name: str | None = None, reader: DocumentReader | None = None) -> ScanResult:
    """Label every clause of one document read with ``options``; ``InputError`` when it cannot be read.

    The limits of ``options`` (size, pages, time) apply to the file as its content says it is;
    the time limit covers reading, the part whose cost depends on what the file contains.
    ``name`` is what the result and its errors call the document (default: ``path``).
    With a ``reader`` (``documents.DocumentReader``) the document is read in its child
    process, under its memory ceiling and with the time limit enforced from outside.
    """
    options = options or ReadOptions()
    path = Path(path)
    try:
        clock = time.perf_counter()
        if reader is not None:
            document, seconds = reader.read(path, options)
        else:
            document = extract(path, engine=options.engine, jobs=options.jobs, ocr=options.ocr, limits=options.limits)
            seconds = time.perf_counter() - clock
        result = classify_document(document, classifier, name or str(path), explain=explain)
    except BanclassifyError as exc:
        if name is None or exc.path != str(path):
            raise
        raise type(exc)(name, exc.problem) from None
    result.timings = {"extract": seconds, **result.timings}
    return result


def scan_inputs(paths: Sequence[Path], classifier: ClauseClassifier, options: ReadOptions | None = None, explain: bool = False,
                stdin: TextIO | BinaryIO | None = None, reader: DocumentReader | None = None) -> Iterator[tuple[Path, ScanResult | BanclassifyError]]:
    """``scan_file`` on each of ``paths`` in order (through ``reader``, if given), yielding the result
    or the error that stopped it; ``-`` is the document on ``stdin`` (named "<stdin>")."""
    from .inputs import STDIN, STDIN_NAME, stdin_document

    options = options or ReadOptions()
    for path in paths:
        try:
            if str(path) == STDIN:
                with stdin_document(getattr(stdin, "buffer", stdin), options.max_mb) as copy:
                    yield path, scan_file(copy, classifier, options, explain, name=STDIN_NAME, reader=reader)
            else:
                yield path, scan_file(path, classifier, options, explain, reader=reader)
        except BanclassifyError as exc:
            yield path, exc


def classify_document(document: ExtractedDocument, classifier: ClauseClassifier, name: str, explain: bool = False) -> ScanResult:
    """Segment, normalise and classify an extracted document, timing each stage."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    clauses = segment(document.pages)
    timings["segment"] = time.perf_counter() - clock

    texts = [c.text for c in clauses]
    headings, titles = [c.heading for c in clauses], [c.title for c in clauses]
    timings.update(normalise=0.0, classify=0.0, attributes=0.0)
    predictions: list = []
    explanations: list = []
    for start in range(0, len(texts), CHUNK_CLAUSES):
        stop = min(start + CHUNK_CLAUSES, len(texts))
        first, last = max(0, start - CHUNK_MARGIN), min(len(texts), stop + CHUNK_MARGIN)
        keep = slice(start - first, stop - first)
        clock = time.perf_counter()
        normalised = classifier.normalise(
            texts[first:last], [name] * (last - first), headings[first:last], titles[first:last]
        )
        timings["normalise"] += time.perf_counter() - clock
        clock = time.perf_counter()
        chunk = classifier.classify_normalised(normalised)
        timings["classify"] += time.perf_counter() - clock
        predictions += chunk[keep]
        if explain:
            clock = time.perf_counter()
            explanations += classifier.explain(normalised, chunk)[keep]
            timings["attributes"] += time.perf_counter() - clock

    clock = time.perf_counter()
    attributes = classifier.attributes.extract(texts, [p.label for p in predictions])
    if not explain:
        explanations = [None] * len(clauses)
    timings["attributes"] += time.perf_counter() - clock

    rows = [
        ClauseResult(name, c.page, c.section, c.start, c.end, p.label, p.confidence, c.text, p.probabilities,
                     a if p.label != "none" else None, e, c.change, c.heading)
        for c, p, a, e in zip(clauses, predictions, attributes, explanations)
    ]
    skipped = sorted(set(document.pages_without_text) | set(document.ocr_missing))
    opening = "\n".join(page.text for page in document.pages[:2])
    return ScanResult(name, document.page_count, rows, list(document.warnings), timings, sorted(document.ocr_pages), skipped, opening)
