"""Train: fit the model on labelled clauses and write it with its model card."""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .classify import build_pipeline, save_model
from .corpus import Corpus, data_hash, load_corpus
from .crossval import grid_search
from .evaluate import grouped_cross_validation
from .files import sha256_file, write_text_atomic
from .normalise import clause_input
from .progress import Progress
from .report import render_card_markdown

# Small on purpose: the whole search must stay under two minutes on two cores.
PARAMETER_GRID = {"model__estimator__C": [10.0, 30.0], "features__words__ngram_range": [(1, 2), (1, 3)]}
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
    progress: Progress | None = None,
) -> TrainReport:
    """Fit a model on the labelled JSONL ``files`` and write it to ``out`` with its model card.

    Clauses are grouped by source document, so no fold of the cross-validation sees a
    document it is tested on. Unless ``fast``, the hyper-parameters are chosen by a
    grouped grid search (``PARAMETER_GRID``); then grouped ``CV_FOLDS``-fold
    cross-validation scores the choice, and the model is fitted on all the data.
    ``n_jobs`` parallel fits (-1: all cores); ``progress`` shows the stages, folds and
    grid points. ``out`` is replaced atomically, so an interrupted run leaves the old
    model. ``DataError`` names every bad line of the data.
    """
    progress = progress or Progress()
    started = time.perf_counter()
    corpus = load_corpus(files)
    progress.note(f"{len(corpus.examples)} clauses from {len(corpus.files)} file(s), {corpus.duplicates_dropped} exact duplicate(s) dropped")
    pipeline = build_pipeline()
    progress.stage(f"normalising {len(corpus.texts)} clauses")
    # Normalisation has no parameters: run it once instead of once per fold.
    normalised = pipeline.named_steps["normalise"].transform(clause_input(corpus.texts, corpus.groups))
    downstream = pipeline[1:]
    folds = min(CV_FOLDS, len(set(corpus.groups)))
    params: dict = {}
    if not fast and folds >= 2:
        progress.note("searching hyper-parameters (grouped cross-validation)")
        # Scored by the model's own score(): macro-F1 on the reported labels.
        params = grid_search(downstream, PARAMETER_GRID, normalised, corpus.training_targets, corpus.groups, folds, n_jobs, progress)
        downstream.set_params(**params)
    cv = None
    if folds >= 2:
        progress.note("grouped cross-validation")
        cv = grouped_cross_validation(downstream, normalised, corpus.labels, corpus.groups, folds, n_jobs, corpus.training_targets, progress)
        progress.note(f"grouped {folds}-fold CV: macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}")
    progress.note("fitting on all data")
    progress.stage("fitting on all data")
    downstream.fit(normalised, corpus.training_targets)  # the slice shares its steps with ``pipeline``
    card = model_card(corpus, pipeline, params, cv)
    save_model(pipeline, out, card)
    write_text_atomic(out.with_suffix(".card.md"), render_card_markdown(card))
    return TrainReport(out, card, time.perf_counter() - started)


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
