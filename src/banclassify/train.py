"""Train: fit the model on labelled clauses and write it with its model card."""

from __future__ import annotations

import datetime as dt
import platform
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .classify import build_pipeline, save_model
from .corpus import Corpus, data_hash, is_shipped, is_test_file, jsonl_files, load_corpus, training_files
from .crossval import fold_probabilities, grid_search
from .errors import DataError, UsageError
from .evaluate import expected_calibration_error, score
from .files import sha256_file, write_text_atomic
from .normalise import clause_input
from .progress import Progress
from .project import Project
from .report import render_card_markdown

# Small on purpose: the whole search must stay under two minutes on two cores.
PARAMETER_GRID = {"model__estimator__estimator__C": [10.0, 30.0]}
CV_FOLDS = 5


@dataclass
class TrainReport:
    model_path: Path
    card: dict
    seconds: float
    shipped: bool = False  # the shipped model was rebuilt


@dataclass
class TrainingPlan:
    """What ``train`` reads and where it writes."""

    files: list[Path]
    out: Path
    shipped: bool  # ``out`` is the shipped model: the package's hash file is rewritten too
    user_data: Path | None  # the folder of the user's additions that was searched, if any


def plan_training(
    data: Sequence[Path] | None, out: Path | None, project: Project, replace_shipped: bool = False,
) -> TrainingPlan:
    """The data files and output of a ``train`` run.

    Without ``--data``: the shipped corpus plus the user's additions (``project``),
    or with ``replace_shipped`` the shipped corpus alone. Without ``--out``: the
    user's model in ``project``. Only ``replace_shipped`` may write the shipped model.
    """
    from .modelfile import is_shipped_model, shipped_model_path

    if replace_shipped:
        target = out or shipped_model_path()
        if not is_shipped_model(target):
            raise UsageError(target, f"--replace-shipped writes only the shipped model ({shipped_model_path()}); drop it to write another file")
    else:
        target = out or project.model
        if is_shipped_model(target):
            raise UsageError(
                target, "this is the shipped model: 'make train' rebuilds it (or add --replace-shipped); "
                "without --out, train writes your own model instead",
            )
    if data:
        files = [p for p in jsonl_files(data) if not is_test_file(p)]
        return TrainingPlan(files, target, replace_shipped, None)
    if replace_shipped:
        return TrainingPlan(training_files(), target, True, None)
    return TrainingPlan(training_files() + project.training_files(), target, False, project.labeled)


def describe_data(corpus: Corpus, user_data: Path | None) -> list[str]:
    """Every file read, with its clauses, the shipped corpus apart from the user's additions."""
    from .corpus import DEFAULT_DATA_DIR

    counts = corpus.clauses_per_file()
    shipped = [(p, n) for p, n in counts.items() if is_shipped(p)]
    yours = [(p, n) for p, n in counts.items() if not is_shipped(p)]
    lines = []
    if shipped:
        lines.append(f"shipped corpus: {sum(n for _, n in shipped)} clauses from {len(shipped)} file(s) in {DEFAULT_DATA_DIR}")
        listing = ", ".join(f"{p.name}\0{n}" for p, n in shipped)  # \0: never break between a name and its count
        wrapped = textwrap.wrap(listing, width=100, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)
        lines.extend(line.replace("\0", " ") for line in wrapped)
    if yours:
        lines.append(f"your data: {sum(n for _, n in yours)} clauses from {len(yours)} file(s)")
        lines.extend(f"  {p} {n}" for p, n in yours)
    elif user_data is not None:
        lines.append(f"your data: none yet in {user_data} ('banclassify annotate' and 'banclassify import' add there)")
    lines.append(
        f"{len(corpus.examples)} clauses in all, {corpus.user_examples} of them yours; "
        f"{corpus.duplicates_dropped} exact duplicate(s) dropped"
    )
    return lines


def check_outputs(out: Path, shipped: bool) -> None:
    """``files.check_writable`` for the model, its cards and where it is recorded as trusted."""
    from .files import check_writable
    from .modelfile import card_path
    from .trust import SHIPPED_HASH_FILE, trust_file

    check_writable(out)
    check_writable(card_path(out))
    check_writable(SHIPPED_HASH_FILE if shipped else trust_file(), append=not shipped)


def train(
    files: Sequence[Path],
    out: Path,
    fast: bool = False,
    n_jobs: int = 1,
    progress: Progress | None = None,
    shipped: bool = False,
    user_data: Path | None = None,
) -> TrainReport:
    """Fit a model on the labelled JSONL ``files`` and write it to ``out`` with its model card.

    Clauses are grouped by source document, so no fold of the cross-validation sees a
    document it is tested on. Unless ``fast``, the hyper-parameters are chosen by a
    grouped grid search (``PARAMETER_GRID``); then grouped ``CV_FOLDS``-fold
    cross-validation scores the choice, and the model is fitted on all the data.
    ``n_jobs`` parallel fits (-1: all cores); ``progress`` shows the stages, folds and
    grid points. ``out`` is replaced atomically, so an interrupted run leaves the old
    model. ``DataError`` names every bad line of the data. ``shipped`` also records the model as
    the shipped one (its hash in ``shipped_model.sha256``); ``user_data`` is named in the data summary.
    Every file it writes is checked first (``OutputError``): a model that cannot be saved is found
    before the training, not after it.
    """
    progress = progress or Progress()
    started = time.perf_counter()
    check_outputs(out, shipped)
    corpus = load_corpus(files)
    labels = sorted(set(corpus.labels))
    if len(labels) < 2:
        raise DataError(None, f"the labelled data has only one label ({labels[0]}, {len(corpus.examples)} clauses): a model needs clauses of at least two labels (add clauses labelled none)")
    for line in describe_data(corpus, user_data):
        progress.note(line)
    pipeline = build_pipeline()
    progress.stage(f"normalising {len(corpus.texts)} clauses")
    # Normalisation has no parameters: run it once instead of once per fold.
    normalised = pipeline.named_steps["normalise"].transform(clause_input(corpus.texts, corpus.groups, corpus.headings, corpus.titles))
    normalised, targets, labels, groups = with_standalone_copies(
        normalised, corpus.training_targets, corpus.labels, corpus.groups
    )
    downstream = pipeline[1:]
    folds = min(CV_FOLDS, len(set(groups)))
    params: dict = {}
    if not fast and folds >= 2:
        progress.note("searching hyper-parameters (grouped cross-validation)")
        # Scored by the model's own score(): macro-F1 on the reported labels, with and without neighbours.
        params = grid_search(downstream, PARAMETER_GRID, normalised, targets, groups, folds, n_jobs, progress)
        downstream.set_params(**params)
    cv = calibration = None
    if folds >= 2:
        progress.note("grouped cross-validation")
        probabilities, classes = fold_probabilities(downstream, normalised, targets, groups, folds, n_jobs, progress)
        predicted = [classes[i] for i in probabilities.argmax(axis=1)]
        half = len(labels) // 2
        scores = score(labels[:half], predicted[:half])
        alone = score(labels[half:], predicted[half:])
        cv = {
            "folds": folds, "macro_f1": scores.macro_f1, "accuracy": scores.accuracy, "per_label": scores.per_label,
            "macro_f1_alone": alone.macro_f1,
        }
        progress.note(f"grouped {folds}-fold CV: macro-F1 {cv['macro_f1']:.3f} in context, {alone.macro_f1:.3f} alone, accuracy {cv['accuracy']:.3f}")
        calibration = calibrate(downstream, probabilities, classes, labels)
        progress.note(
            f"calibration: fitted temperature {calibration['fitted_temperature']} gives CV ECE {calibration['ece_before']} -> "
            f"{calibration['ece_with_fitted']}; temperature {calibration['temperature']} kept"
        )
    progress.note("fitting on all data")
    progress.stage("fitting on all data")
    downstream.fit(normalised, targets)  # the slice shares its steps with ``pipeline``
    card = model_card(corpus, pipeline, params, cv)
    card["calibration"] = calibration
    save_model(pipeline, out, card, shipped=shipped)
    write_text_atomic(out.with_suffix(".card.md"), render_card_markdown(card))
    return TrainReport(out, card, time.perf_counter() - started, shipped)


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
        "user_examples": corpus.user_examples,
        "user_files": sorted(str(path) for path in corpus.files if not is_shipped(path)),
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
