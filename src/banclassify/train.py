"""Train: fit the model on labelled clauses and write it with its model card."""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .classify import build_pipeline, save_model
from .corpus import Corpus, data_hash, load_corpus
from .evaluate import expected_calibration_error, out_of_fold_probabilities, score
from .files import sha256_file, write_text_atomic
from .normalise import clause_input

# Small on purpose: the whole search must stay under two minutes on two cores.
PARAMETER_GRID = {"model__estimator__estimator__C": [10.0, 30.0]}
CV_FOLDS = 5


@dataclass
class TrainReport:
    model_path: Path
    card: dict
    seconds: float


def train(
    files: Sequence[Path],
    out: Path,
    fast: bool = False,
    n_jobs: int = 1,
    progress: Callable[[str], None] = lambda message: None,
) -> TrainReport:
    started = time.perf_counter()
    corpus = load_corpus(files)
    progress(f"{len(corpus.examples)} clauses from {len(corpus.files)} file(s), {corpus.duplicates_dropped} exact duplicate(s) dropped")
    pipeline = build_pipeline()
    # Normalisation has no parameters: run it once instead of once per fold.
    normalised = pipeline.named_steps["normalise"].transform(clause_input(corpus.texts, corpus.groups, corpus.headings, corpus.titles))
    normalised, targets, labels, groups = with_standalone_copies(
        normalised, corpus.training_targets, corpus.labels, corpus.groups
    )
    downstream = pipeline[1:]
    folds = min(CV_FOLDS, len(set(groups)))
    params: dict = {}
    if not fast and folds >= 2:
        from sklearn.model_selection import GridSearchCV, GroupKFold

        progress("searching hyper-parameters (grouped cross-validation)")
        # Scored by the model's own score(): macro-F1 on the reported labels, with and without neighbours.
        search = GridSearchCV(downstream, PARAMETER_GRID, cv=GroupKFold(n_splits=folds), n_jobs=n_jobs)
        search.fit(normalised, targets, groups=groups)
        params = search.best_params_
        downstream.set_params(**params)
    cv = calibration = None
    if folds >= 2:
        progress("grouped cross-validation")
        probabilities, classes = out_of_fold_probabilities(downstream, normalised, labels, groups, folds, n_jobs, targets)
        predicted = [classes[i] for i in probabilities.argmax(axis=1)]
        half = len(labels) // 2
        scores = score(labels[:half], predicted[:half])
        alone = score(labels[half:], predicted[half:])
        cv = {
            "folds": folds, "macro_f1": scores.macro_f1, "accuracy": scores.accuracy, "per_label": scores.per_label,
            "macro_f1_alone": alone.macro_f1,
        }
        progress(f"grouped {folds}-fold CV: macro-F1 {cv['macro_f1']:.3f} in context, {alone.macro_f1:.3f} alone, accuracy {cv['accuracy']:.3f}")
        calibration = calibrate(downstream, probabilities, classes, labels)
        progress(
            f"calibration: fitted temperature {calibration['fitted_temperature']} gives CV ECE {calibration['ece_before']} -> "
            f"{calibration['ece_with_fitted']}; temperature {calibration['temperature']} kept"
        )
    progress("fitting on all data")
    downstream.fit(normalised, targets)  # the slice shares its steps with ``pipeline``
    card = model_card(corpus, pipeline, params, cv)
    card["calibration"] = calibration
    save_model(pipeline, out, card)
    write_text_atomic(out.with_suffix(".card.md"), render_card_markdown(card))
    return TrainReport(out, card, time.perf_counter() - started)


def with_standalone_copies(normalised, targets: Sequence[str], labels: Sequence[str], groups: Sequence[str]):
    """The normalised clauses twice: in their documents, then each alone (no neighbours, headings or title).

    A model trained only on clauses in context leans on the context: one clause given on
    its own (``classify`` without ``--one-document``, a clause quoted in an email) then
    scores far lower. The copies keep their source's group, so cross-validation never
    splits a source, and the scores of the second half are the scores of clauses alone.
    """
    import numpy as np

    alone = normalised.copy()
    alone[:, 2] = [f"alone {i}" for i in range(len(alone))]
    alone[:, 3:] = ""
    both = np.concatenate([normalised, alone])
    return both, [*targets, *targets], [*labels, *labels], [*groups, *groups]


def calibrate(downstream, probabilities, classes: list[str], labels: Sequence[str]) -> dict:
    """Fit the temperature of the model's last step on held-out probabilities, and report ECE before and after.

    Fitted (by log-loss) on grouped cross-validation of the training data, never on
    evaluation data, and kept only when it lowers that held-out ECE: the linear model
    is often calibrated already, and a temperature that only trades ECE for log-loss
    would make the reported confidences mean less.
    """
    from .classify import fit_temperature, temper

    fitted = fit_temperature(probabilities, labels, classes)
    correct = [classes[i] == t for i, t in zip(probabilities.argmax(axis=1), labels)]
    before = round(expected_calibration_error(probabilities.max(axis=1), correct), 4)
    with_fitted = round(expected_calibration_error(temper(probabilities, fitted).max(axis=1), correct), 4)
    temperature = fitted if with_fitted < before else 1.0
    downstream.set_params(model__temperature=temperature)
    return {
        "temperature": temperature,
        "fitted_temperature": fitted,
        "ece_before": before,
        "ece_with_fitted": with_fitted,
        "ece_after": with_fitted if temperature != 1.0 else before,
    }


def model_card(corpus: Corpus, pipeline, params: dict, cv: dict | None) -> dict:
    import joblib
    import numpy
    import sklearn
    import spacy

    counts = Counter(corpus.labels)
    return {
        "model": "banclassify clause classifier",
        "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "labels": {label: counts[label] for label in sorted(counts)},
        "examples": len(corpus.examples),
        "source_documents": len(set(corpus.groups)),
        "duplicates_dropped": corpus.duplicates_dropped,
        "data_files": {path.name: sha256_file(path) for path in sorted(corpus.files)},
        "data_hash": data_hash(corpus.files),
        "hyperparameters": {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(params.items())},
        "pipeline": [name for name, _ in pipeline.steps],
        "cross_validation": cv,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "spacy": spacy.__version__,
            "joblib": joblib.__version__,
            "numpy": numpy.__version__,
        },
    }


def render_card_markdown(card: dict) -> str:
    lines = [
        "# banclassify model card",
        "",
        f"- Created: {card['created']}",
        f"- Training clauses: {card['examples']} from {card['source_documents']} source documents ({card['duplicates_dropped']} duplicates dropped)",
        f"- Data hash: `{card['data_hash']}`",
        f"- Pipeline: {' -> '.join(card['pipeline'])}",
        f"- Hyper-parameters: {card['hyperparameters'] or 'defaults (--fast)'}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in card["versions"].items()),
        "",
        "| label | clauses | CV F1 |",
        "|---|---:|---:|",
    ]
    cv = card.get("cross_validation") or {}
    for label, count in card["labels"].items():
        f1 = (cv.get("per_label") or {}).get(label, {}).get("f1")
        lines.append(f"| {label} | {count} | {f1 if f1 is not None else '-'} |")
    if cv:
        lines += ["", f"Grouped {cv['folds']}-fold cross-validation: macro-F1 {cv['macro_f1']}, accuracy {cv['accuracy']}."]
    return "\n".join(lines) + "\n"
