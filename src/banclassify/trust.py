"""Which model files may be loaded. A joblib model is a pickle: loading it runs code.

- The shipped model must match the SHA-256 recorded in the package (``shipped_model.sha256``).
- A model written by ``banclassify train`` is recorded, by hash, in a trust file in the
  user's data directory, and loads silently.
- Anything else, including a trained model whose file changed since, is refused unless
  the user says ``--trust-model``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import ModelError
from .files import rewrite_locked, sha256_file
from .jsonl import read_jsonl
from .userdirs import data_dir

SHIPPED_HASH_FILE = Path(__file__).with_name("shipped_model.sha256")


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
    # A line cut by a crash trusts nothing: that model is refused until trained again.
    records, _ = read_jsonl(trust_file(), strict=False, missing_ok=True, error=ModelError)
    return {record["sha256"] for _, record in records if isinstance(record.get("sha256"), str)}


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
