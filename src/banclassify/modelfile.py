"""The model file on disk: where the shipped one is, its card, and the checks made before loading.

Nothing here unpickles a model or imports scikit-learn, so that ``banclassify
info`` and the other light commands stay fast.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import ModelError

MODEL_FILENAME = "banclassify.joblib"


def shipped_model_path() -> Path:
    """The model shipped as package data (``banclassify/models/``), verified against ``shipped_model.sha256``.

    Found through ``importlib.resources`` so that every kind of install (editable,
    wheel, ``pipx``, ``pip install --target``) finds it; ``make train`` writes it there.
    """
    from importlib.resources import files

    return Path(str(files("banclassify").joinpath("models", MODEL_FILENAME)))


def default_model_path() -> Path:
    """The model commands use without ``--model``: ``$BANCLASSIFY_MODEL``, else the shipped model."""
    if os.environ.get("BANCLASSIFY_MODEL"):
        return Path(os.environ["BANCLASSIFY_MODEL"])
    return shipped_model_path()


def is_shipped_model(path: str | Path) -> bool:
    """Whether ``path`` is the shipped file itself (a model named by ``$BANCLASSIFY_MODEL`` is not, unless it is that file)."""
    return Path(path).resolve() == shipped_model_path().resolve()


def card_path(model_path: Path) -> Path:
    return model_path.with_suffix(".card.json")


def read_verified(path: Path, shipped: bool = False, trust: bool = False) -> tuple[bytes, dict, str | None]:
    """The model file's bytes once they may be unpickled, its card, and why the card was not believed (or None).

    The file is read once: the bytes whose hash is checked are the bytes a caller
    unpickles, so swapping the file in between cannot run another pickle.
    """
    from . import trust as trusted

    if not path.exists():
        raise ModelError(path, "model file not found (run 'banclassify train' to build one, or pass --model)")
    if path.is_dir():
        raise ModelError(path, "is a directory, not a model file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(path, f"cannot be read ({exc.strerror or exc})") from None
    digest = trusted.check(path, data, shipped=shipped, trust=trust)
    card, problem = read_card(path, digest, shipped=shipped, trust=trust)
    return data, card, problem


def read_card(path: Path, model_sha256: str, shipped: bool = False, trust: bool = False) -> tuple[dict, str | None]:
    """The model card beside ``path`` if its hash is the one recorded with the model.

    A card that does not match is not an error (the model itself was verified) but
    is not believed either: ``({}, why)``.
    """
    from . import trust as trusted

    card_file = card_path(path)
    try:
        data = card_file.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        raise ModelError(card_file, f"unreadable model card ({exc.strerror or exc})") from None
    problem = trusted.card_problem(card_file, data, model_sha256, shipped=shipped, trust=trust)
    if problem:
        return {}, problem
    try:
        card = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(card_file, f"unreadable model card ({exc})") from None
    if not isinstance(card, dict):
        raise ModelError(card_file, "unreadable model card (not a JSON object)")
    return card, None


def model_info(path: str | Path | None = None, trust: bool = False) -> tuple[Path, dict, str | None]:
    """The model file ``banclassify`` would load, its card and why the card was not believed; checked as for loading but not unpickled."""
    path = Path(path) if path else default_model_path()
    _, card, problem = read_verified(path, shipped=is_shipped_model(path), trust=trust)
    return path, card, problem
