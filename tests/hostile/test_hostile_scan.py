"""``scan`` reads its document in a supervised child: bombs, aborts and C-level hangs are one line, exit 3."""

from __future__ import annotations

import time

import pytest

from hostile import RULE, flate_bomb_pdf, hooked, length_loop_pdf, measured, one_line_error, run

CEILING_MB = 700


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    (folder / "single.pdf").write_bytes(flate_bomb_pdf(600))  # about 600 KB inflating to 600 MB
    (folder / "double.pdf").write_bytes(flate_bomb_pdf(600, layers=2))  # a few KB
    return folder


@pytest.mark.parametrize("engine, reason", [
    ("pdfplumber", "refused: a compressed stream decodes to more than 256 MB (a decompression bomb?)"),
    ("pdfium", "the reader died: the PDF library aborted (SIGABRT), most likely out of memory (the memory ceiling is --max-memory 700 MB)"),
])
@pytest.mark.parametrize("name", ["single.pdf", "double.pdf"])
def test_a_flate_bomb_is_one_line_under_the_memory_ceiling(bombs, engine, reason, name):
    bomb = bombs / name
    result, peak_mb = measured("scan", bomb, "--engine", engine, "--max-memory", CEILING_MB, "--max-mb", "1", "--max-pages", "1", "--timeout", "60")
    stderr = one_line_error(result)
    assert result.returncode == 3, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"banclassify: error: {bomb}: "), stderr
    assert reason in lines[0], stderr
    # Every process of the run (the CLI with its model, the reader) stayed under the ceiling.
    assert peak_mb < CEILING_MB, peak_mb


def test_a_reader_stuck_where_the_alarm_cannot_reach_is_stopped_from_outside(tmp_path):
    stuck = tmp_path / "stuck.txt"
    stuck.write_text("Ordinance 9. HANG-ME " + RULE, encoding="utf-8")
    started = time.monotonic()
    result = run("scan", stuck, "--timeout", "2", env=hooked(), timeout=60)
    elapsed = time.monotonic() - started
    stderr = one_line_error(result)
    assert result.returncode == 3, stderr
    assert stderr.strip().splitlines() == [f"banclassify: error: {stuck}: timed out after 2 s (the reader was stopped)"]
    assert elapsed < 30, elapsed  # 2 s, the 5 s grace, and loading the model


@pytest.mark.parametrize("signal_name, reason", [
    ("SIGKILL", "the reader died: the reader was killed (SIGKILL: out of memory, or killed by the system)"),
    ("SIGABRT", "the reader died: the PDF library aborted (SIGABRT), most likely out of memory"),
])
def test_a_reader_killed_by_a_signal_is_one_line_not_a_silent_death(tmp_path, signal_name, reason):
    doomed = tmp_path / "doomed.txt"
    doomed.write_text(f"Ordinance 9. KILL-ME:{signal_name} " + RULE, encoding="utf-8")
    result = run("scan", doomed, env=hooked())
    stderr = one_line_error(result)
    assert result.returncode == 3, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"banclassify: error: {doomed}: {reason}"), stderr


def test_a_length_loop_cannot_hang_a_scan(tmp_path):
    loop = tmp_path / "loop.pdf"
    loop.write_bytes(length_loop_pdf())
    for engine in ("pdfplumber", "pdfium"):
        result = run("scan", loop, "--engine", engine, "--timeout", "20", timeout=90)
        stderr = one_line_error(result)
        assert result.returncode in (0, 3), stderr
        if result.returncode == 0:
            assert "full_ban" in result.stdout


def test_the_reader_process_is_where_the_time_limit_and_the_ceiling_apply(tmp_path):
    """A document read in the child gives the same answer as one read in the CLI's process did."""
    document = tmp_path / "rule.txt"
    document.write_text("Section 1. " + RULE + "\n\nSection 2. The Clerk shall publish this ordinance.\n", encoding="utf-8")
    result = run("scan", document, "-f", "jsonl", "--max-memory", CEILING_MB, "--timings")
    stderr = one_line_error(result)
    assert result.returncode == 0, stderr
    assert '"label": "full_ban"' in result.stdout.splitlines()[0]
    assert "extract " in stderr


def test_no_time_limit_is_an_option_for_scan_and_batch(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rule.txt").write_text(RULE, encoding="utf-8")
    result = run("scan", docs / "rule.txt", "--timeout", "0")
    assert result.returncode == 0, one_line_error(result)
    result = run("batch", docs, "--out", tmp_path / "c.jsonl", "--summary", tmp_path / "d.csv", "--timeout", "0", "--jobs", "1", "--quiet")
    assert result.returncode == 0, one_line_error(result)
