"""Outputs are checked before the work starts; a full, read-only or forbidden place is one line, exit 8.

How each condition is made: a read-only file system and a full disk are real, a
read-only bind mount and a 64 KB tmpfs filled to the brim, mounted in a private
mount namespace (``unshare -m``, so nothing outside the test sees them; skipped
where the sandbox does not allow it); ``ulimit -f`` is real (``RLIMIT_FSIZE`` 0 in
the child); permission denied is real for a non-root user (a folder without
write permission) and simulated with ``monkeypatch`` for root, whom permissions
do not stop.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from hostile import EXE, RULE, hooked, one_line_error, read_summary

runner = CliRunner()
READ_ONLY = "the file system is read-only"


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


needs_mounts = pytest.mark.skipif(not _namespaces_work(), reason="needs root and unshare -m to mount a read-only or full file system")


def in_namespace(setup: str, folder: Path, *args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``banclassify ARGS`` in a private mount namespace where ``setup`` (shell, $1 = folder) has run first."""
    script = f"{setup} || exit 99\nshift\nexec \"$@\""
    command = ["unshare", "-m", "sh", "-c", script, "sh", str(folder), str(EXE), *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    assert result.returncode != 99, result.stderr
    return result


READ_ONLY_MOUNT = 'mount --bind -o ro "$1" "$1"'
FULL_DISK = 'mount -t tmpfs -o size=64k tmpfs "$1" && (dd if=/dev/zero of="$1/filler" bs=4096 2>/dev/null; true)'


def no_file_size(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    """``banclassify ARGS`` under ``ulimit -f 0``: every write of a byte fails with EFBIG."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))

    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, timeout=120, preexec_fn=limit, env={**os.environ, **(env or {})})


def only_line(result) -> str:
    stderr = one_line_error(result)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def tiny_corpus(path: Path) -> Path:
    rows = [
        {"text": f"No department shall use face recognition technology number {n}.", "label": "full_ban", "source": f"a{n % 3}"}
        for n in range(6)
    ] + [
        {"text": f"The council approved the minutes of meeting {n}.", "label": "none", "source": f"b{n % 3}"} for n in range(6)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# train: refused before it trains -----------------------------------------------------------


@needs_mounts
@pytest.mark.parametrize("mount, reason", [(READ_ONLY_MOUNT, READ_ONLY), (FULL_DISK, "the disk is full")], ids=["read-only", "full-disk"])
def test_train_refuses_an_unwritable_out_before_it_trains(tmp_path, mount, reason):
    data = tiny_corpus(tmp_path / "labels.jsonl")
    folder = tmp_path / "models"
    folder.mkdir()
    result = in_namespace(mount, folder, "train", "--data", data, "--fast", "--out", folder / "mine.joblib")
    assert result.returncode == 8, result.stderr
    # Nothing was read or fitted: the corpus summary ("... clauses in all") comes first in a training.
    assert only_line(result) == f"banclassify: error: {folder / 'mine.joblib'}: cannot write: {reason}"


def test_train_refuses_an_out_it_may_not_write_before_it_trains(tmp_path, monkeypatch):
    data = tiny_corpus(tmp_path / "labels.jsonl")
    folder = tmp_path / "models"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
    else:
        real_open = os.open

        def forbidden(path, flags, *args, **kwargs):
            if str(path).startswith(str(folder)) and flags & os.O_CREAT:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", forbidden)
    result = runner.invoke(app, ["train", "--data", str(data), "--fast", "--out", str(folder / "mine.joblib")])
    assert result.exit_code == 8, result.output
    assert result.stderr.strip() == f"banclassify: error: {folder / 'mine.joblib'}: cannot write: permission denied"
    assert not list(folder.iterdir())


def test_train_under_ulimit_f_refuses_before_it_trains(tmp_path):
    data = tiny_corpus(tmp_path / "labels.jsonl")
    out = tmp_path / "models" / "mine.joblib"
    result = no_file_size("train", "--data", data, "--fast", "--out", out)
    assert result.returncode == 8, result.stderr
    assert only_line(result) == f"banclassify: error: {out}: cannot write: the file is larger than this process may write (ulimit -f)"


# scan, classify, batch, annotate, import ---------------------------------------------------------


@needs_mounts
def test_scan_checks_its_output_before_it_reads_the_document(tmp_path):
    # A document that hangs its reader: checked first, the output fails at once instead.
    stuck = tmp_path / "stuck.txt"
    stuck.write_text("Ordinance 9. HANG-ME " + RULE, encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    started = time.monotonic()
    result = in_namespace(READ_ONLY_MOUNT, folder, "scan", stuck, "-o", folder / "rows.jsonl", "-f", "jsonl", "--timeout", "60", env=hooked())
    assert result.returncode == 8, result.stderr
    assert only_line(result) == f"banclassify: error: {folder / 'rows.jsonl'}: cannot write: {READ_ONLY}"
    assert time.monotonic() - started < 50


@needs_mounts
@pytest.mark.parametrize("command", ["classify", "batch", "annotate", "import"])
def test_every_command_that_writes_refuses_a_read_only_output_in_one_line(tmp_path, command):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rule.txt").write_text(RULE, encoding="utf-8")
    export = tmp_path / "edited.jsonl"
    export.write_text(json.dumps({"text": RULE, "label": "full_ban"}) + "\n", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / ("rows.csv" if command != "annotate" and command != "import" else "labels.jsonl")
    args = {
        "classify": ["classify", RULE, "-o", target],
        "batch": ["batch", docs, "--out", folder / "rows.jsonl", "--summary", target, "--quiet", "--no-cache"],
        "annotate": ["annotate", docs, "--to", target],
        "import": ["import", export, "--to", target],
    }[command]
    named = folder / "rows.jsonl" if command == "batch" else target
    result = in_namespace(READ_ONLY_MOUNT, folder, *args)
    assert result.returncode == 8, result.stderr
    assert only_line(result) == f"banclassify: error: {named}: cannot write: {READ_ONLY}"


def test_an_existing_file_that_cannot_be_appended_to_is_refused_before_annotating(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rule.txt").write_text(RULE, encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"text": "an earlier answer", "label": "none"}) + "\n", encoding="utf-8")
    real_open = os.open

    def forbidden(path, flags, *args, **kwargs):
        if str(path) == str(labels) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", forbidden)
    result = runner.invoke(app, ["annotate", str(docs), "--to", str(labels)], input="f\n")
    assert result.exit_code == 8, result.output
    assert result.stderr.strip() == f"banclassify: error: {labels}: cannot write: permission denied"


# the cache ---------------------------------------------------------------------------------------------


def cached_batch(tmp_path: Path, cache: Path, runner_of) -> tuple[subprocess.CompletedProcess, dict]:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    for n in range(3):
        (docs / f"rule{n}.txt").write_text(f"Ordinance {n}. {RULE}", encoding="utf-8")
    summary = tmp_path / "d.csv"
    result = runner_of("batch", docs, "--out", tmp_path / "c.jsonl", "--summary", summary, "--jobs", "1", "--quiet",
                       env={"BANCLASSIFY_CACHE_DIR": str(cache)})
    return result, read_summary(summary)


@needs_mounts
def test_a_full_cache_directory_is_skipped_with_one_warning(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    result, rows = cached_batch(tmp_path, cache, lambda *a, env: in_namespace(FULL_DISK, cache, *a, env=env))
    stderr = one_line_error(result)
    assert result.returncode == 0, stderr
    assert all(row["status"] == "ok" for row in rows.values()) and len(rows) == 3
    warnings = [line for line in stderr.splitlines() if "extraction cache" in line]
    assert warnings == [f"banclassify: warning: {cache}: the extraction cache is skipped for the rest of this run (cannot write: the disk is full); set BANCLASSIFY_CACHE_DIR or use --no-cache"]


def test_a_cache_directory_that_cannot_exist_is_skipped_with_one_warning(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache = blocker / "cache"
    from hostile import run

    result, rows = cached_batch(tmp_path, cache, lambda *a, env: run(*a, env=env))
    stderr = one_line_error(result)
    assert result.returncode == 0, stderr
    assert len(rows) == 3 and all(row["status"] == "ok" for row in rows.values())
    warnings = [line for line in stderr.splitlines() if "extraction cache" in line]
    assert len(warnings) == 1 and "cannot write: a parent is not a directory" in warnings[0], stderr
