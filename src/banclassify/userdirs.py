"""The user's directories, following the XDG base-directory convention.

One variable of our own overrides each (``BANCLASSIFY_CACHE_DIR``,
``BANCLASSIFY_DATA_DIR``); otherwise ``$XDG_CACHE_HOME`` / ``$XDG_DATA_HOME``,
otherwise ``~/.cache`` and ``~/.local/share``, each with a ``banclassify``
folder. Read from the environment at every call, never cached, so that tests
and long-lived callers can change them.
"""

from __future__ import annotations

import os
from pathlib import Path


def _user_dir(override: str, xdg: str, default: tuple[str, ...]) -> Path:
    if os.environ.get(override):
        return Path(os.environ[override])
    base = os.environ.get(xdg) or Path.home().joinpath(*default)
    return Path(base) / "banclassify"


def cache_dir() -> Path:
    """Where extraction results are cached (``banclassify clear-cache`` empties it)."""
    return _user_dir("BANCLASSIFY_CACHE_DIR", "XDG_CACHE_HOME", (".cache",))


def data_dir() -> Path:
    """Where the user's lasting data lives: the trust file of trained models."""
    return _user_dir("BANCLASSIFY_DATA_DIR", "XDG_DATA_HOME", (".local", "share"))
