"""Progress of long commands: drawn on a terminal's stderr, silent when stderr is piped;
the counted fits give the same answers as scikit-learn's own cross-validation."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from banclassify.corpus import DEFAULT_DATA_DIR, load_corpus
from banclassify.progress import Progress
from conftest import SAMPLE_PDF

SMALL_CORPUS = DEFAULT_DATA_DIR / "west.jsonl"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def small_corpus(tmp_path: Path, per_source: int = 6, sources: int = 10) -> Path:
    """A few clauses of each of the first sources of west.jsonl: quick to train on, still grouped."""
    kept, counts = [], {}
    for line in SMALL_CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if len(counts) >= sources and row["source"] not in counts:
            continue
        if counts.setdefault(row["source"], 0) < per_source:
            counts[row["source"]] += 1
            kept.append(line)
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def banclassify(*args: str, terminal: bool, input: str | None = None, raw: bool = False, **env: str) -> tuple[int, str]:
    """Run the console script with stderr on a pseudo-terminal (``terminal``) or a pipe; its
    stderr text, without the terminal's escape codes unless ``raw``."""
    command = [sys.executable, "-c", "from banclassify.cli import main; main()", *args]
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm", **env}
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, input=input)
        return done.returncode, done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=follower, env=env, text=True)
    os.close(follower)
    if input is not None:
        process.stdin.write(input)
        process.stdin.close()
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    process.stdout.read()
    code = process.wait(timeout=300)
    os.close(leader)
    text = b"".join(chunks).decode("utf-8", "replace")
    return code, text if raw else ANSI.sub("", text)


def test_train_shows_normalising_and_the_folds_on_a_terminal_and_nothing_of_it_when_piped(tmp_path):
    data = small_corpus(tmp_path)
    code, shown = banclassify("train", "--data", str(data), "--out", str(tmp_path / "t.joblib"), "--fast", "-j", "1", terminal=True)
    assert code == 0, shown
    assert "normalising 60 clauses" in shown
    assert "cross-validation: 5 folds" in shown and "5/5" in shown
    code, piped = banclassify("train", "--data", str(data), "--out", str(tmp_path / "p.joblib"), "--fast", "-j", "1", terminal=False)
    assert code == 0, piped
    assert "folds" not in piped and "\r" not in piped and "\x1b" not in piped
    assert "grouped 5-fold CV: macro-F1" in piped  # the notes stay: they are the log


def test_annotate_counts_the_documents_it_reads_before_the_first_question(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Section 1. No department shall use face recognition technology.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Section 2. The Council shall hold a public hearing before any drone is bought.\n", encoding="utf-8")
    code, shown = banclassify("annotate", str(folder), "--to", str(tmp_path / "a.jsonl"), terminal=True, input="q\n")
    assert code == 0, shown
    assert "reading 2 document(s)" in shown and "2/2" in shown
    code, piped = banclassify("annotate", str(folder), "--to", str(tmp_path / "a.jsonl"), terminal=False, input="q\n")
    assert "reading 2 document(s)" not in piped and "\x1b" not in piped


def test_annotate_colours_the_model_guess_on_a_terminal_only(tmp_path):
    args = ("annotate", str(SAMPLE_PDF), "--to", str(tmp_path / "a.jsonl"), "--limit", "1")
    code, shown = banclassify(*args, terminal=True, input="q\n", raw=True)
    assert code == 0, shown
    guess = next(line for line in shown.splitlines() if "model:" in line)
    assert "\x1b[1;3" in guess  # bold, one of the standard colours
    _, plain = banclassify(*args, terminal=True, input="q\n", raw=True, NO_COLOR="1")
    assert "\x1b[1;3" not in next(line for line in plain.splitlines() if "model:" in line)
    _, piped = banclassify(*args, terminal=False, input="q\n")
    assert "model:" in piped and "\x1b" not in piped


class Counted(Progress):
    """A Progress that keeps what it was told, to check the counts the library reports."""

    def __init__(self):
        super().__init__()
        self.stages, self.steps = [], 0

    def stage(self, description, total=None):
        self.stages.append((description, total))

    def advance(self, steps=1, description=None):
        self.steps += steps


@pytest.fixture(scope="module")
def normalised_small(tmp_path_factory):
    from banclassify.classify import build_pipeline
    from banclassify.normalise import clause_input

    corpus = load_corpus([small_corpus(tmp_path_factory.mktemp("small"))])
    pipeline = build_pipeline()
    return pipeline[1:], pipeline.named_steps["normalise"].transform(clause_input(corpus.texts, corpus.groups)), corpus


def test_counted_folds_predict_what_cross_val_predict_predicts(normalised_small):
    from sklearn.model_selection import GroupKFold, cross_val_predict

    from banclassify.crossval import fold_predictions

    downstream, X, corpus = normalised_small
    counted = Counted()
    ours = fold_predictions(downstream, X, corpus.training_targets, corpus.groups, 3, 1, counted)
    theirs = cross_val_predict(downstream, X, corpus.training_targets, groups=corpus.groups, cv=GroupKFold(3))
    assert ours == list(theirs)
    assert counted.stages == [("cross-validation: 3 folds", 3)] and counted.steps == 3


def test_counted_grid_search_chooses_what_grid_search_cv_chooses(normalised_small):
    from sklearn.model_selection import GridSearchCV, GroupKFold

    from banclassify.crossval import grid_search

    grid = {"model__estimator__estimator__C": [0.1, 30.0]}
    downstream, X, corpus = normalised_small
    counted = Counted()
    ours = grid_search(downstream, grid, X, corpus.training_targets, corpus.groups, 2, 1, counted)
    search = GridSearchCV(downstream, grid, cv=GroupKFold(n_splits=2)).fit(X, corpus.training_targets, groups=corpus.groups)
    assert ours == search.best_params_
    assert counted.stages == [("hyper-parameter search: 2 grid points x 2 folds", 4)] and counted.steps == 4
