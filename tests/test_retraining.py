"""The retraining loop: annotate, import corrections, train, evaluate, ship."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

import banclassify
from banclassify.classify import card_path
from banclassify.cli import app
from banclassify.corpus import DEFAULT_DATA_DIR, data_hash, training_files
from conftest import SAMPLE_PDF, SHIPPED_MODEL

runner = CliRunner()
SMALL_CORPUS = DEFAULT_DATA_DIR / "west.jsonl"


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_whole_loop_scan_annotate_train_on_a_small_corpus(tmp_path):
    # Scan, then annotate the three clauses the model is least sure of, through stdin.
    assert run("scan", SAMPLE_PDF).exit_code == 0
    annotations = tmp_path / "annotations.jsonl"
    result = run("annotate", SAMPLE_PDF, "--to", annotations, "--limit", "3", input="o\nn\nc\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in annotations.read_text().splitlines()]
    assert [a["label"] for a in answers] == ["oversight_policy", "none", "consent_requirement"]
    for answer in answers:
        assert answer["file"] == str(SAMPLE_PDF) and len(answer["sha256"]) == 64
        assert answer["page"] >= 1 and answer["model_label"] and answer["annotated_at"]
        assert set(answer["model_probabilities"]) == {"full_ban", "realtime_ban", "moratorium", "consent_requirement", "oversight_policy", "none"}

    shipped_before = SHIPPED_MODEL.read_bytes()
    new_model = tmp_path / "mine.joblib"
    result = run("train", "--data", SMALL_CORPUS, "--data", annotations, "--out", new_model, "--fast")
    assert result.exit_code == 0, result.output
    assert SHIPPED_MODEL.read_bytes() == shipped_before
    retrained = banclassify.load_model(new_model)
    assert [p.label for p in retrained.predict([a["text"] for a in answers])] == [a["label"] for a in answers]
    card = json.loads(card_path(new_model).read_text())
    assert card["data_files"].keys() == {"west.jsonl", "annotations.jsonl"}
    assert new_model.with_suffix(".card.md").read_text().startswith("# banclassify model card")


def test_annotate_resumes_and_undo_removes_the_answer(tmp_path):
    target = tmp_path / "a.jsonl"
    run("annotate", SAMPLE_PDF, "--to", target, "--limit", "2", input="n\nn\n")
    first = [json.loads(l)["text"] for l in target.read_text().splitlines()]
    assert len(first) == 2
    # A second session does not show them again, and undo takes back its own last answer.
    result = run("annotate", SAMPLE_PDF, "--to", target, "--limit", "2", input="f\nu\no\nq\n")
    lines = [json.loads(l) for l in target.read_text().splitlines()]
    assert [l["text"] for l in lines[:2]] == first
    assert len(lines) == 3 and lines[2]["label"] == "oversight_policy"
    assert lines[2]["text"] not in first
    assert "1 undone" in result.stderr


def test_train_reports_every_validation_problem(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "label": "ban_all"}\n{oops\n{"label": "none"}\n')
    result = run("train", "--data", bad, "--out", tmp_path / "m.joblib", "--fast")
    assert result.exit_code == 5
    assert f"{bad}:1: unknown label 'ban_all'" in result.stderr
    assert f"{bad}:2: not JSON" in result.stderr
    assert f"{bad}:3: missing or empty 'text'" in result.stderr
    assert not (tmp_path / "m.joblib").exists()


def test_training_is_deterministic(tmp_path):
    texts = ["No drone shall fly over the park until 2030.", "Each department shall file an annual report.", "The Council adjourned."]
    predictions = []
    for n in range(2):
        out = tmp_path / f"m{n}.joblib"
        assert run("train", "--data", SMALL_CORPUS, "--out", out, "--fast").exit_code == 0
        predictions.append([p.probabilities for p in banclassify.load_model(out).predict(texts)])
    assert predictions[0] == predictions[1]


def test_interrupted_save_leaves_the_old_model(tmp_path, monkeypatch):
    import joblib

    model = tmp_path / "model.joblib"
    shutil.copy(SHIPPED_MODEL, model)
    shutil.copy(card_path(SHIPPED_MODEL), card_path(model))
    before = model.read_bytes()

    def crash(obj, filename, **kwargs):
        Path(filename).write_bytes(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(joblib, "dump", crash)
    result = run("train", "--data", SMALL_CORPUS, "--out", model, "--fast")
    assert result.exit_code == 130
    assert model.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_shipped_model_is_trained_on_the_current_data():
    card = json.loads(card_path(SHIPPED_MODEL).read_text())
    assert card["data_hash"] == data_hash(training_files()), "data/labeled changed: run 'make train'"
    assert not any(name.startswith("test") for name in card["data_files"])


def test_info_shows_the_model_in_use():
    result = run("info")
    assert result.exit_code == 0
    assert str(SHIPPED_MODEL) in result.stdout
    assert "grouped 5-fold CV: macro-F1" in result.stdout
    assert "scikit-learn" in result.stdout


def test_import_edited_scan_csv_keeps_only_changed_labels(tmp_path):
    rows_file = tmp_path / "rows.csv"
    assert run("scan", SAMPLE_PDF, "--all", "--format", "csv", "--output", rows_file).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(rows_file.read_text())))
    rows[0]["label"] = "moratorium" if rows[0]["label"] != "moratorium" else "none"
    rows[1]["label"] = "not_a_label"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    rows_file.write_text(buffer.getvalue())
    target = tmp_path / "corrections.jsonl"
    result = run("import", rows_file, "--to", target)
    assert result.exit_code == 5, result.output  # a bad row: the good ones are imported, the exit says so
    assert "valid labels: full_ban, moratorium, realtime_ban, consent_requirement, oversight_policy, none" in result.stderr
    assert f"{len(rows)} row(s); 1 imported" in result.stdout
    assert f"{len(rows) - 2} unchanged" in result.stdout
    assert f"{rows_file}:3: unknown label 'not_a_label'" in result.stderr
    [record] = [json.loads(l) for l in target.read_text().splitlines()]
    assert record["text"] == rows[0]["text"] and record["label"] == rows[0]["label"]
    # Importing again adds nothing twice.
    assert "1 already present" in run("import", rows_file, "--to", target).stdout
    good = tmp_path / "good.csv"
    good.write_text(buffer.getvalue().replace("not_a_label", "none"))
    assert run("import", good, "--to", target).exit_code == 0


def test_import_prodigy_and_label_studio(tmp_path):
    prodigy = tmp_path / "prodigy.jsonl"
    prodigy.write_text(
        json.dumps({"text": "No drones over schools.", "accept": ["full_ban"], "answer": "accept"}) + "\n"
        + json.dumps({"text": "Parking is free on Sundays.", "accept": ["none"], "answer": "reject"}) + "\n"
        + "{broken\n"
    )
    target = tmp_path / "t.jsonl"
    result = run("import", prodigy, "--to", target)
    assert result.exit_code == 5
    assert "Prodigy JSONL: 2 row(s); 1 imported" in result.stdout and "1 rejected" in result.stdout
    assert f"{prodigy}:3: not JSON" in result.stderr

    studio = tmp_path / "export.json"
    studio.write_text(json.dumps([
        {"id": 11, "data": {"text": "Stores must get written consent before scanning faces."},
         "annotations": [{"result": [{"type": "choices", "value": {"choices": ["consent_requirement"]}}]}]},
        {"id": 12, "data": {"text": "Something"}, "annotations": [{"result": [{"type": "choices", "value": {"choices": ["banana"]}}]}]},
    ]))
    result = run("import", studio, "--to", target)
    assert "Label Studio JSON: 2 row(s); 1 imported" in result.stdout
    assert "task 2: no known label chosen ('banana')" in result.stderr
    labels = [json.loads(l)["label"] for l in target.read_text().splitlines()]
    assert labels == ["full_ban", "consent_requirement"]
