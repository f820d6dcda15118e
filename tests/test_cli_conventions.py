"""Command-line conventions a user of other Unix tools expects."""

from __future__ import annotations

import csv
import json
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


def test_dash_reads_the_document_from_stdin_and_writes_to_stdout():
    from_file = runner.invoke(app, ["scan", str(SAMPLE_PDF), "-f", "jsonl"])
    from_stdin = runner.invoke(app, ["scan", "-", "-f", "jsonl", "-o", "-"], input=SAMPLE_PDF.read_bytes())
    assert from_stdin.exit_code == 0, from_stdin.output
    strip = lambda out: [{**json.loads(line), "file": None} for line in out.splitlines()]
    assert strip(from_stdin.stdout) == strip(from_file.stdout)
    assert {json.loads(line)["file"] for line in from_stdin.stdout.splitlines()} == {"<stdin>"}

    text = runner.invoke(app, ["scan", "-", "-f", "jsonl"], input="Sec. 2. No department shall use face recognition technology.\n")
    assert [json.loads(line)["label"] for line in text.stdout.splitlines()] == ["full_ban"]


def test_dash_with_nothing_on_stdin_is_one_clear_line():
    done = runner.invoke(app, ["scan", "-"], input="")
    assert done.exit_code == 3 and done.stderr.strip() == "banclassify: error: <stdin>: empty input: nothing on standard input"


def two_documents(tmp_path: Path) -> Path:
    folder = tmp_path / "council"
    (folder / "2024").mkdir(parents=True)
    (folder / "a.txt").write_text("Section 1. No department shall use face recognition technology.\n", encoding="utf-8")
    (folder / "2024" / "b.txt").write_text("Section 2. The Police shall not use drones before 2030-01-01.\n", encoding="utf-8")
    return folder


def test_scan_takes_several_files_and_expands_quoted_globs(tmp_path):
    folder = two_documents(tmp_path)
    rows = runner.invoke(app, ["scan", str(folder / "**" / "*.txt"), "-f", "jsonl"])
    assert rows.exit_code == 0, rows.output
    assert [Path(json.loads(line)["file"]).name for line in rows.stdout.splitlines()] == ["b.txt", "a.txt"]  # sorted paths

    both = [str(folder / "a.txt"), str(folder / "2024" / "b.txt")]
    table = runner.invoke(app, ["scan", *both], env=WIDE)
    assert table.stdout.count("strongest label:") == 2
    as_csv = runner.invoke(app, ["scan", *both, "-f", "csv"]).stdout
    assert as_csv.count("file,page,section") == 1 and len(list(csv.DictReader(as_csv.splitlines()))) == 2
    as_json = json.loads(runner.invoke(app, ["scan", *both, "-f", "json"]).stdout)
    assert [Path(d["file"]).name for d in as_json] == ["a.txt", "b.txt"]


def test_several_files_one_unreadable_the_others_are_written_and_the_exit_is_3(tmp_path):
    folder = two_documents(tmp_path)
    done = runner.invoke(app, ["scan", str(folder / "a.txt"), str(folder / "missing.pdf"), "-f", "jsonl"])
    assert done.exit_code == 3
    assert done.stderr.strip() == f"banclassify: error: {folder / 'missing.pdf'}: no such file"
    assert [Path(json.loads(line)["file"]).name for line in done.stdout.splitlines()] == ["a.txt"]
    nothing = runner.invoke(app, ["scan", str(folder / "*.pdf")])
    assert nothing.exit_code == 3 and "no file matches this pattern" in nothing.stderr


def test_html_of_several_documents_is_a_usage_error():
    done = console("scan", str(SAMPLE_PDF), str(SAMPLE_PDF), "-f", "html")
    assert done.returncode == 2 and "batch --report" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_evaluate_writes_rows_of_per_label_metrics_as_csv_and_jsonl():
    data = str(Path(__file__).resolve().parents[1] / "data" / "labeled" / "test_west.jsonl")
    whole = json.loads(runner.invoke(app, ["evaluate", "--data", data, "-f", "json"]).stdout)
    done = runner.invoke(app, ["evaluate", "--data", data, "-f", "csv"])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(done.stdout.splitlines()))
    assert [(r["scorer"], r["label"]) for r in rows][:7] == [("model", label) for label in whole["model"]["labels"]] + [("model", "all")]
    assert {r["scorer"] for r in rows} == {"model", "keyword_baseline"} and len(rows) == 14
    overall = {r["scorer"]: r for r in rows if r["label"] == "all"}
    assert float(overall["model"]["f1"]) == whole["model"]["macro_f1"]
    assert float(overall["keyword_baseline"]["accuracy"]) == whole["keyword_baseline"]["accuracy"]
    lines = [json.loads(line) for line in runner.invoke(app, ["evaluate", "--data", data, "-f", "jsonl"]).stdout.splitlines()]
    assert lines[0] == {"scorer": "model", "label": lines[0]["label"], **whole["model"]["per_label"][lines[0]["label"]], "accuracy": None}
