"""Command-line conventions a user of other Unix tools expects."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import importlib

batch_module = importlib.import_module("banclassify.batch")
from banclassify.cli import app
from conftest import SAMPLE_PDF

runner = CliRunner()
COMMANDS = ["scan", "classify", "train", "evaluate", "batch", "annotate", "import", "clear-cache", "evaluate-attributes", "info"]
WIDE = {"COLUMNS": "200", "TERM": "dumb"}


def console(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from banclassify.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120, **kwargs)


@pytest.mark.parametrize("command", COMMANDS)
def test_dash_h_is_help_and_flags_show_no_bool_placeholder(command):
    result = runner.invoke(app, [command, "-h"], env=WIDE)
    assert result.exit_code == 0 and "Usage:" in result.stdout
    assert "<bool>" not in result.stdout


def test_help_lists_every_input_type_and_agrees_with_the_benchmark():
    scan = runner.invoke(app, ["scan", "-h"], env=WIDE).stdout
    assert ".html" in scan and ".pdf" in scan and ".txt" in scan and ".md" in scan
    assert "50 times" not in scan and "3 times faster" in scan  # bench/README.md: 2.6-2.9x the default engine
    assert ".html" in runner.invoke(app, ["batch", "-h"], env=WIDE).stdout


@pytest.mark.parametrize("args, mentions", [
    (["batch", ".", "--backend", "foo"], "--backend"),
    (["scan"], "Missing argument"),
    (["scan", str(SAMPLE_PDF), "--no-such-option"], "--no-such-option"),
    (["scan", str(SAMPLE_PDF), "--format", "pdf"], "--format"),
])
def test_usage_errors_are_one_line_and_exit_2(args, mentions):
    done = console(*args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and mentions in lines[0] and lines[0].startswith("banclassify: error:")
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_shell_completion_is_available():
    assert "--install-completion" in runner.invoke(app, ["-h"], env=WIDE).stdout
    script = Path(sys.executable).with_name("banclassify")
    done = subprocess.run([str(script), "--show-completion", "bash"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "complete -o default -F _banclassify_completion banclassify" in done.stdout


def test_exit_codes_pass_through_the_console_script(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_PDF, folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    done = console("batch", str(folder), "-o", str(tmp_path / "c.jsonl"), "-s", str(tmp_path / "d.csv"), "-q", "-j", "1")
    assert done.returncode == 6, done.stderr


def test_ctrl_c_in_batch_writes_the_summary_and_says_how_to_resume(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(f"Section 1. No department of the City of {name[0].upper()} shall use face recognition.\n", encoding="utf-8")
    real = batch_module.classify_document
    calls = []

    def interrupted_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_module, "classify_document", interrupted_on_the_second)
    summary = tmp_path / "d.csv"
    args = ["batch", str(folder), "-o", str(tmp_path / "c.jsonl"), "-s", str(summary), "-j", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 130
    assert "--resume" in result.stderr and "1 of 3 document(s) labelled" in result.stderr
    with open(summary, newline="") as handle:
        assert [row["path"] for row in csv.DictReader(handle)] == ["a.txt"]

    monkeypatch.setattr(batch_module, "classify_document", real)
    result = runner.invoke(app, [*args, "--resume"])
    assert result.exit_code == 0 and "2 of 2 document(s) labelled, 0 failed, 1 already done" in result.stderr
    with open(summary, newline="") as handle:
        assert [row["path"] for row in csv.DictReader(handle)] == ["a.txt", "b.txt", "c.txt"]
