"""Reading clause texts for ``classify``: plain lines or JSONL objects with a ``text`` field."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from .errors import InputError
from .jsonl import json_object
from .documents.text import decode_text


def read_clause_records(path: Path | None, stream: TextIO | None = None) -> list[dict]:
    """One record per non-empty line; a line starting with ``{`` must be a JSON object with ``text``."""
    name = str(path) if path is not None else "<stdin>"
    if path is not None:
        if not path.exists():
            raise InputError(path, "no such file")
        if path.is_dir():
            raise InputError(path, "is a directory, not a file of clauses")
        content = decode_text(path, path.read_bytes())
    else:
        content = stream.read() if stream is not None else ""
    records = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                record = json_object(line)
            except ValueError as exc:
                raise InputError(f"{name}:{number}", str(exc)) from None
            if not isinstance(record.get("text"), str) or not record["text"].strip():
                raise InputError(f"{name}:{number}", "JSON object has no 'text' field")
            records.append(record)
        else:
            records.append({"text": line.strip()})
    if not records:
        raise InputError(name, "no clauses to classify (empty input)")
    return records
