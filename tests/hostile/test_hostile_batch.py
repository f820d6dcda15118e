"""One input never kills a batch: dead workers, odd names, unreadable files, resume, two writers."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from banclassify.errors import OutputError
from banclassify.files import exclusive_lock
from hostile import EXE, RULE, hooked, one_line_error, read_rows, read_summary, run

runner = CliRunner()


def folder_of(root, documents: dict[str, str]):
    root.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_workers_killed_by_sigkill_and_sigabrt_are_failed_rows_and_resume_skips_them(tmp_path):
    docs = folder_of(tmp_path / "docs", {
        "a.txt": RULE,
        "b.txt": "Ordinance 2. KILL-ME:SIGKILL " + RULE,
        "c.txt": "Ordinance 3. KILL-ME:SIGABRT " + RULE,
        "d.txt": RULE + " Drones too.",
        "e.txt": RULE + " And plate readers.",
    })
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    args = ["batch", docs, "--out", out, "--summary", summary, "--jobs", "1", "--no-cache", "--quiet"]
    result = run(*args, env=hooked())
    stderr = one_line_error(result)
    assert result.returncode == 6, stderr
    rows = read_summary(summary)
    assert sorted(rows) == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    assert rows["b.txt"]["status"].startswith("worker died: the reader was killed (SIGKILL")
    assert rows["c.txt"]["status"].startswith("worker died: the PDF library aborted (SIGABRT)")
    # With one job, every document after a death was read by a new worker.
    assert all(rows[n]["status"] == "ok" for n in ("a.txt", "d.txt", "e.txt"))
    assert "banclassify: failed: b.txt: worker died" in stderr
    assert {r["file"] for r in read_rows(out)} == {"a.txt", "d.txt", "e.txt"}

    # Without the hooks both would now read fine: --resume skipping them proves they are recorded as killers.
    (docs / "f.txt").write_text(RULE, encoding="utf-8")
    again = run(*args, "--resume")
    stderr = one_line_error(again)
    assert again.returncode == 6, stderr
    assert "2 skipped (they killed a worker in an earlier run)" in stderr
    rows = read_summary(summary)
    assert rows["b.txt"]["status"].startswith("worker died") and rows["f.txt"]["status"] == "ok"
    fresh = run(*args)  # without --resume they are tried again
    assert fresh.returncode == 0, fresh.stderr
    assert all(row["status"] == "ok" for row in read_summary(summary).values())


def test_a_file_name_that_is_not_utf8_is_read_and_named_with_escapes(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    odd = os.path.join(os.fsencode(docs), b"caf\xe9-\xff.txt")
    with open(odd, "wb") as handle:
        handle.write(RULE.encode())
    (docs / "plain.txt").write_text(RULE)
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    result = runner.invoke(app, ["batch", str(docs), "--out", str(out), "--summary", str(summary), "--quiet", "--no-cache"])
    assert result.exit_code == 0, result.output
    rows = read_summary(summary)
    assert sorted(rows) == ["caf\\xe9-\\xff.txt", "plain.txt"]
    assert {r["file"] for r in read_rows(out)} == {"caf\\xe9-\\xff.txt", "plain.txt"}
    resumed = runner.invoke(app, ["batch", str(docs), "--out", str(out), "--summary", str(summary), "--quiet", "--resume"])
    assert "2 already done" in resumed.stderr


def test_an_unreadable_file_is_one_failed_row(tmp_path, monkeypatch):
    docs = folder_of(tmp_path / "docs", {"a.txt": RULE, "locked.txt": RULE, "z.txt": RULE})
    if os.geteuid() != 0:
        (docs / "locked.txt").chmod(0)
    else:
        # root reads through chmod 000 (and worker processes run as 'nobody' cannot be
        # started in this sandbox), so the open that fails is simulated.
        batch = importlib.import_module("banclassify.batch")  # the module; banclassify.batch is the API function
        real = batch.sha256_file

        def refused(path):
            if Path(path).name == "locked.txt":
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(batch, "sha256_file", refused)
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    result = runner.invoke(app, ["batch", str(docs), "--out", str(out), "--summary", str(summary), "--quiet", "--jobs", "1"])
    assert result.exit_code == 6, result.output
    rows = read_summary(summary)
    assert rows["locked.txt"]["status"] == "cannot be read (Permission denied)"
    assert rows["a.txt"]["status"] == rows["z.txt"]["status"] == "ok"
    assert "banclassify: failed: locked.txt: cannot be read (Permission denied)" in result.stderr


def test_resume_keeps_a_copy_with_the_same_bytes_under_another_path(tmp_path):
    docs = folder_of(tmp_path / "docs", {"a.txt": RULE + " Also drones."})
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    args = ["batch", str(docs), "--out", str(out), "--summary", str(summary), "--quiet", "--no-cache"]
    assert runner.invoke(app, args).exit_code == 0
    shutil.copy(docs / "a.txt", docs / "copy.txt")
    result = runner.invoke(app, [*args, "--resume"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 document(s) labelled" in result.stderr and "1 already done" in result.stderr
    rows = read_rows(out)
    assert sum(r["file"] == "copy.txt" for r in rows) == sum(r["file"] == "a.txt" for r in rows) > 0
    assert sorted(read_summary(summary)) == ["a.txt", "copy.txt"]


def test_a_second_batch_into_the_same_outputs_is_refused(tmp_path):
    docs = folder_of(tmp_path / "docs", {"a.txt": RULE})
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    with exclusive_lock(summary, "summary"):
        result = runner.invoke(app, ["batch", str(docs), "--out", str(out), "--summary", str(summary), "--quiet"])
    assert result.exit_code == 8
    assert result.stderr.strip().splitlines() == [
        f"banclassify: error: {summary}: another banclassify run is writing these summary (lock .d.csv.lock is held); wait for it or choose other outputs"
    ]


def held(lock: Path) -> bool:
    """Whether some process holds a flock on ``lock`` (read from /proc/locks, without touching the lock)."""
    if not lock.exists():
        return False
    inode = f":{lock.stat().st_ino} "
    return any("FLOCK" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs /proc/locks to see the first run's lock")
def test_two_concurrent_batches_one_is_refused_and_the_other_is_whole(tmp_path):
    docs = folder_of(tmp_path / "docs", {"a.txt": "SLEEP-ME:12 " + RULE, "b.txt": RULE})
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    args = [str(EXE), "batch", str(docs), "--out", str(out), "--summary", str(summary), "--quiet", "--no-cache", "--jobs", "1"]
    first = subprocess.Popen(args, env={**os.environ, **hooked()}, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    lock = tmp_path / ".d.csv.lock"
    while time.time() < deadline and first.poll() is None and not held(lock):
        time.sleep(0.05)
    second = run(*args[1:])
    assert second.returncode == 8 and "another banclassify run is writing" in second.stderr, second.stderr
    assert first.wait(60) == 0, first.stderr.read()
    assert sorted(read_summary(summary)) == ["a.txt", "b.txt"]
    assert len(read_rows(out)) == len({(r["file"], r["start"]) for r in read_rows(out)}) == 2


def test_an_unreadable_folder_is_one_line(tmp_path, monkeypatch):
    docs = folder_of(tmp_path / "docs", {"a.txt": RULE})

    def refuse(self, pattern):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "rglob", refuse)
    result = runner.invoke(app, ["batch", str(docs), "--out", str(tmp_path / "c.jsonl"), "--summary", str(tmp_path / "d.csv"), "--quiet"])
    assert result.exit_code == 3
    assert result.stderr.strip() == f"banclassify: error: {docs}: cannot be read (Permission denied)"
