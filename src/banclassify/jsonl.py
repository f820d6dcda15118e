"""The one JSONL reader: one JSON object per line.

Policy, the same for every file banclassify reads: blank lines are skipped; a
line that is not JSON, or is JSON but not an object, is a bad line. The caller
chooses what a bad line does:

- ``strict=True`` (inputs the user hands over whole: clauses to classify,
  attribute test sets): the first bad line stops the read with an error naming
  ``file:line`` and the problem;
- ``strict=False`` (files with many records where one bad line should not lose
  the rest: training data, imports; and files appended line by line, whose
  last line a crash may have cut: batch journals and results, the trust file,
  annotations): the line is skipped and ``file:line: problem`` is added to the
  returned list of problems, which the caller reports or, for a line cut by a
  crash, deliberately drops.

What a good record must hold (a ``text``, a ``label``) is the caller's rule.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import BanclassifyError, InputError


def json_object(line: str) -> dict:
    """One line as a JSON object; ``ValueError`` with the problem ("not JSON (...)", "not a JSON object")."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    return record


def parse_jsonl(
    content: str, name: str, *, strict: bool, error: type[BanclassifyError] = InputError, first_line: int = 1,
) -> tuple[list[tuple[int, dict]], list[str]]:
    """The (line number, object) pairs of ``content`` and the problems of its skipped lines.

    ``name`` is how lines are named in messages (``name:line``; ``content`` starts at
    line ``first_line`` of the file, for a file read in chunks). With ``strict``
    the first bad line raises ``error`` and the problem list is always empty.
    """
    records: list[tuple[int, dict]] = []
    problems: list[str] = []
    # Split at newlines only: str.splitlines() also splits at U+2028 and other separators,
    # which json.dumps(ensure_ascii=False) leaves raw inside a string.
    for number, line in enumerate(content.removesuffix("\n").split("\n"), start=first_line):
        if not line.strip():
            continue
        try:
            records.append((number, json_object(line)))
        except ValueError as exc:
            if strict:
                raise error(f"{name}:{number}", str(exc)) from None
            problems.append(f"{name}:{number}: {exc}")
    return records, problems


def read_jsonl(
    path: str | Path, *, strict: bool, error: type[BanclassifyError] = InputError, missing_ok: bool = False,
) -> tuple[list[tuple[int, dict]], list[str]]:
    """``parse_jsonl`` of a UTF-8 file (a byte-order mark is allowed).

    A missing file is an ``error`` unless ``missing_ok``, when it has no records.
    A file that cannot be read or decoded is an ``error`` naming it.
    """
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if missing_ok:
            return [], []
        raise error(path, "no such file") from None
    except IsADirectoryError:
        raise error(path, "cannot be read (is a directory)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    return parse_jsonl(content, str(path), strict=strict, error=error)
