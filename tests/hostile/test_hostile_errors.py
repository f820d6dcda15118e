"""Ordinary conditions that once ended in "internal error": each is one clear line with a documented exit code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from hostile import RULE, measured, one_line_error, run

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "src" / "banclassify" / "models" / "banclassify.joblib"


def clean(result) -> str:
    """The run's stderr, checked free of tracebacks and internal errors (CliRunner or subprocess)."""
    stderr = result.stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return stderr


# model cards ------------------------------------------------------------------------------


@pytest.mark.parametrize("card, shown", [
    ('{"versions": "1.0", "labels": ["full_ban", "none"]}', ["labels: full_ban, none", "versions: 1.0"]),
    ('{"labels": {"full_ban": 3, "none": 5}, "cross_validation": {"folds": 5}}', ["grouped 5-fold CV: macro-F1 not stated, accuracy not stated"]),
    ('{"labels": 7, "versions": ["scikit-learn", "1.5"], "cross_validation": "good"}', ["labels: not stated", "versions: ['scikit-learn', '1.5']"]),
])
def test_an_unusual_model_card_is_shown_for_what_it_says(tmp_path, card, shown):
    model = tmp_path / "theirs.joblib"
    shutil.copy(SHIPPED, model)
    model.with_suffix(".card.json").write_text(card, encoding="utf-8")
    result = runner.invoke(app, ["info", "--model", str(model), "--trust-model"])
    clean(result)
    assert result.exit_code == 0, result.output
    for line in shown:
        assert line in result.stdout.splitlines(), result.stdout


@pytest.mark.parametrize("card, problem", [
    (b"[1, 2, 3]", "unreadable model card (not a JSON object)"),
    (bytes(range(256)), "unreadable model card ("),
])
def test_a_card_that_is_not_a_json_object_is_one_line(tmp_path, card, problem):
    model = tmp_path / "theirs.joblib"
    shutil.copy(SHIPPED, model)
    model.with_suffix(".card.json").write_bytes(card)
    result = runner.invoke(app, ["info", "--model", str(model), "--trust-model"])
    stderr = clean(result)
    assert result.exit_code == 4, result.output
    assert stderr.startswith(f"banclassify: error: {model.with_suffix('.card.json')}: {problem}"), stderr


# the trust file -------------------------------------------------------------------------


def test_a_trust_file_with_an_invalid_line_trusts_nothing_it_cannot_read(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "trusted_models.jsonl").write_text("not json\n[1, 2]\n", encoding="utf-8")
    monkeypatch.setenv("BANCLASSIFY_DATA_DIR", str(data))
    model = tmp_path / "mine.joblib"
    shutil.copy(SHIPPED, model)
    result = runner.invoke(app, ["info", "--model", str(model)])
    stderr = clean(result)
    assert result.exit_code == 4 and "untrusted model file" in stderr, result.output


def test_a_directory_as_the_trust_file_is_one_line(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "trusted_models.jsonl").mkdir(parents=True)
    monkeypatch.setenv("BANCLASSIFY_DATA_DIR", str(data))
    model = tmp_path / "mine.joblib"
    shutil.copy(SHIPPED, model)
    result = runner.invoke(app, ["info", "--model", str(model)])
    stderr = clean(result)
    assert result.exit_code == 4, result.output
    assert stderr.strip() == f"banclassify: error: {data / 'trusted_models.jsonl'}: cannot be read (is a directory)"


# labelled data and clauses ----------------------------------------------------------------


def test_training_data_with_one_label_is_refused_before_fitting(tmp_path):
    data = tmp_path / "bans.jsonl"
    data.write_text("".join(json.dumps({"text": f"No department shall use drones, rule {n}.", "label": "full_ban", "source": f"s{n % 3}"}) + "\n" for n in range(9)))
    result = runner.invoke(app, ["train", "--data", str(data), "--fast", "--out", str(tmp_path / "m.joblib")])
    stderr = clean(result)
    assert result.exit_code == 5, result.output
    assert stderr.strip().splitlines()[-1] == (
        "banclassify: error: the labelled data has only one label (full_ban, 9 clauses): "
        "a model needs clauses of at least two labels (add clauses labelled none)"
    )
    assert not (tmp_path / "m.joblib").exists()


def test_a_ten_megabyte_clause_is_refused_clearly_by_classify_and_train_and_cut_by_scan(tmp_path):
    long = "No department shall use face recognition " + "and drones " * 900_000 + "."  # 9.9 million characters
    clauses = tmp_path / "clauses.txt"
    clauses.write_text(long + "\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", "--input", str(clauses)])
    stderr = clean(result)
    assert result.exit_code == 3, result.output
    assert stderr.strip() == f"banclassify: error: {clauses}:1: a clause of 9,900,042 characters (at most 100,000: split it into clauses, or scan it as a document)"

    data = tmp_path / "labels.jsonl"
    data.write_text(json.dumps({"text": long, "label": "full_ban"}) + "\n" + json.dumps({"text": "Approve the minutes.", "label": "none"}) + "\n")
    result = runner.invoke(app, ["train", "--data", str(data), "--fast", "--out", str(tmp_path / "m.joblib")])
    stderr = clean(result)
    assert result.exit_code == 5, result.output
    assert f"{data}:1: a clause of 9,900,042 characters" in stderr

    # A document is cut into clauses by the segmenter: read, not refused.
    result = run("scan", clauses, "-f", "jsonl", "--all", timeout=300)
    assert result.returncode == 0, one_line_error(result)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["text"].startswith("No department shall use face recognition and drones")
    assert len(rows) > 100 and max(len(r["text"]) for r in rows) <= 2000


# imports ----------------------------------------------------------------------------------


def test_malformed_label_studio_and_prodigy_records_are_named_and_skipped(tmp_path):
    studio = tmp_path / "export.json"
    studio.write_text(json.dumps([
        {"data": {"text": "No drones over parks."}, "annotations": {"result": []}},
        {"data": {"text": "No cameras in parks."}, "annotations": [{"result": "full_ban"}]},
        {"data": {"text": "No plate readers."}, "annotations": [{"result": [{"value": {"choices": ["full_ban"]}}]}], "meta": "x"},
    ]))
    target = tmp_path / "corrections.jsonl"
    result = runner.invoke(app, ["import", str(studio), "--to", str(target)])
    stderr = clean(result)
    assert result.exit_code == 5, result.output
    assert f"banclassify: skipped: {studio}: task 1: 'annotations' is dict, not a list" in stderr
    assert f"banclassify: skipped: {studio}: task 2: an annotation's 'result' is str, not a list" in stderr
    assert [json.loads(line)["text"] for line in target.read_text().splitlines()] == ["No plate readers."]

    prodigy = tmp_path / "prodigy.jsonl"
    prodigy.write_text("\n".join(json.dumps(r) for r in [
        {"text": "No drones.", "answer": "accept", "accept": ["full_ban"], "meta": "a string"},
        {"text": "No cameras.", "answer": "accept", "accept": "full_ban"},
        {"text": "No readers.", "answer": "accept", "accept": [{"id": "full_ban"}]},
    ]) + "\n")
    result = runner.invoke(app, ["import", str(prodigy), "--to", str(target)])
    stderr = clean(result)
    assert result.exit_code == 5, result.output
    assert f"banclassify: skipped: {prodigy}:2: needs exactly one known label, got 'full_ban'" in stderr
    assert f"banclassify: skipped: {prodigy}:3: needs exactly one known label, got [{{'id': 'full_ban'}}]" in stderr
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert records[-1]["text"] == "No drones." and records[-1]["source"] == f"import:{prodigy.name}"


def export_of(path: Path, rows: int) -> int:
    """A banclassify JSONL export of ``rows`` corrections (every label changed); its size in bytes."""
    probabilities = {f"p_{label}": 0.0 for label in ("full_ban", "realtime_ban", "moratorium", "consent_requirement", "oversight_policy")}
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(rows):
            text = f"Clause {n}: the Board shall review contract {n * 7919 % 1000003} for the harbour lights of pier {n % 97}."
            handle.write(json.dumps({"text": text, "label": "none", "file": "agenda.pdf", "page": n // 40 + 1, **probabilities, "p_oversight_policy": 1.0}) + "\n")
    return path.stat().st_size


def test_a_large_import_is_streamed_in_flat_memory(tmp_path):
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    export_of(small, 10)
    size_mb = export_of(large, 150_000) / 2**20  # about 40 MB
    _, baseline_mb = measured("import", small, "--to", tmp_path / "a.jsonl")
    result, peak_mb = measured("import", large, "--to", tmp_path / "b.jsonl", timeout=600)
    assert result.returncode == 0, one_line_error(result)
    assert "150000 row(s); 150000 imported" in result.stdout
    assert sum(1 for _ in open(tmp_path / "b.jsonl", encoding="utf-8")) == 150_000
    # Read whole, the export took about 12 times its size; streamed, well under its size.
    assert peak_mb - baseline_mb < 0.5 * size_mb, (peak_mb, baseline_mb, size_mb)


def test_a_streamed_import_names_bad_lines_by_their_line_in_the_file(tmp_path, monkeypatch):
    corrections = importlib_corrections()
    monkeypatch.setattr(corrections, "CHUNK_ROWS", 3)  # several chunks
    source = tmp_path / "edited.jsonl"
    export_of(source, 7)
    lines = source.read_text().splitlines()
    lines[4] = "{not json"
    source.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["import", str(source), "--to", str(tmp_path / "c.jsonl")])
    stderr = clean(result)
    assert result.exit_code == 5, result.output
    assert f"banclassify: skipped: {source}:5: not JSON" in stderr
    assert "7 row(s)" not in result.stdout and "6 imported" in result.stdout


def importlib_corrections():
    import importlib

    return importlib.import_module("banclassify.corrections")


# misleading messages ------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_as_text_not_called_binary(tmp_path, codec):
    document = tmp_path / "ordinance.txt"
    document.write_bytes(("Section 1. " + RULE + "\n").encode(codec))
    result = run("scan", document, "-f", "jsonl")
    assert result.returncode == 0, one_line_error(result)
    assert '"label": "full_ban"' in result.stdout


def test_a_binary_file_named_txt_is_still_called_binary(tmp_path):
    document = tmp_path / "data.txt"
    document.write_bytes(bytes(range(256)) * 8)
    result = run("scan", document)
    stderr = one_line_error(result)
    assert result.returncode == 3
    assert stderr.strip() == f"banclassify: error: {document}: binary file, not text (NUL bytes, and not UTF-16 text)"
