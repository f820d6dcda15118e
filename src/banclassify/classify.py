"""Classify: the scikit-learn pipeline that labels clauses, and its model file.

A model is one ``Pipeline`` (normalise -> word and character n-grams of the clause,
the words of the clauses around it, and the headings above it and its document's
title -> logistic regression) saved by joblib as one file, with a JSON model card
beside it.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .errors import ModelError
from .files import atomic_path, write_text_atomic
from .labels import LABELS
from .modelfile import MODEL_FILENAME, card_path, default_model_path, is_shipped_model, read_card, read_verified, shipped_model_path  # noqa: F401 (part of this module's interface)


def build_pipeline(
    C: float = 20.0, char_ngrams: tuple[int, int] = (2, 5), word_ngrams: tuple[int, int] = (1, 3), context_window: int = 5,
    where: bool = True, gate: bool = True, tie_window: int = 1,
):
    """The untrained model. Its parameters are the grid that ``train`` searches."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from .features import CharNgramCounter, NeighbourContext, TechnologyTie, WhereFeatures, WordNgramVectorizer
    from .normalise import SpacyNormaliser

    # The normaliser's output columns: 0 lemmas, placeholders and cues; 1 raw lower-cased text; 2 document;
    # 3 headings above the clause; 4 the document's title.
    features = ColumnTransformer(
        [
            ("words", WordNgramVectorizer(token_pattern=r"\S+", ngram_range=word_ngrams, min_df=2, sublinear_tf=True), 0),
            # Surface word n-grams keep what lemmas and stop-word removal lose ("shall not be", "on or after").
            ("raw_words", WordNgramVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True), 1),
            # The same features as TfidfVectorizer(analyzer="char"), counted several times faster.
            ("chars", Pipeline([
                ("counts", CharNgramCounter(ngram_range=char_ngrams, min_df=2, max_features=200_000)),
                ("tfidf", TfidfTransformer(sublinear_tf=True)),
            ]), 1),
            ("context", NeighbourContext(WordNgramVectorizer(token_pattern=r"\S+", min_df=2, sublinear_tf=True), window=context_window), [0, 2]),
            *([("where", WhereFeatures(), [3, 4])] if where else []),
            # Last, so that the gate finds it in the last column.
            ("tie", TechnologyTie(window=tie_window), [1, 2, 3, 4] if where else [1, 2]),
        ]
    )
    classifier = SubtypeClassifier(LogisticRegression(C=C, max_iter=5000, class_weight="balanced"))
    return Pipeline(
        [
            ("normalise", SpacyNormaliser(where=where)),
            ("features", features),
            ("model", TechnologyGate(classifier, enabled=gate)),
        ]
    )


@dataclass
class Prediction:
    """The model's answer for one clause: ``label`` (one of ``labels.LABELS``), its
    probability ``confidence``, and the probability of every label."""

    label: str
    confidence: float
    probabilities: dict[str, float]

    def to_dict(self) -> dict:
        return {"label": self.label, "confidence": self.confidence, "probabilities": dict(self.probabilities)}


SUBTYPE_SEPARATOR = ":"


def reported_macro_f1(estimator, X, y) -> float:
    """``score`` of the classifiers here: macro-F1 (``evaluate.macro_f1``) on the reported labels, subtypes merged."""
    from .evaluate import macro_f1

    return macro_f1([label_of(str(v)) for v in y], list(estimator.predict(X)))


def label_of(subtype: str) -> str:
    """"none:other_subject" -> "none": the label a training subtype belongs to."""
    return subtype.split(SUBTYPE_SEPARATOR, 1)[0]


class SubtypeClassifier(BaseEstimator, ClassifierMixin):
    """Learns finer classes than it reports, then adds their probabilities up.

    Clauses about other subjects ("none:other_subject": budgets, licences, elections)
    and clauses about surveillance that state no rule (definitions, recitals) are both
    ``none``, but they look nothing alike; learning them as two classes keeps the
    ordinary rules of a municipal code ("shall not ... unless approved") from being
    pulled towards the surveillance-rule labels.
    """

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y):
        from sklearn.base import clone

        self.estimator_ = clone(self.estimator).fit(X, y)
        fine = [str(c) for c in self.estimator_.classes_]
        self.classes_ = np.array(sorted({label_of(c) for c in fine}))
        self.columns_ = [list(self.classes_).index(label_of(c)) for c in fine]
        return self

    def predict_proba(self, X):
        fine = self.estimator_.predict_proba(X)
        merged = np.zeros((fine.shape[0], len(self.classes_)))
        for column, target in enumerate(self.columns_):
            merged[:, target] += fine[:, column]
        return merged

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        return reported_macro_f1(self, X, y)


class TechnologyGate(BaseEstimator, ClassifierMixin):
    """Reports as ``none`` every clause that nothing ties to a surveillance technology.

    The tie is the last feature column (``features.TechnologyTie``); the estimator
    sees it as a feature too. A rule that neither the clause, nor its headings, nor
    its title, nor the clauses beside it connect to a surveillance technology is a
    rule on another subject (LABELS.md: ``none``), however much it reads like
    oversight: "the City Manager shall return with a report on parking meters".
    With ``enabled=False`` the estimator's probabilities pass unchanged.

    ``temperature`` calibrates: probabilities are raised to ``1 / temperature`` and
    renormalised (temperature scaling of the log-probabilities). ``train`` fits it on
    grouped cross-validation of the training data, so that a confidence of 0.8 is
    right about 80% of the time on documents the model has not seen.
    """

    def __init__(self, estimator=None, enabled: bool = True, temperature: float = 1.0, untied_weight: float = 0.0):
        self.estimator = estimator
        self.enabled = enabled
        self.temperature = temperature
        self.untied_weight = untied_weight

    def fit(self, X, y):
        from sklearn.base import clone

        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X):
        probabilities = temper(self.estimator_.predict_proba(X), getattr(self, "temperature", 1.0))
        if self.enabled:
            untied = np.asarray(X[:, -1].todense() if hasattr(X, "todense") else X[:, -1]).ravel() == 0
            if untied.any():
                # The operative labels of an untied clause keep ``untied_weight`` of their probability.
                none = list(self.classes_).index("none")
                operative = [i for i in range(len(self.classes_)) if i != none]
                kept = probabilities[np.ix_(untied, operative)] * getattr(self, "untied_weight", 0.0)
                probabilities[np.ix_(untied, operative)] = kept
                probabilities[untied, none] = 1.0 - kept.sum(axis=1)
        return probabilities

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        return reported_macro_f1(self, X, y)


def temper(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Rows of ``probabilities`` with their log-probabilities divided by ``temperature``, renormalised."""
    if temperature == 1.0:
        return probabilities
    logs = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logs -= logs.max(axis=1, keepdims=True)
    scaled = np.exp(logs)
    return scaled / scaled.sum(axis=1, keepdims=True)


def fit_temperature(probabilities: np.ndarray, truth: Sequence[str], classes: Sequence[str]) -> float:
    """The temperature that minimises the log-loss of held-out ``probabilities`` (a search over 0.25-8)."""
    index = {c: i for i, c in enumerate(classes)}
    rows = np.arange(len(truth))
    columns = np.array([index[t] for t in truth])
    best, best_loss = 1.0, np.inf
    for temperature in np.exp(np.linspace(np.log(0.25), np.log(8.0), 71)):
        loss = -np.log(np.clip(temper(probabilities, float(temperature))[rows, columns], 1e-12, 1.0)).mean()
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return round(best, 4)


@dataclass
class Explanation:
    terms: list[tuple[str, float]]  # (feature, its push towards the label), strongest first
    runner_up: str
    runner_up_probability: float

    def compact(self) -> str:
        pushed = ", ".join(f"{term} (+{weight:.2f})" for term, weight in self.terms) or "-"
        return f"runner-up {self.runner_up} {self.runner_up_probability:.2f}; why: {pushed}"


class ClauseClassifier:
    """A loaded model: normalise and classify clause texts."""

    def __init__(self, pipeline: Any, card: dict | None = None, path: Path | None = None):
        self.pipeline = pipeline
        self.card = card or {}
        self.card_problem: str | None = None  # why the card beside the model was not believed
        self.path = path
        self.labels: list[str] = [str(c) for c in pipeline.classes_]

    @classmethod
    def load(cls, path: str | Path | None = None, trust: bool = False) -> "ClauseClassifier":
        """Load the shipped model, or the one at ``path``; see ``trust`` for which files may be loaded."""
        # $BANCLASSIFY_MODEL names a model like --model does: trusted as shipped only if it is the shipped file.
        path = Path(path) if path else default_model_path()
        shipped = is_shipped_model(path)
        pipeline, card, card_problem = load_model(path, shipped=shipped, trust=trust)
        classifier = cls(pipeline, card, path)
        classifier.card_problem = card_problem
        return classifier

    def prepare(self) -> "ClauseClassifier":
        """Build what a scan needs (spaCy pipeline, lookup tables) now, and keep the garbage collector off it.

        For processes that load one model and keep it to the end, as the CLI does;
        see ``freeze_long_lived``.
        """
        from .process import freeze_long_lived

        self.predict(["Build the pipeline."])
        self.attributes.extract(["Build the matchers."], ["full_ban"])
        freeze_long_lived()
        return self

    def normalise(
        self, texts: Sequence[str], documents: Sequence[str] | None = None, headings: Sequence[str] | None = None,
        titles: Sequence[str] | None = None,
    ):
        """The model's view of clauses; ``documents``, ``headings`` and ``titles`` (see ``clause_input``)
        let it read their surroundings."""
        from .normalise import clause_input

        return self.pipeline.named_steps["normalise"].transform(clause_input(texts, documents, headings, titles))

    def classify_normalised(self, normalised) -> list[Prediction]:
        """Label the output of ``normalise``."""
        if len(normalised) == 0:
            return []
        import sklearn

        # The normaliser's output is always well-formed text, and the model's parameters
        # were checked when it was trained: scikit-learn's input checks only cost time here.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            probabilities = self.pipeline[1:].predict_proba(normalised)
        labels = self.labels
        return [
            Prediction(labels[best], row[best], dict(zip(labels, row)))
            for best, row in zip(probabilities.argmax(axis=1).tolist(), probabilities.tolist())
        ]

    def predict(
        self, texts: Sequence[str], documents: Sequence[str] | None = None, headings: Sequence[str] | None = None,
        titles: Sequence[str] | None = None,
    ) -> list[Prediction]:
        return self.classify_normalised(self.normalise(texts, documents, headings, titles))

    @property
    def attributes(self):
        """The attribute extractor, sharing the model's spaCy pipeline; built on first use."""
        if getattr(self, "_attributes", None) is None:
            from .attributes import AttributeExtractor

            self._attributes = AttributeExtractor(self.pipeline.named_steps["normalise"].nlp)
        return self._attributes

    def explain(self, normalised, predictions: Sequence[Prediction], terms: int = 5) -> list[Explanation]:
        """The word features that pushed each clause most towards its label, and the runner-up.

        A clause's push towards a label is its feature values times the linear model's
        weights for that label. Character n-grams count in the model but are left out
        of the list because a reader cannot act on "hall ".
        """
        features = self.pipeline.named_steps["features"]
        model = self.pipeline.named_steps["model"]
        if getattr(self, "_feature_names", None) is None:
            self._feature_names = features.get_feature_names_out()
        matrix = features.transform(normalised)
        linear = model
        while hasattr(linear, "estimator_"):  # gate -> subtype classifier -> logistic regression
            linear = linear.estimator_
        classes = [str(c) for c in linear.classes_]
        # A label learnt as several subtypes ("none" and "none:other_subject") is
        # explained by the subtype that gave it most of its probability.
        fine = linear.predict_proba(matrix) if len(set(map(label_of, classes))) < len(classes) else None
        explanations = []
        for row, prediction in zip(range(matrix.shape[0]), predictions):
            vector = matrix.getrow(row)
            subtypes = [i for i, c in enumerate(classes) if label_of(c) == prediction.label]
            weights = linear.coef_[max(subtypes, key=lambda i: fine[row, i]) if fine is not None else subtypes[0]]
            pushes = {}
            for index, value in zip(vector.indices, vector.data):
                name = self._feature_names[index]
                if name.startswith("chars__"):
                    continue
                term = name.split("__", 1)[1]
                pushes[term] = pushes.get(term, 0.0) + float(value * weights[index])
            top = sorted(((t, w) for t, w in pushes.items() if w > 0), key=lambda tw: -tw[1])[:terms]
            ranked = sorted(prediction.probabilities.items(), key=lambda kv: -kv[1])
            runner_up = ranked[1] if len(ranked) > 1 else ("none", 0.0)
            explanations.append(Explanation([(t, round(w, 3)) for t, w in top], runner_up[0], round(runner_up[1], 4)))
        return explanations


def load_model(path: Path, shipped: bool = False, trust: bool = False) -> tuple[Any, dict, str | None]:
    """Load a model and its card; every failure is a one-line ``ModelError``.

    Returns the pipeline, the card (empty when there is none or it cannot be
    believed) and why a card beside the model was not believed, or None.
    The model file is read once: the bytes whose hash is checked are the bytes unpickled.
    """
    import io

    data, card, problem = read_verified(path, shipped=shipped, trust=trust)
    import sklearn

    saved_with = (card.get("versions") or {}).get("scikit-learn")
    if saved_with and _minor(saved_with) != _minor(sklearn.__version__):
        raise ModelError(
            path,
            f"model was saved with scikit-learn {saved_with} but {sklearn.__version__} is installed; "
            "run 'banclassify train' to rebuild it",
        )
    import joblib
    from sklearn.exceptions import InconsistentVersionWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            pipeline = joblib.load(io.BytesIO(data))
    except InconsistentVersionWarning as exc:
        raise ModelError(
            path,
            f"model was saved with scikit-learn {exc.original_sklearn_version} but {sklearn.__version__} "
            "is installed; run 'banclassify train' to rebuild it",
        ) from None
    except Exception as exc:
        raise ModelError(path, f"unreadable model file ({type(exc).__name__}: {str(exc)[:80]})") from None
    if not hasattr(pipeline, "predict_proba") or not hasattr(pipeline, "classes_"):
        raise ModelError(path, "not a banclassify model (no trained classifier inside)")
    unknown = set(map(str, pipeline.classes_)) - set(LABELS)
    if unknown:
        raise ModelError(path, f"model predicts unknown labels: {', '.join(sorted(unknown))}")
    return pipeline, card, problem


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def save_model(pipeline: Any, path: Path, card: dict, shipped: bool = False) -> None:
    """Write model and card atomically: an interrupted save leaves the old files intact.

    Both are recorded as trusted (with ``shipped``: in the package's hash file)
    under the model's final path before the model takes its name, so a crash never
    leaves an untrusted model in place.
    """
    import joblib

    from . import trust

    card_text = json.dumps(card, indent=2, sort_keys=True) + "\n"
    with atomic_path(path) as tmp:
        # Uncompressed: a third larger (12 MB against 9 MB) and loads about a third faster,
        # which a one-page scan feels; joblib.load reads either form.
        joblib.dump(pipeline, tmp, compress=0)
        if not shipped:
            trust.record_trusted(path, trust.sha256_bytes(tmp.read_bytes()), trust.sha256_bytes(card_text.encode("utf-8")))
    write_text_atomic(card_path(path), card_text)
    if shipped:
        trust.record_shipped(path, card_path(path))
