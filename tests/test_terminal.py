"""The scan table on a terminal (Rich, wrapped, coloured) and piped (plain, --full-text)."""

from __future__ import annotations

import io
import json
import re

import pytest
from typer.testing import CliRunner

import banclassify
from banclassify.cli import app
from banclassify.terminal import print_scan_table, use_colour
from conftest import SAMPLE_PDF

runner = CliRunner()
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def sample(classifier):
    return banclassify.scan(SAMPLE_PDF, classifier.prepare())


def words(text: str) -> list[str]:
    return ESCAPE.sub("", text).split()


def test_terminal_table_wraps_to_the_width_and_cuts_nothing(sample):
    out = io.StringIO()
    print_scan_table(sample, sample.operative(), 0.5, out, colour=False, width=72)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 72
    assert "…" not in text and "\x1b[" not in text
    flowing = " ".join(words(text))
    for clause in sample.operative():
        assert " ".join(clause.text.split()) in flowing  # every word, in order


def test_labels_are_coloured_only_when_asked(sample):
    out = io.StringIO()
    print_scan_table(sample, sample.operative(), 0.5, out, colour=True, width=100)
    assert re.search(r"\x1b\[[0-9;]*31m\s*full_ban", out.getvalue())


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_colour_needs_a_terminal_and_no_NO_COLOR(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(FakeTerminal()) and not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(FakeTerminal())


def test_piped_table_is_plain_and_full_text_never_trims():
    trimmed = runner.invoke(app, ["scan", str(SAMPLE_PDF)], env={"COLUMNS": "80"})
    assert trimmed.exit_code == 0 and "…" in trimmed.stdout and "\x1b[" not in trimmed.stdout
    full = runner.invoke(app, ["scan", str(SAMPLE_PDF), "--full-text"], env={"COLUMNS": "80"})
    assert full.exit_code == 0 and "…" not in full.stdout
    rows = [json.loads(line) for line in runner.invoke(app, ["scan", str(SAMPLE_PDF), "-f", "jsonl"]).stdout.splitlines()]
    for row in rows:
        assert row["text"] in full.stdout
