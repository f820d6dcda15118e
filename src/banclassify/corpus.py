"""Labelled clauses: reading, validating and splitting the JSONL corpus."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import DataError
from .files import sha256_file
from .jsonl import parse_jsonl, read_jsonl
from .labels import LABELS_BY_STRENGTH, is_label
from .limits import clause_too_long

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "labeled"


@dataclass
class Example:
    text: str
    label: str
    group: str  # the source document: cross-validation never splits one
    file: str
    line: int
    record: dict = field(repr=False, default_factory=dict)


@dataclass
class Corpus:
    examples: list[Example]
    files: list[Path]
    duplicates_dropped: int = 0

    @property
    def texts(self) -> list[str]:
        return [e.text for e in self.examples]

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self.examples]

    @property
    def groups(self) -> list[str]:
        return [e.group for e in self.examples]

    def clauses_per_file(self) -> dict[Path, int]:
        """How many clauses each file gave, after duplicates were dropped (0 for a file of duplicates only)."""
        counts = {path: 0 for path in self.files}
        by_name = {str(path): path for path in self.files}
        for example in self.examples:
            counts[by_name[example.file]] += 1
        return counts

    @property
    def user_examples(self) -> int:
        """Clauses from the user's files rather than the shipped corpus."""
        return sum(count for path, count in self.clauses_per_file().items() if not is_shipped(path))

    @property
    def headings(self) -> list[str]:
        """The optional ``heading`` field: the chain of headings above the clause ("" when absent)."""
        return [str(e.record.get("heading") or "") for e in self.examples]

    @property
    def titles(self) -> list[str]:
        """The optional ``title`` field: the title of the clause's document ("" when absent)."""
        return [str(e.record.get("title") or "") for e in self.examples]

    @property
    def training_targets(self) -> list[str]:
        """Labels with ``none`` split by kind: "none:other_subject" for clauses on other subjects."""
        return [
            f"none:{e.record['none_kind']}" if e.label == "none" and e.record.get("none_kind") == "other_subject" else e.label
            for e in self.examples
        ]


def is_test_file(path: Path) -> bool:
    return path.name.startswith("test")


def jsonl_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their ``*.jsonl`` files, sorted; keep files as given."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.jsonl") if not p.name.startswith(".")))
        elif path.exists():
            files.append(path)
        else:
            raise DataError(path, "no such file or folder")
    return files


def training_files(data_dir: Path | None = None) -> list[Path]:
    """The training files of the shipped corpus (or of ``data_dir``)."""
    return [p for p in jsonl_files([data_dir or DEFAULT_DATA_DIR]) if not is_test_file(p)]


def test_files(data_dir: Path | None = None) -> list[Path]:
    """The held-out test split of the shipped corpus (or of ``data_dir``)."""
    return [p for p in jsonl_files([data_dir or DEFAULT_DATA_DIR]) if is_test_file(p)]


def is_shipped(path: str | Path) -> bool:
    """Whether a data file belongs to the shipped corpus; every other file is the user's."""
    return Path(path).resolve().is_relative_to(DEFAULT_DATA_DIR.resolve())


def load_corpus(files: Iterable[Path]) -> Corpus:
    """Read and validate labelled JSONL; report every problem at once as a ``DataError``.

    Exact duplicates (same text, same label) are dropped and counted; the same text
    with two labels is an error that names both places.
    """
    files = list(files)
    problems: list[str] = []
    examples: list[Example] = []
    seen: dict[str, Example] = {}
    dropped = 0
    for path in files:
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read ({exc})")
            continue
        records, bad_lines = parse_jsonl(content, str(path), strict=False, error=DataError)
        problems.extend(bad_lines)
        for number, record in records:
            where = f"{path}:{number}"
            text = record.get("text")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{where}: missing or empty 'text'")
                continue
            if clause_too_long(text):
                problems.append(f"{where}: {clause_too_long(text)}")
                continue
            label = record.get("label")
            if not is_label(label):
                problems.append(f"{where}: unknown label {label!r} (expected one of {', '.join(LABELS_BY_STRENGTH)})")
                continue
            key = text_key(text)
            group = str(record.get("source") or f"{path.name}:{number}")
            example = Example(text, label, group, str(path), number, record)
            if key in seen:
                first = seen[key]
                if first.label == label:
                    dropped += 1
                else:
                    problems.append(
                        f"{where}: same text as {first.file}:{first.line} but labelled {label!r} there {first.label!r}"
                    )
                continue
            seen[key] = example
            examples.append(example)
    if problems:
        raise DataError(None, f"{len(problems)} problem(s) in the labelled data:\n" + "\n".join(problems))
    if not examples:
        raise DataError(None, "no labelled clauses found in " + ", ".join(map(str, files)) if files else "no data files given")
    return Corpus(reading_order(examples), files, dropped)


def reading_order(examples: list[Example]) -> list[Example]:
    """Each source's clauses together and in reading order, for the context the model reads.

    That is file order, or (page, start) when every clause of the source records
    both: annotations are appended in the order they were answered, not read.
    """
    by_source: dict[str, list[Example]] = {}
    for example in examples:
        by_source.setdefault(example.group, []).append(example)
    ordered: list[Example] = []
    for members in by_source.values():
        if all(isinstance(m.record.get("page"), int) and isinstance(m.record.get("start"), int) for m in members):
            members = sorted(members, key=lambda m: (m.record["page"], m.record["start"]))
        ordered.extend(members)
    return ordered


def data_hash(files: Iterable[Path]) -> str:
    """One SHA-256 over the data files' names and contents, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(Path(f) for f in files):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()



def word_trigrams(text: str) -> set[tuple[str, ...]]:
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()
    return {tuple(words[i: i + 3]) for i in range(len(words) - 2)}


def near_duplicate_pairs(left: list[str], right: list[str], threshold: float = 0.8) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) of ``left[i]`` and ``right[j]`` sharing more than ``threshold`` of their word trigrams.

    An inverted index over trigrams keeps this near-linear for a corpus of thousands.
    """
    from collections import defaultdict

    right_grams = [word_trigrams(t) for t in right]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, grams in enumerate(right_grams):
        for gram in grams:
            index[gram].append(j)
    pairs = []
    for i, text in enumerate(left):
        grams = word_trigrams(text)
        shared: dict[int, int] = defaultdict(int)
        for gram in grams:
            for j in index.get(gram, ()):
                shared[j] += 1
        for j, count in shared.items():
            jaccard = count / len(grams | right_grams[j])
            if jaccard > threshold:
                pairs.append((i, j, round(jaccard, 3)))
    return pairs


def text_key(text: str) -> str:
    """A clause text as compared for duplicates: whitespace collapsed, lower case."""
    return " ".join(text.split()).lower()


def annotated_texts(path: Path) -> set[str]:
    """The ``text_key`` of every clause already in a labelled file (none when it does not exist)."""
    # A line cut by a crash is skipped: its clause is simply shown again.
    records, _ = read_jsonl(path, strict=False, missing_ok=True)
    return {text_key(record["text"]) for _, record in records if isinstance(record.get("text"), str)}
