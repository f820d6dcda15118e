"""Files banclassify replaces atomically: their permissions, and the temporary files of killed writers."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from banclassify.files import ORPHAN_AGE_S, atomic_path, remove_orphans, write_text_atomic
from conftest import ROOT, SAMPLE_PDF

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """umask(value): set the process umask for this test; the old one is put back afterwards."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda value: os.umask(value)
    os.umask(old)


@pytest.fixture
def tiny_corpus(tmp_path):
    """80 clauses of the shipped corpus (seven sources, every label): trains in seconds."""
    lines = (ROOT / "data" / "labeled" / "west.jsonl").read_text(encoding="utf-8").splitlines()[:80]
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_scan_output_and_batch_summary_get_the_umask_mode(tmp_path, umask, mask):
    umask(mask)
    expected = 0o666 & ~mask
    out = tmp_path / "rows.json"
    assert run("scan", SAMPLE_PDF, "-f", "json", "-o", out).exit_code == 0
    assert mode(out) == expected

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "resolution.txt").write_text("No department shall use face recognition technology.\n")
    summary, clauses = tmp_path / "documents.csv", tmp_path / "clauses.csv"
    result = run("batch", folder, "--out", clauses, "--summary", summary, "--jobs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    assert mode(summary) == expected and mode(clauses) == expected


def test_trained_model_and_card_get_the_umask_mode(tmp_path, umask, tiny_corpus):
    umask(0o022)
    model = tmp_path / "mine.joblib"
    result = run("train", "--data", tiny_corpus, "--out", model, "--fast")
    assert result.exit_code == 0, result.output
    for written in (model, model.with_suffix(".card.json"), model.with_suffix(".card.md")):
        assert mode(written) == 0o644, written


def test_annotations_keep_their_mode_after_an_undo(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "answers.jsonl"
    result = run("annotate", SAMPLE_PDF, "--to", target, input="n\nn\nu\nq\n")
    assert result.exit_code == 0, result.output
    assert "1 undone" in result.stderr and len(target.read_text().splitlines()) == 1
    assert mode(target) == 0o644


def test_a_replaced_file_keeps_the_permissions_its_owner_gave_it(tmp_path, umask):
    umask(0o022)
    private = tmp_path / "private.csv"
    private.write_text("old\n")
    private.chmod(0o600)
    shared = tmp_path / "shared.csv"
    shared.write_text("old\n")
    shared.chmod(0o664)  # wider than the umask allows for new files
    for path in (private, shared):
        write_text_atomic(path, "new\n")
        assert path.read_text() == "new\n"
    assert (mode(private), mode(shared)) == (0o600, 0o664)


# The temporary file of a writer that is still at work (holds it open, locked) or
# that was killed in the middle of writing (SIGKILL: no clean-up code runs).
WRITER = (
    "import os, signal, sys, time\n"
    "from banclassify.files import atomic_path\n"
    "with atomic_path(sys.argv[1]) as tmp:\n"
    "    tmp.write_bytes(b'half a model')\n"
    "    print(tmp, flush=True)\n"
    "    if sys.argv[2] == 'die':\n"
    "        os.kill(os.getpid(), signal.SIGKILL)\n"
    "    sys.stdin.readline()\n"
)


def start_writer(target: Path, how: str) -> tuple[subprocess.Popen, Path]:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), how], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    tmp = Path(writer.stdout.readline().strip())
    assert tmp.exists() and tmp.parent == target.parent
    return writer, tmp


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_train_removes_the_partial_model_of_a_killed_train_and_spares_a_live_one(tmp_path, tiny_corpus):
    model = tmp_path / "mine.joblib"
    killed, orphan = start_writer(model, "die")
    assert killed.wait(timeout=60) == -9 and orphan.exists()
    live, in_use = start_writer(model, "wait")
    try:
        age(orphan, ORPHAN_AGE_S + 1)
        age(in_use, ORPHAN_AGE_S + 1)
        result = run("train", "--data", tiny_corpus, "--out", model, "--fast")
        assert result.exit_code == 0, result.output
        assert not orphan.exists()
        assert in_use.exists()  # its writer still holds the lock
    finally:
        live.communicate("\n", timeout=60)
    assert live.returncode == 0
    # The live writer finished normally: its file replaced the model and no temporary file is left.
    assert model.read_bytes() == b"half a model"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_fresh_unlocked_temporary_file_is_left_alone(tmp_path):
    # Between creating its temporary file and locking it, a writer holds no lock:
    # a file that young is not taken for an orphan.
    target = tmp_path / "documents.csv"
    fresh = tmp_path / ".documents.csv.0a1b2c3d.tmp"
    fresh.write_text("being written")
    other = tmp_path / ".clauses.csv.0a1b2c3d.tmp"  # another target's: not ours to judge
    other.write_text("x")
    age(other, ORPHAN_AGE_S + 1)
    assert remove_orphans(target) == []
    age(fresh, ORPHAN_AGE_S + 1)
    assert remove_orphans(target) == [fresh]
    assert other.exists()


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("disk on fire")
    assert list(tmp_path.iterdir()) == []
