"""Grouped cross-validation fits run in parallel and counted as each one finishes.

scikit-learn's ``cross_val_predict`` and ``GridSearchCV`` say nothing until every fit is
done (minutes on two cores); these do the same fits, with the same folds, and advance a
``Progress`` after each, so ``train`` and ``evaluate --cv`` can show folds and grid points.
"""

from __future__ import annotations

from typing import Sequence

from .progress import Progress


def _fit(estimator, X, y, train, params: dict):
    from sklearn.base import clone
    from sklearn.utils import _safe_indexing

    model = clone(estimator).set_params(**params)
    return model.fit(_safe_indexing(X, train), [y[i] for i in train])


def _fit_predict_proba(estimator, X, y, train, test):
    from sklearn.utils import _safe_indexing

    model = _fit(estimator, X, y, train, {})
    return test, [str(c) for c in model.classes_], model.predict_proba(_safe_indexing(X, test))


def _fit_score(estimator, X, y, train, test, params: dict, point: int, fold: int):
    from sklearn.utils import _safe_indexing

    return point, fold, _fit(estimator, X, y, train, params).score(_safe_indexing(X, test), [y[i] for i in test])


def _splits(X, y, groups: Sequence[str], folds: int):
    from sklearn.model_selection import GroupKFold

    return list(GroupKFold(n_splits=folds).split(X, y, list(groups)))


def fold_probabilities(estimator, X, y: Sequence[str], groups: Sequence[str], folds: int, n_jobs: int = 1,
                       progress: Progress | None = None):
    """(probabilities, their classes) of every clause from the fold that did not see its source document."""
    import numpy as np
    from joblib import Parallel, delayed

    progress = progress or Progress()
    y = list(y)
    progress.stage(f"cross-validation: {folds} folds", folds)
    results = []
    runs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
        delayed(_fit_predict_proba)(estimator, X, y, train, test) for train, test in _splits(X, y, groups, folds))
    for result in runs:
        results.append(result)
        progress.advance()
    classes = sorted({c for _, fold_classes, _ in results for c in fold_classes})
    probabilities = np.zeros((len(y), len(classes)))
    for test, fold_classes, fold_probabilities in results:
        for column, cls in enumerate(fold_classes):
            probabilities[test, classes.index(cls)] = fold_probabilities[:, column]
    return probabilities, classes


def fold_predictions(estimator, X, y: Sequence[str], groups: Sequence[str], folds: int, n_jobs: int = 1,
                     progress: Progress | None = None) -> list[str]:
    """What ``cross_val_predict`` returns with ``GroupKFold(folds)``: each clause labelled by the fold that did not see it
    (the most probable class: what ``predict`` of this project's classifiers returns)."""
    probabilities, classes = fold_probabilities(estimator, X, y, groups, folds, n_jobs, progress)
    return [classes[i] for i in probabilities.argmax(axis=1)]


def grid_search(estimator, grid: dict, X, y: Sequence[str], groups: Sequence[str], folds: int, n_jobs: int = 1,
                progress: Progress | None = None) -> dict:
    """The parameters of ``grid`` with the best mean ``estimator.score`` over grouped folds
    (the first of equals, as ``GridSearchCV.best_params_``)."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import ParameterGrid

    progress = progress or Progress()
    y = list(y)
    points = list(ParameterGrid(grid))
    splits = _splits(X, y, groups, folds)
    progress.stage(f"hyper-parameter search: {len(points)} grid points x {folds} folds", len(points) * len(splits))
    scores = [[0.0] * len(splits) for _ in points]
    runs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
        delayed(_fit_score)(estimator, X, y, train, test, params, point, fold)
        for point, params in enumerate(points) for fold, (train, test) in enumerate(splits))
    for point, fold, value in runs:
        scores[point][fold] = value  # by place, so the means do not depend on the order fits finish in
        progress.advance()
    means = [sum(values) / len(values) for values in scores]
    return points[means.index(max(means))]
