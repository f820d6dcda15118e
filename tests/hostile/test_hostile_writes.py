"""Nothing a user wrote is half-written: whole-record appends, torn tails, full disks, and a crash suite."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import banclassify.files as files
from banclassify.cli import app
from hostile import EXE, RULE, read_rows, read_summary

runner = CliRunner()


def corrections_export(path: Path, count: int) -> set[str]:
    """A banclassify JSONL whose every label the user changed: ``count`` corrections."""
    texts = set()
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(count):
            text = f"Clause {n}: the Board shall review contract {n * 7919 % 100003} for the harbour lights."
            texts.add(text)
            probabilities = {f"p_{label}": 0.0 for label in ("full_ban", "realtime_ban", "moratorium", "consent_requirement", "oversight_policy")}
            handle.write(json.dumps({"text": text, "label": "none", **probabilities, "p_oversight_policy": 1.0}) + "\n")
    return texts


def assert_whole_lines(path: Path) -> list[dict]:
    """Every line of ``path`` is a whole JSON record and the file ends in a newline."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    data = path.read_bytes()
    assert data.endswith(b"\n"), f"{path} ends in half a line: {data[-80:]!r}"
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def test_a_torn_last_line_is_repaired_with_a_warning_before_the_next_append(tmp_path):
    source, target = tmp_path / "edited.jsonl", tmp_path / "corrections.jsonl"
    texts = corrections_export(source, 3)
    target.write_text(json.dumps({"text": "kept", "label": "none"}) + "\n" + '{"text": "cut off by a kill", "lab')
    result = runner.invoke(app, ["import", str(source), "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert f"banclassify: warning: {target}: its last line was cut off (34 bytes" in result.stderr
    records = assert_whole_lines(target)
    assert [r["text"] for r in records] == ["kept", *sorted(texts, key=lambda t: int(t.split(":")[0].split()[1]))]


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EFBIG, errno.EDQUOT])
def test_a_write_that_fails_half_way_is_cut_back_and_named_in_one_line(tmp_path, monkeypatch, error):
    source, target = tmp_path / "edited.jsonl", tmp_path / "corrections.jsonl"
    corrections_export(source, 50)
    before = json.dumps({"text": "an earlier answer", "label": "none"}) + "\n"
    target.write_text(before)
    real_write = os.write

    def half_then_fail(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(files.os, "write", half_then_fail)
    result = runner.invoke(app, ["import", str(source), "--to", str(target)])
    assert result.exit_code == 8
    reason = {errno.ENOSPC: "the disk is full", errno.EFBIG: "the file is larger than this process may write (ulimit -f)",
              errno.EDQUOT: "the disk quota is exhausted"}[error]
    assert result.stderr.strip() == f"banclassify: error: {target}: cannot write: {reason}"
    assert target.read_text() == before


def test_a_real_file_size_limit_gives_one_line(tmp_path):
    # ulimit -f in a child: Python ignores SIGXFSZ, so the write fails with EFBIG.
    source, target = tmp_path / "edited.jsonl", tmp_path / "corrections.jsonl"
    corrections_export(source, 200)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192));"
    code = limit + "from banclassify.cli import main; import sys; sys.argv = ['banclassify', 'import', sys.argv[1], '--to', sys.argv[2]]; main()"
    result = subprocess.run([str(EXE.with_name("python")), "-c", code, str(source), str(target)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 8, result.stderr
    assert result.stderr.strip() == f"banclassify: error: {target}: cannot write: the file is larger than this process may write (ulimit -f)"
    assert not target.exists() or target.stat().st_size == 0


# The crash suite: each command is killed at seeded random moments, then run to the end;
# every file it writes must end in a whole line, with nothing lost and nothing twice.
TRIALS = 2


def kill_at_random(command: list[str], seconds: float, stdin: str | None = None) -> None:
    process = subprocess.Popen(command, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, text=True)
    if stdin is not None:
        try:
            process.stdin.write(stdin)
            process.stdin.flush()
        except BrokenPipeError:
            pass
    time.sleep(seconds)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def test_crash_suite_import(tmp_path):
    rng = random.Random(19)
    source, target = tmp_path / "edited.jsonl", tmp_path / "corrections.jsonl"
    texts = corrections_export(source, 20000)
    for _ in range(TRIALS):
        kill_at_random([str(EXE), "import", str(source), "--to", str(target)], rng.uniform(0.5, 4.0))
        assert_whole_lines(target)
    finished = subprocess.run([str(EXE), "import", str(source), "--to", str(target)], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    records = assert_whole_lines(target)
    assert sorted(r["text"] for r in records) == sorted(texts)


def test_crash_suite_annotate(tmp_path):
    rng = random.Random(1919)
    document = tmp_path / "ordinance.txt"
    sentences = [f"Section {n}. The clerk shall file report {n} on the harbour lights by June {n % 28 + 1}." for n in range(40)]
    document.write_text(RULE + "\n\n" + "\n\n".join(sentences) + "\n")
    target = tmp_path / "annotations.jsonl"
    command = [str(EXE), "annotate", str(document), "--to", str(target)]
    for _ in range(TRIALS):
        kill_at_random(command, rng.uniform(1.0, 5.0), stdin="n\n" * 60)
        records = assert_whole_lines(target)
        assert len({r["text"] for r in records}) == len(records)
    finished = subprocess.run(command, input="n\n" * 60, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    records = assert_whole_lines(target)
    texts = [r["text"] for r in records]
    assert len(texts) == len(set(texts)) == 41


def test_crash_suite_batch(tmp_path):
    rng = random.Random(191919)
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(30):
        (docs / f"resolution_{n:02d}.txt").write_text(f"Resolution {n}.\n\n{RULE}\n\nThe clerk shall file report {n}.\n")
    reference = tmp_path / "reference"
    subprocess.run([str(EXE), "batch", str(docs), "--out", str(reference / "c.jsonl"), "--summary", str(reference / "d.csv"), "--quiet", "--no-cache"], timeout=120)
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    command = [str(EXE), "batch", str(docs), "--out", str(out), "--summary", str(summary), "--quiet", "--no-cache", "--jobs", "1", "--resume"]
    for _ in range(TRIALS):
        kill_at_random(command, rng.uniform(1.0, 5.0))
        assert_whole_lines(out)
        assert_whole_lines(tmp_path / ".d.csv.journal.jsonl")
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    key = lambda r: (r["file"], r["start"])  # noqa: E731
    rows = assert_whole_lines(out)
    assert len(rows) == len({key(r) for r in rows})
    assert sorted(map(key, rows)) == sorted(map(key, read_rows(reference / "c.jsonl")))
    assert sorted(read_summary(summary)) == sorted(read_summary(reference / "d.csv"))


def test_crash_suite_train(tmp_path):
    rng = random.Random(19191919)
    data = tmp_path / "train.jsonl"
    labels = ["full_ban", "none", "oversight_policy"]
    with open(data, "w") as handle:
        for n in range(60):
            handle.write(json.dumps({"text": f"Clause {n} of source {n % 6}: rule {labels[n % 3]} number {n}.", "label": labels[n % 3], "source": f"s{n % 6}"}) + "\n")
    model = tmp_path / "models" / "mine.joblib"
    trust = Path(os.environ["BANCLASSIFY_DATA_DIR"]) / "trusted_models.jsonl"
    command = [str(EXE), "train", "--data", str(data), "--out", str(model), "--fast", "--jobs", "1"]
    for _ in range(TRIALS):
        kill_at_random(command, rng.uniform(1.0, 6.0))
        assert_whole_lines(trust)
        if model.exists():  # only ever a whole model, with its card
            assert model.with_suffix(".card.json").exists()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert finished.returncode == 0, finished.stderr
    assert assert_whole_lines(trust)
    info = subprocess.run([str(EXE), "info", "--model", str(model)], capture_output=True, text=True, timeout=120)
    assert info.returncode == 0 and "labels: full_ban, none, oversight_policy" in info.stdout, info.stderr
