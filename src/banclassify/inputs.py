"""What the commands are given to read: clause texts for ``classify`` (plain lines or JSONL
objects with a ``text`` field), and documents named on the command line (quoted globs are
expanded here, ``-`` is one document on standard input)."""

from __future__ import annotations

import glob
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence, TextIO

from .errors import InputError
from .jsonl import json_object
from .limits import clause_too_long
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
        check_clause(records[-1]["text"], f"{name}:{number}")
    if not records:
        raise InputError(name, "no clauses to classify (empty input)")
    return records


def check_clause(text: str, where: str) -> None:
    """Refuse a clause the model cannot read (``InputError`` naming ``where``)."""
    problem = clause_too_long(text)
    if problem:
        raise InputError(where, problem)


STDIN = "-"
STDIN_NAME = "<stdin>"


def expand_documents(arguments: Sequence[str | Path]) -> list[Path]:
    """The documents named by ``arguments`` in order: a pattern with ``*``, ``?`` or ``[`` that
    is not itself a file is expanded (``**`` across folders), sorted; ``-`` stays (standard input).

    A pattern that matches nothing is an ``InputError``, as a file that does not exist is later.
    """
    documents: list[Path] = []
    for argument in arguments:
        text = str(argument)
        if text != STDIN and not Path(text).exists() and glob.has_magic(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True) if Path(m).is_file())
            if not matches:
                raise InputError(text, "no file matches this pattern")
            documents.extend(matches)
        else:
            documents.append(Path(text))
    return documents


def _stdin_suffix(head: bytes) -> str:
    """The kind of a document without a name, from its first bytes."""
    if head.lstrip().startswith(b"%PDF-"):
        return ".pdf"
    lowered = head.lstrip()[:1024].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        return ".html"
    return ".txt"


@contextmanager
def stdin_document(stream: BinaryIO, max_mb: float | None = None) -> Iterator[Path]:
    """The document on ``stream`` as a temporary file (PDF, HTML or text, told by its content),
    removed afterwards. Reads at most ``max_mb`` megabytes: more is an ``InputError``."""
    limit = None if max_mb is None else int(max_mb * 1e6)
    data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise InputError(STDIN_NAME, f"too large (over the limit of --max-mb {max_mb:g})")
    if not data.strip():
        raise InputError(STDIN_NAME, "empty input: nothing on standard input")
    with tempfile.TemporaryDirectory(prefix="banclassify-stdin-") as folder:
        path = Path(folder) / f"stdin{_stdin_suffix(data[:4096])}"
        path.write_bytes(data)
        yield path
