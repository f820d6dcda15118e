"""Annotate: show the clauses the model is least sure of, record the user's labels.

Answers are appended to the annotations file one whole line at a time, under a
file lock and with fsync, so Ctrl-C, a crash or a second session never loses or
interleaves an answer.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TextIO

from .batch import find_documents
from .classify import ClauseClassifier
from .corpus import text_key
from .errors import DataError, InputError
from .documents import ReadOptions, read_document
from .files import append_locked, rewrite_locked, sha256_file
from .progress import Progress
from .scan import ClauseResult, classify_document

KEYS = {
    "f": "full_ban",
    "r": "realtime_ban",
    "m": "moratorium",
    "c": "consent_requirement",
    "o": "oversight_policy",
    "n": "none",
}
HELP = (
    "keys: "
    + ", ".join(f"{k} {label}" for k, label in KEYS.items())
    + ", a accept the model's guess, s skip, u undo the last answer, ? help, q quit"
)


@dataclass
class Candidate:
    clause: ClauseResult
    sha256: str
    before: str
    after: str

    @property
    def margin(self) -> float:
        top = sorted(self.clause.probabilities.values(), reverse=True)
        return top[0] - (top[1] if len(top) > 1 else 0.0)


def documents_of(inputs: Iterable[Path]) -> list[Path]:
    """The documents to draw clauses from; ``InputError`` for a missing path or a folder without any."""
    documents: list[Path] = []
    for path in inputs:
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            found = find_documents(path).documents
            if not found:
                raise InputError(path, "no documents to annotate in this folder (.pdf, .txt, .md, .html)")
            documents.extend(found)
        else:
            documents.append(path)
    return documents


def candidates(
    inputs: Iterable[Path],
    classifier: ClauseClassifier,
    done: set[str],
    warn: Callable[[str], None],
    options: ReadOptions | None = None,
    progress: Progress | None = None,
) -> list[Candidate]:
    """Clauses not yet annotated, the most uncertain first (smallest top-two margin).

    Every document is read and labelled first; ``progress`` counts them."""
    progress = progress or Progress()
    found: list[Candidate] = []
    seen: set[str] = set(done)
    documents = documents_of(inputs)
    progress.stage(f"reading {len(documents)} document(s)", len(documents))
    for path in documents:
        progress.advance(0, description=f"reading {path}")
        try:
            result = classify_document(read_document(path, options), classifier, str(path))
        except DataError:
            raise
        except Exception as exc:  # one unreadable file must not end the session
            warn(f"{path}: {getattr(exc, 'problem', exc)} (skipped)")
            progress.advance()
            continue
        for warning in result.warnings:
            warn(f"{path}: {warning}")
        progress.advance()
        digest = sha256_file(path)
        clauses = result.clauses
        for i, clause in enumerate(clauses):
            key = text_key(clause.text)
            if key in seen:
                continue
            seen.add(key)
            before = clauses[i - 1].text if i > 0 else ""
            after = clauses[i + 1].text if i + 1 < len(clauses) else ""
            found.append(Candidate(clause, digest, before, after))
    found.sort(key=lambda c: (c.margin, c.clause.file, c.clause.start))
    return found


def record(candidate: Candidate, label: str) -> dict:
    clause = candidate.clause
    return {
        "text": clause.text,
        "label": label,
        "source": f"annotate:{candidate.sha256[:16]}",
        "style": "user-annotation",
        "file": clause.file,
        "sha256": candidate.sha256,
        "page": clause.page,
        "start": clause.start,
        "section": clause.section,
        "model_label": clause.label,
        "model_probabilities": {k: round(v, 4) for k, v in sorted(clause.probabilities.items())},
        "annotated_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
    }


def show(candidate: Candidate, number: int, total: int, out: TextIO) -> None:
    """The clause with its surroundings and the model's two best guesses (coloured on a terminal)."""
    from .terminal import paint, use_colour

    clause = candidate.clause
    out.write(f"\n[{number}/{total}] {clause.file}, page {clause.page}, section {clause.section or '-'}\n")
    if candidate.before:
        out.write(f"  before: {candidate.before[:200]}\n")
    out.write(f"  >>> {clause.text}\n")
    if candidate.after:
        out.write(f"  after:  {candidate.after[:200]}\n")
    ranked = sorted(clause.probabilities.items(), key=lambda kv: -kv[1])[:2]
    colour = use_colour(out)
    guesses = ", ".join(f"{paint(label, label) if colour else label} {p:.2f}" for label, p in ranked)
    out.write(f"  model: {guesses}\n")
    out.write("  [f]ull_ban [r]ealtime_ban [m]oratorium [c]onsent [o]versight [n]one  [a]ccept [s]kip [u]ndo [?] [q]uit > ")
    out.flush()


def read_key(stream: TextIO) -> str | None:
    """One key: a single keypress on a terminal, else the first character of a line."""
    if stream.isatty():
        import termios
        import tty

        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            key = stream.read(1)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if key == "\x03":
            raise KeyboardInterrupt
        return key
    line = stream.readline()
    if not line:
        return None  # end of input: stop like 'q'
    return line.strip()[:1].lower() or ""


@dataclass
class SessionReport:
    answered: int = 0
    skipped: int = 0
    undone: int = 0
    remaining: int = 0


def annotate(
    queue: list[Candidate],
    target: Path,
    keys_in: TextIO | None = None,
    out: TextIO | None = None,
    limit: int | None = None,
) -> SessionReport:
    # Looked up at call time: the streams may have been replaced since import.
    keys_in = keys_in or sys.stdin
    out = out or sys.stderr
    report = SessionReport()
    history: list[tuple[int, dict]] = []  # (queue index, record) of this session's answers
    index = 0
    shown = 0
    total = len(queue) if limit is None else min(limit, len(queue))
    while index < len(queue) and (limit is None or shown < limit):
        candidate = queue[index]
        show(candidate, shown + 1, total, out)
        key = read_key(keys_in)
        out.write((key or "") + "\n")
        if key is None or key == "q":
            break
        if key == "?":
            out.write(HELP + "\n")
            continue
        if key == "s":
            report.skipped += 1
            index += 1
            shown += 1
            continue
        if key == "u":
            if not history:
                out.write("nothing to undo\n")
                continue
            previous_index, previous = history.pop()
            _remove_answer(target, previous)
            report.answered -= 1
            report.undone += 1
            shown -= 1
            index = previous_index
            out.write(f"undone: {previous['label']} for the clause on page {previous['page']}\n")
            continue
        label = candidate.clause.label if key == "a" else KEYS.get(key)
        if label is None:
            out.write(f"unknown key {key!r}; {HELP}\n")
            continue
        answer = record(candidate, label)
        append_locked(target, [json.dumps(answer, ensure_ascii=False)])
        history.append((index, answer))
        report.answered += 1
        out.write(f"saved: {label} for page {answer['page']}, section {answer['section'] or '-'} in {target} ({report.answered} this session)\n")
        index += 1
        shown += 1
    report.remaining = len(queue) - index
    return report


def _remove_answer(target: Path, answer: dict) -> None:
    wanted = json.dumps(answer, ensure_ascii=False)

    def without_last_copy(lines: list[str]) -> list[str]:
        for i in range(len(lines) - 1, -1, -1):
            if lines[i] == wanted:
                return lines[:i] + lines[i + 1:]
        return lines

    rewrite_locked(target, without_last_copy)
