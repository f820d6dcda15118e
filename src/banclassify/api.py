"""The Python API that ``import banclassify`` exposes (see its ``__all__``).

    >>> import banclassify
    >>> result = banclassify.scan("data/raw/sample_agenda_packet.pdf")
    >>> result.strongest_label()
    'full_ban'
    >>> [p.label for p in banclassify.classify(["No department shall use face recognition."])]
    ['full_ban']

Every function takes ``model``: a model from ``load_model``, a path to a model
file, or None for the shipped model, which is loaded on first use and kept for
the rest of the process (loading takes about a second).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence, Union

from .classify import ClauseClassifier, Prediction
from .documents import ReadOptions
from .errors import BanclassifyError, ModelError
from .scan import ScanResult, scan_file

Model = Union[ClauseClassifier, str, Path, None]


def load_model(path: str | Path | None = None, trust: bool = False) -> ClauseClassifier:
    """A model to pass to ``scan``, ``classify`` and ``batch``: the shipped one, or the file at ``path``.

    A model file is a pickle, so only the shipped model and models trained on this
    machine load; ``trust=True`` loads any other file (only for files you trust).
    ``ModelError`` when it cannot be loaded.
    """
    if path is None:
        return _shipped_model()
    return ClauseClassifier.load(path, trust=trust)


@lru_cache(maxsize=1)
def _shipped_model() -> ClauseClassifier:
    return ClauseClassifier.load(None)


def _model(model: Model) -> ClauseClassifier:
    if isinstance(model, ClauseClassifier):
        return model
    if model is None or isinstance(model, (str, Path)):
        return load_model(model)
    raise ModelError(None, f"model must be a loaded model, a path or None, not {type(model).__name__}")


def scan(path: str | Path, model: Model = None, options: ReadOptions | None = None, explain: bool = False) -> ScanResult:
    """Label every clause of one document (PDF, text, Markdown, HTML).

    ``options`` chooses the PDF engine, OCR, worker processes and limits
    (``ReadOptions``). ``InputError`` when the document cannot be read.
    """
    return scan_file(path, _model(model), options, explain=explain)


def classify(texts: Sequence[str] | str, model: Model = None, one_document: bool = False) -> list[Prediction]:
    """Label clause texts, each on its own, or, with ``one_document``, as one document in reading order."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    return _model(model).predict(texts, ["input"] * len(texts) if one_document else None)


@dataclass
class BatchItem:
    """One document of ``batch``: its result, or why it could not be read (``error``)."""

    path: str
    result: ScanResult | None
    error: str | None = None

    def to_dict(self) -> dict:
        return {"path": self.path, "error": self.error, "result": self.result.to_dict() if self.result else None}


def batch(paths: Iterable[str | Path], model: Model = None, options: ReadOptions | None = None) -> Iterator[BatchItem]:
    """Scan documents one after another, with one model, yielding one ``BatchItem`` each in order.

    A document that cannot be read does not stop the others: its item carries the
    error. For whole folders with parallel workers, resumable output files and a
    cache, use the ``banclassify batch`` command.
    """
    classifier = _model(model)
    for path in paths:
        try:
            yield BatchItem(str(path), scan_file(path, classifier, options))
        except BanclassifyError as exc:
            yield BatchItem(str(path), None, exc.problem)
