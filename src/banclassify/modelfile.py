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


def default_model_path() -> Path:
    """``$BANCLASSIFY_MODEL``, else the model shipped as package data (``banclassify/models/``).

    Found through ``importlib.resources`` so that every kind of install (editable,
    wheel, ``pipx``, ``pip install --target``) finds it; ``make train`` writes it there.
    """
    if os.environ.get("BANCLASSIFY_MODEL"):
        return Path(os.environ["BANCLASSIFY_MODEL"])
    from importlib.resources import files

    return Path(str(files("banclassify").joinpath("models", MODEL_FILENAME)))


def card_path(model_path: Path) -> Path:
    return model_path.with_suffix(".card.json")


def checked_card(path: Path, shipped: bool = False, trust: bool = False) -> dict:
    """The model's card after checking that the file exists and may be loaded (``trust``); ``ModelError`` otherwise."""
    from . import trust as trusted

    if not path.exists():
        raise ModelError(path, "model file not found (run 'banclassify train' to build one, or pass --model)")
    if path.is_dir():
        raise ModelError(path, "is a directory, not a model file")
    trusted.check(path, shipped=shipped, trust=trust)
    return read_card(path)


def read_card(path: Path) -> dict:
    card_file = card_path(path)
    if not card_file.exists():
        return {}
    try:
        return json.loads(card_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(card_file, f"unreadable model card ({exc})") from None


def is_shipped(path: str | Path | None) -> bool:
    return path is None or Path(path).resolve() == default_model_path().resolve()


def model_info(path: str | Path | None = None, trust: bool = False) -> tuple[Path, dict]:
    """The model file ``banclassify`` would load and its card, checked as for loading but not unpickled."""
    shipped = is_shipped(path)
    path = Path(path) if path else default_model_path()
    return path, checked_card(path, shipped=shipped, trust=trust)
