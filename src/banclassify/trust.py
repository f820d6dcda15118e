"""Which model files may be loaded. A joblib model is a pickle: loading it runs code.

- The shipped model must match the SHA-256 recorded in the package (``shipped_model.sha256``).
- A model written by ``banclassify train`` is recorded, by hash and final path, in a
  trust file in the user's data directory, and loads silently.
- Anything else, including a trained model whose file changed since, is refused unless
  the user says ``--trust-model``.

The check is made on the bytes that will be unpickled (the caller reads the file
once and loads from that buffer), so replacing the file between check and load
changes nothing. The model card beside a model is recorded by hash in the same
places: a card that does not match is not believed (``card_problem``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import ModelError
from .files import rewrite_locked, sha256_file  # noqa: F401 (sha256_file: for callers)
from .jsonl import read_jsonl
from .userdirs import data_dir

SHIPPED_HASH_FILE = Path(__file__).with_name("shipped_model.sha256")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def trust_file() -> Path:
    return data_dir() / "trusted_models.jsonl"


def shipped_hashes() -> dict[str, str]:
    """File name -> SHA-256, from the package's ``sha256sum``-style hash file."""
    try:
        lines = SHIPPED_HASH_FILE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    hashes = {}
    for line in lines:
        parts = line.split(maxsplit=1)
        if len(parts) == 2:
            hashes[parts[1].strip().lstrip("*")] = parts[0]
    return hashes


def shipped_hash() -> str | None:
    """The recorded hash of the shipped model (the first line of the hash file)."""
    try:
        return SHIPPED_HASH_FILE.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return None


def record_shipped(model: Path, card: Path) -> None:
    """Called by ``train --replace-shipped`` once the shipped model and its card are written."""
    from .files import write_text_atomic

    lines = [f"{sha256_bytes(p.read_bytes())}  {p.name}\n" for p in (model, card)]
    write_text_atomic(SHIPPED_HASH_FILE, "".join(lines))


def _trusted_records() -> list[dict]:
    # A line cut by a crash trusts nothing: that model is refused until trained again.
    records, _ = read_jsonl(trust_file(), strict=False, missing_ok=True, error=ModelError)
    return [record for _, record in records if isinstance(record.get("sha256"), str)]


def trusted_hashes() -> set[str]:
    return {record["sha256"] for record in _trusted_records()}


def record_trusted(path: Path, model_sha256: str, card_sha256: str | None) -> None:
    """Trust a model written by ``train``: ``path`` is its final name, not the temporary file."""
    entry = json.dumps({"sha256": model_sha256, "card_sha256": card_sha256, "path": str(Path(path).resolve())})
    rewrite_locked(trust_file(), lambda lines: [line for line in lines if line != entry] + [entry])


def check(path: Path, data: bytes, shipped: bool, trust: bool) -> str:
    """Refuse to unpickle ``data`` (the content of ``path``) unless it is known to be safe.

    Returns its SHA-256, which ``card_problem`` needs.
    """
    digest = sha256_bytes(data)
    if trust:
        return digest
    if shipped:
        expected = shipped_hash()
        if digest != expected:
            raise ModelError(
                path,
                "the shipped model does not match the SHA-256 recorded in the package "
                f"({(expected or 'none')[:12]}… expected, {digest[:12]}… found); it may have been altered: "
                "reinstall, or rebuild it with 'make train'",
            )
        return digest
    if digest not in trusted_hashes():
        raise ModelError(
            path,
            "untrusted model file: loading a model runs code from it, and this one was not written by "
            "'banclassify train' on this machine (or changed since); pass --trust-model only if you trust its source",
        )
    return digest


def card_problem(card: Path, data: bytes, model_sha256: str, shipped: bool, trust: bool) -> str | None:
    """Why the card ``data`` (the content of ``card``) is not the one recorded with its model, or None."""
    if trust:
        return None
    digest = sha256_bytes(data)
    if shipped:
        expected = shipped_hashes().get(card.name)
        known = {expected} if expected else set()
    else:
        known = {r.get("card_sha256") for r in _trusted_records() if r["sha256"] == model_sha256}
    if digest in known:
        return None
    if not known or known == {None}:
        return "no hash was recorded for this model card (retrain the model to record one)"
    return "the model card does not match the SHA-256 recorded with its model; it may have been altered"
