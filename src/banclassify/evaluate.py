"""Evaluate: how well a model labels held-out clauses, next to a keyword baseline."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Sequence

from .labels import LABELS_BY_STRENGTH


class KeywordBaseline:
    """The regular expressions a careful user would grep for, tried in this order.

    It exists only to measure the classifier against; the classifier never uses it.
    """

    RULES: tuple[tuple[str, str], ...] = (
        ("moratorium", r"moratori|until .{0,80}(authori[sz]|enact|approv)|for a period of|shall expire|suspend|\bpause"),
        ("realtime_ban", r"real[- ]?time|live (video|feed|stream)|streaming|ongoing surveillance|continuous"),
        ("consent_requirement", r"consent|written release|opt[- ]in|\bnotice to\b|notif(y|ies|ied) the (individual|person)"),
        ("full_ban", r"\bban(s|ned)?\b|prohibit|unlawful|shall not (obtain|use|acquire|access|retain|purchase)|may not (obtain|use|acquire)"),
        ("oversight_policy", r"approv|impact report|annual report|audit|warrant|court order|use policy|public hearing|oversight"),
    )

    def __init__(self) -> None:
        self.patterns = [(label, re.compile(rx, re.IGNORECASE)) for label, rx in self.RULES]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [next((label for label, rx in self.patterns if rx.search(t)), "none") for t in texts]


@dataclass
class Scores:
    labels: list[str]
    per_label: dict[str, dict[str, float]]
    macro_f1: float
    accuracy: float
    confusion: list[list[int]]
    support: int

    def as_dict(self) -> dict:
        return {
            "labels": self.labels,
            "per_label": self.per_label,
            "macro_f1": self.macro_f1,
            "accuracy": self.accuracy,
            "confusion_matrix": self.confusion,
            "support": self.support,
        }


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """The project's one macro-F1: the mean F1 of the labels that occur in ``truth``.

    A label never in the truth but predicted still costs precision in the labels it
    was taken from; it gets no F1 of its own. Grid search, cross-validation and
    ``evaluate`` all use this.
    """
    from sklearn.metrics import f1_score

    present = sorted(set(truth))
    return float(f1_score(list(truth), list(predicted), labels=present, average="macro", zero_division=0))


def score(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    labels = list(LABELS_BY_STRENGTH)
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_label = {
        label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4), "support": int(s[i])}
        for i, label in enumerate(labels)
    }
    macro = macro_f1(truth, predicted)
    return Scores(
        labels,
        per_label,
        round(macro, 4),
        round(float(accuracy_score(truth, predicted)), 4),
        confusion_matrix(truth, predicted, labels=labels).tolist(),
        len(truth),
    )


ECE_BINS = 10


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> float:
    """Mean gap between confidence and accuracy over equal-width confidence bins, weighted by their size."""
    import numpy as np

    confidences = np.asarray(confidences, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if not len(confidences):
        return 0.0
    # Bin k holds confidences in (k/bins, (k+1)/bins]; a confidence of 0 goes to the first.
    which = np.clip(np.ceil(confidences * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for k in range(bins):
        members = which == k
        if members.any():
            total += members.sum() * abs(correct[members].mean() - confidences[members].mean())
    return float(total / len(confidences))


@dataclass
class Mistake:
    text: str
    truth: str
    predicted: str
    confidence: float
    where: str


@dataclass
class Evaluation:
    model: Scores
    baseline: Scores
    mistakes: list[Mistake] = field(default_factory=list)
    cross_validation: dict | None = None

    def as_dict(self) -> dict:
        return {
            "model": self.model.as_dict(),
            "keyword_baseline": self.baseline.as_dict(),
            "most_confident_mistakes": [m.__dict__ for m in self.mistakes],
            "grouped_cross_validation": self.cross_validation,
        }


def shown_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it, as the user typed it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def evaluate(classifier, corpus, mistakes: int = 10) -> Evaluation:
    predictions = classifier.predict(corpus.texts, corpus.groups, corpus.headings, corpus.titles)
    predicted = [p.label for p in predictions]
    wrong = [
        Mistake(e.text, e.label, p.label, round(p.confidence, 4), f"{shown_path(e.file)}:{e.line}")
        for e, p in zip(corpus.examples, predictions)
        if p.label != e.label
    ]
    wrong.sort(key=lambda m: -m.confidence)
    return Evaluation(
        score(corpus.labels, predicted),
        score(corpus.labels, KeywordBaseline().predict(corpus.texts)),
        wrong[:mistakes],
    )


def grouped_cross_validation(
    pipeline, normalised, labels: Sequence[str], groups: Sequence[str], folds: int = 5, n_jobs: int = 1,
    targets: Sequence[str] | None = None, progress=None,
) -> dict:
    """Cross-validated scores with every source document kept in one fold.

    ``pipeline`` is the model after its normalise step; ``normalised`` its input;
    ``targets`` the finer training classes when they differ from ``labels``;
    ``progress`` counts the folds as they finish.
    """
    from .crossval import fold_predictions

    fit_on = list(targets) if targets is not None else list(labels)
    predicted = fold_predictions(pipeline, normalised, fit_on, groups, folds, n_jobs, progress)
    scores = score(list(labels), list(predicted))
    return {"folds": folds, "macro_f1": scores.macro_f1, "accuracy": scores.accuracy, "per_label": scores.per_label}


def cross_validate_training_data(classifier, n_jobs: int = -1, progress=None, extra_files=()) -> dict:
    """``evaluate --cv``: grouped cross-validation of ``classifier``'s model, refitted fold by
    fold on the training split (``data/labeled``, not the test files, plus ``extra_files``: the user's)."""
    from sklearn.base import clone

    from .corpus import load_corpus, training_files

    corpus = load_corpus([*training_files(), *extra_files])
    if progress is not None:
        progress.stage(f"normalising {len(corpus.texts)} training clauses")
    normalised = classifier.normalise(corpus.texts, corpus.groups, corpus.headings, corpus.titles)
    downstream = clone(classifier.pipeline[1:])
    return grouped_cross_validation(downstream, normalised, corpus.labels, corpus.groups, n_jobs=n_jobs,
                                    targets=corpus.training_targets, progress=progress)
