"""The annotation session as a user sees it: what was saved, how far along, and clear refusals."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from banclassify.cli import app
from conftest import SAMPLE_PDF

runner = CliRunner()


def annotate(*args, input: str = ""):
    return runner.invoke(app, ["annotate", *map(str, args)], input=input)


def test_each_answer_says_what_was_saved_and_the_count_respects_the_limit(tmp_path):
    target = tmp_path / "a.jsonl"
    result = annotate(SAMPLE_PDF, "--to", target, "--limit", "2", input="o\ns\nn\n")
    assert result.exit_code == 0, result.output
    assert "[1/2]" in result.stderr and "[2/2]" in result.stderr and "[3/" not in result.stderr
    saved = [line for line in result.stderr.splitlines() if line.startswith("saved: ")]
    [answer] = [json.loads(line) for line in target.read_text().splitlines()]
    assert saved == [f"saved: oversight_policy for page {answer['page']}, section {answer['section'] or '-'} in {target} (1 this session)"]


def test_a_missing_file_or_an_empty_folder_is_one_clear_line(tmp_path):
    missing = annotate(tmp_path / "nope.pdf", "--to", tmp_path / "a.jsonl")
    assert missing.exit_code == 3
    assert missing.stderr.strip() == f"banclassify: error: {tmp_path / 'nope.pdf'}: no such file or folder"
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.xlsx").write_bytes(b"PK")
    empty = annotate(folder, "--to", tmp_path / "a.jsonl")
    assert empty.exit_code == 3
    assert empty.stderr.strip() == f"banclassify: error: {folder}: no documents to annotate in this folder (.pdf, .txt, .md, .html)"
