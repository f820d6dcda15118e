"""The real-world development set: how the model does on drafting nobody here wrote.

``../shared/realdev`` (or ``$BANCLASSIFY_REALDEV``) holds paraphrased real
provisions with labels (``clauses.jsonl``) and real documents with clause-level
truth (``docs/`` and ``truth/``). It is for measuring only: nothing here trains
or tunes a model, and nothing of it is copied into the project.

Documents are scored by the rule of the set's README: a gold clause is found when
a scanned clause starting on the same page (plus or minus one) has the same label
and shares at least 60% of the shorter text's word tokens. The truth keeps the
text layer's quirks (glued words such as "theANPR"), so tokens are compared
ignoring whitespace: a token of three or more characters counts as shared when it
occurs anywhere in the other text with its whitespace removed; shorter tokens must
occur as words.

``../shared/realdata`` (beside it) holds the guard documents: 25 California agendas
that enact no surveillance rule, and the Somerville municipal code with its one ban
(Sec. 9-25(b)) and its oversight article (Sec. 10-6x, 10-7x).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .errors import InputError
from .evaluate import ECE_BINS, Scores, expected_calibration_error, score
from .labels import LABELS_BY_STRENGTH

ROOT = Path(__file__).resolve().parents[2]
MATCH_SHARE = 0.6
PAGE_SLACK = 1
# The thresholds the document report sweeps, to choose the default reporting threshold by.
THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8)
SOMERVILLE_BAN = "9-25(b)"
SOMERVILLE_OVERSIGHT = ("10-6", "10-7")  # Article III: surveillance technology oversight


def default_realdev_dir() -> Path:
    """``$BANCLASSIFY_REALDEV``, else ``../shared/realdev`` beside the repository."""
    if os.environ.get("BANCLASSIFY_REALDEV"):
        return Path(os.environ["BANCLASSIFY_REALDEV"])
    return ROOT.parent / "shared" / "realdev"


def realdata_dir(realdev: Path) -> Path:
    """The guard documents (``realdata``) stand beside the development set."""
    return realdev.resolve().parent / "realdata"


# ---------------------------------------------------------------- clauses

@dataclass
class ClauseReport:
    scores: Scores
    ece: float
    mean_confidence: float


def read_clauses(directory: Path) -> list[dict]:
    path = directory / "clauses.jsonl"
    if not directory.is_dir():
        raise InputError(directory, "no real-world development set here (pass its folder or set BANCLASSIFY_REALDEV)")
    if not path.is_file():
        raise InputError(path, "missing: a development set holds clauses.jsonl, docs/ and truth/")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"line {number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or record.get("label") not in LABELS_BY_STRENGTH or not isinstance(record.get("text"), str):
            raise InputError(path, f"line {number}: needs a 'text' and one of the six labels")
        records.append(record)
    return records


def score_clauses(classifier, records: Sequence[dict]) -> ClauseReport:
    """Each clause classified on its own: the set's clauses come from many documents, none whole."""
    predictions = classifier.predict([r["text"] for r in records])
    truth = [r["label"] for r in records]
    confidences = [p.confidence for p in predictions]
    correct = [p.label == t for p, t in zip(predictions, truth)]
    return ClauseReport(
        score(truth, [p.label for p in predictions]),
        round(expected_calibration_error(confidences, correct), 4),
        round(sum(confidences) / max(1, len(confidences)), 4),
    )


# ---------------------------------------------------------------- documents

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shares_words(a: str, b: str, share: float = MATCH_SHARE) -> bool:
    """Whether the shorter of ``a`` and ``b`` has at least ``share`` of its word tokens in the other."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    shorter, other, other_text = (wa, wb, b) if len(wa) <= len(wb) else (wb, wa, a)
    other_words = set(other)
    compact = "".join(_WORD.findall(other_text.lower()))
    hits = sum(1 for w in shorter if w in other_words or (len(w) >= 3 and w in compact))
    return hits >= share * len(shorter)


def matches(gold: dict, page: int, label: str, text: str) -> bool:
    return gold["label"] == label and abs(int(gold["page"]) - page) <= PAGE_SLACK and shares_words(gold["text"], text)


@dataclass
class DocumentScore:
    file: str
    threshold: float
    gold: int  # operative gold clauses
    gold_clear: int  # of which unambiguous
    found: int
    found_clear: int
    reported: int  # clauses the scan labels operative
    reported_right: int  # of which match a gold clause with the same label
    hard_negative_document: bool
    missed: list[dict] = field(default_factory=list)
    wrong: list[tuple[int, str, float, str]] = field(default_factory=list)  # (page, label, confidence, text)


def score_document(truth: dict, clauses, threshold: float) -> DocumentScore:
    """Match one document's scanned clauses (``ClauseResult``) against its truth."""
    gold = [g for g in truth.get("clauses", []) if g.get("label") != "none"]
    reported = [c for c in clauses if c.label != "none" and c.confidence >= threshold and c.change != "deleted"]
    found_flags = [any(matches(g, c.page, c.label, c.text) for c in reported) for g in gold]
    right = [any(matches(g, c.page, c.label, c.text) for g in gold) for c in reported]
    clear = [not g.get("ambiguous") for g in gold]
    return DocumentScore(
        file=str(truth.get("file")),
        threshold=threshold,
        gold=len(gold),
        gold_clear=sum(clear),
        found=sum(found_flags),
        found_clear=sum(f and c for f, c in zip(found_flags, clear)),
        reported=len(reported),
        reported_right=sum(right),
        hard_negative_document=truth.get("kind") == "hard negative" or ("operative_clauses" in truth and not gold),
        missed=[g for g, f in zip(gold, found_flags) if not f],
        wrong=[(c.page, c.label, round(c.confidence, 3), c.text) for c, r in zip(reported, right) if not r],
    )


@dataclass
class DocumentTotals:
    threshold: float
    recall: float
    recall_clear: float
    precision: float
    false_alarms: int  # operative clauses reported in the hard-negative documents
    gold: int
    gold_clear: int
    reported: int


def totals(scores: Sequence[DocumentScore]) -> DocumentTotals:
    gold = sum(s.gold for s in scores)
    clear = sum(s.gold_clear for s in scores)
    reported = sum(s.reported for s in scores)
    return DocumentTotals(
        threshold=scores[0].threshold if scores else 0.0,
        recall=round(sum(s.found for s in scores) / max(1, gold), 4),
        recall_clear=round(sum(s.found_clear for s in scores) / max(1, clear), 4),
        precision=round(sum(s.reported_right for s in scores) / max(1, reported), 4),
        false_alarms=sum(s.reported for s in scores if s.hard_negative_document),
        gold=gold,
        gold_clear=clear,
        reported=reported,
    )


def truth_files(directory: Path) -> list[tuple[Path, dict]]:
    """(document, its truth) for every truth file whose document is present."""
    truth_dir, docs_dir = directory / "truth", directory / "docs"
    if not truth_dir.is_dir() or not docs_dir.is_dir():
        raise InputError(directory, "no docs/ and truth/ folders in the development set")
    pairs = []
    for path in sorted(truth_dir.glob("*.json")):
        try:
            truth = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(path, f"unreadable truth file ({exc})") from None
        document = docs_dir / str(truth.get("file", ""))
        if not document.is_file():
            raise InputError(path, f"names {truth.get('file')!r}, which is not in docs/")
        pairs.append((document, truth))
    return pairs


# ---------------------------------------------------------------- guard documents

@dataclass
class GuardReport:
    agendas: int | None = None  # agendas read
    agenda_alarms: list[tuple[str, int, str]] = field(default_factory=list)  # (file, page, text)
    agendas_unread: list[str] = field(default_factory=list)
    somerville_ban: bool | None = None
    somerville_oversight: int | None = None
    somerville_elsewhere: list[tuple[str | None, str]] = field(default_factory=list)


def agenda_paths(realdata: Path) -> list[Path]:
    return sorted((realdata / "agendas_ca").glob("*.pdf"))


def somerville_path(realdata: Path) -> Path:
    return realdata / "somerville_code" / "somerville-law-non-zoning.md"


def somerville_figures(result) -> tuple[bool, int, list[tuple[str | None, str]]]:
    """(9-25(b) has a full_ban, Article III clauses labelled oversight, operative clauses elsewhere)."""
    ban = any(c.label == "full_ban" for c in result.clauses if c.section == SOMERVILLE_BAN)
    oversight = sum(
        1 for c in result.clauses if (c.section or "").startswith(SOMERVILLE_OVERSIGHT) and c.label == "oversight_policy"
    )
    elsewhere = [(c.section, c.label) for c in result.found() if not (c.section or "").startswith(("9-25", *SOMERVILLE_OVERSIGHT))]
    return ban, oversight, elsewhere


def guard_documents(classifier, realdata: Path) -> GuardReport:
    from .documents import ReadOptions
    from .errors import BanclassifyError
    from .scan import scan_file

    report = GuardReport()
    agendas = agenda_paths(realdata)
    if agendas:
        report.agendas = 0
        for path in agendas:
            try:
                result = scan_file(path, classifier, ReadOptions(engine="pdfium", ocr="never"))
            except BanclassifyError:  # image-only agendas: they need OCR
                report.agendas_unread.append(path.name)
                continue
            report.agendas += 1
            report.agenda_alarms += [(path.name, c.page, c.text) for c in result.found()]
    code = somerville_path(realdata)
    if code.is_file():
        report.somerville_ban, report.somerville_oversight, report.somerville_elsewhere = somerville_figures(scan_file(code, classifier))
    return report


# ---------------------------------------------------------------- the whole report

@dataclass
class RealdevReport:
    directory: Path
    clauses: ClauseReport
    documents: dict[float, list[DocumentScore]]  # threshold -> per-document scores
    threshold: float
    guards: GuardReport | None = None

    def totals(self, threshold: float | None = None) -> DocumentTotals:
        return totals(self.documents[self.threshold if threshold is None else threshold])

    def as_dict(self) -> dict:
        from dataclasses import asdict

        return {
            "directory": str(self.directory),
            "clauses": {**self.clauses.scores.as_dict(), "ece": self.clauses.ece, "mean_confidence": self.clauses.mean_confidence},
            "threshold": self.threshold,
            "documents": [
                {k: v for k, v in asdict(s).items() if k not in {"missed", "wrong"}} for s in self.documents[self.threshold]
            ],
            "document_totals": {str(t): asdict(totals(scores)) for t, scores in sorted(self.documents.items())},
            "guards": asdict(self.guards) if self.guards else None,
        }


def evaluate_realdev(
    classifier, directory: Path | None = None, threshold: float | None = None, engine: str | None = None,
    guards: bool = True, progress=lambda message: None,
) -> RealdevReport:
    """Score clauses and documents of the development set, and the guard documents beside it."""
    from .documents import DEFAULT_ENGINE, extract
    from .scan import DEFAULT_MIN_CONFIDENCE, classify_document

    directory = Path(directory) if directory else default_realdev_dir()
    records = read_clauses(directory)
    pairs = truth_files(directory)
    threshold = DEFAULT_MIN_CONFIDENCE if threshold is None else threshold
    progress(f"{len(records)} development clauses")
    clause_report = score_clauses(classifier, records)
    chosen = sorted({threshold, *THRESHOLDS})
    documents: dict[float, list[DocumentScore]] = {t: [] for t in chosen}
    for path, truth in pairs:
        progress(f"scanning {path.name}")
        # The normal scan path; the document is read once and scored at every threshold.
        result = classify_document(extract(path, engine=engine or DEFAULT_ENGINE), classifier, str(path))
        for t in chosen:
            documents[t].append(score_document(truth, result.clauses, t))
    report = RealdevReport(directory, clause_report, documents, threshold)
    if guards:
        realdata = realdata_dir(directory)
        if realdata.is_dir():
            progress("scanning the guard documents (California agendas, Somerville code)")
            report.guards = guard_documents(classifier, realdata)
    return report


def render_realdev(report: RealdevReport, details: bool = False) -> str:
    from .report import render_scores

    c = report.clauses
    lines = [f"development set: {report.directory}", ""]
    lines += render_scores(f"clauses ({c.scores.support}, each on its own)", c.scores)
    lines.append(f"  {'ECE (10 bins)':<20} {c.ece:>24.3f}   (mean confidence {c.mean_confidence:.3f}, accuracy {c.scores.accuracy:.3f})")
    lines += ["", f"documents at threshold {report.threshold:g}"]
    lines.append(f"  {'file':<52} {'found':>9} {'clear':>9} {'right/reported':>15}")
    for s in report.documents[report.threshold]:
        right = f"{s.reported_right}/{s.reported}"
        lines.append(f"  {s.file:<52} {s.found:>4}/{s.gold:<4} {s.found_clear:>4}/{s.gold_clear:<4} {right:>15}"
                     + ("  (hard negative)" if s.hard_negative_document else ""))
    lines += ["", f"  {'threshold':>9} {'recall':>7} {'recall (unambiguous)':>21} {'precision':>10} {'false alarms (minutes)':>23}"]
    for t in sorted(report.documents):
        tot = totals(report.documents[t])
        mark = " <- default" if t == report.threshold else ""
        lines.append(f"  {t:>9.2f} {tot.recall:>7.3f} {tot.recall_clear:>21.3f} {tot.precision:>10.3f} {tot.false_alarms:>23}{mark}")
    g = report.guards
    if g is not None:
        lines.append("")
        if g.agendas is not None:
            unread = f", {len(g.agendas_unread)} image-only not read" if g.agendas_unread else ""
            lines.append(f"California agendas: {len(g.agenda_alarms)} operative clause(s) in {g.agendas} agendas{unread} (kept at 0)")
        if g.somerville_ban is not None:
            lines.append(
                f"Somerville code: Sec. 9-25(b) full_ban {'yes' if g.somerville_ban else 'NO'}; "
                f"Article III oversight_policy {g.somerville_oversight} (>= 28); flags elsewhere {len(g.somerville_elsewhere)} (<= 10)"
            )
    if details:
        for s in report.documents[report.threshold]:
            lines += ["", f"{s.file}: missed"]
            lines += [f"  p.{m['page']} {m['label']}{' (ambiguous)' if m.get('ambiguous') else ''}: {m['text'][:100]}" for m in s.missed]
            lines.append(f"{s.file}: reported without a gold match")
            lines += [f"  p.{page} {label} {conf:.2f}: {text[:100]}" for page, label, conf, text in s.wrong]
        if g is not None:
            lines += ["", "agenda alarms"] + [f"  {f} p.{p}: {t[:100]}" for f, p, t in g.agenda_alarms]
            lines += ["Somerville flags elsewhere"] + [f"  {s} {lab}" for s, lab in g.somerville_elsewhere]
    return "\n".join(lines) + "\n"
