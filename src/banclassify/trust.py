"""Which model files may be loaded. A joblib model is a pickle: loading it runs code.

- The shipped model must match the SHA-256 recorded in the package (``shipped_model.sha256``).
- A model written by ``banclassify train`` is recorded, by hash, in a trust file in the
  user's data directory, and loads silently.
- Anything else, including a trained model whose file changed since, is refused unless
  the user says ``--trust-model``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import ModelError
from .files import rewrite_locked, sha256_file

SHIPPED_HASH_FILE = Path(__file__).with_name("shipped_model.sha256")


def data_dir() -> Path:
    if os.environ.get("BANCLASSIFY_DATA_DIR"):
        return Path(os.environ["BANCLASSIFY_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "banclassify"


def trust_file() -> Path:
    return data_dir() / "trusted_models.jsonl"


def shipped_hash() -> str | None:
    try:
        return SHIPPED_HASH_FILE.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return None


def record_shipped(path: Path) -> None:
    """Called by ``train`` when it rebuilds the shipped model."""
    from .files import write_text_atomic

    write_text_atomic(SHIPPED_HASH_FILE, f"{sha256_file(path)}  {path.name}\n")


def trusted_hashes() -> set[str]:
    path = trust_file()
    if not path.exists():
        return set()
    hashes = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            hashes.add(json.loads(line)["sha256"])
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return hashes


def record_trusted(path: Path) -> None:
    entry = json.dumps({"sha256": sha256_file(path), "path": str(path.resolve())})
    rewrite_locked(trust_file(), lambda lines: [line for line in lines if line != entry] + [entry])


def check(path: Path, shipped: bool, trust: bool) -> None:
    """Refuse to unpickle a model file that is not known to be safe."""
    if trust:
        return
    digest = sha256_file(path)
    if shipped:
        expected = shipped_hash()
        if digest != expected:
            raise ModelError(
                path,
                "the shipped model does not match the SHA-256 recorded in the package "
                f"({(expected or 'none')[:12]}… expected, {digest[:12]}… found); it may have been altered: "
                "reinstall, or rebuild it with 'make train'",
            )
        return
    if digest not in trusted_hashes():
        raise ModelError(
            path,
            "untrusted model file: loading a model runs code from it, and this one was not written by "
            "'banclassify train' on this machine (or changed since); pass --trust-model only if you trust its source",
        )
