"""The retraining loop: annotate, import corrections, train, evaluate, ship."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import banclassify
from banclassify import corpus, modelfile, trust
from banclassify.classify import ClauseClassifier, card_path
from banclassify.cli import app
from banclassify.corpus import DEFAULT_DATA_DIR, data_hash, training_files
from banclassify.project import Project
from banclassify.train import plan_training
from banclassify.userdirs import data_dir
from conftest import ROOT, SAMPLE_PDF, SHIPPED_MODEL

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


# The user's data has one home, whatever the working directory: the user data
# directory, or the folder given with --project. The shipped corpus stays apart.

@pytest.fixture
def tiny_shipped_corpus(tmp_path, monkeypatch):
    """The shipped corpus cut to 80 clauses of west.jsonl, so that a test can train in seconds."""
    shipped = tmp_path / "package" / "data" / "labeled"
    shipped.mkdir(parents=True)
    lines = SMALL_CORPUS.read_text(encoding="utf-8").splitlines()[:80]
    (shipped / "west.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(corpus, "DEFAULT_DATA_DIR", shipped)
    return shipped


@pytest.fixture
def empty_folder(tmp_path, monkeypatch):
    """An empty working directory outside the repository, and a user data directory of this test's own."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("BANCLASSIFY_DATA_DIR", str(tmp_path / "home-data"))
    assert not work.resolve().is_relative_to(ROOT)
    return work


def write_prodigy(path: Path) -> Path:
    path.write_text(
        json.dumps({"text": "No drone may be flown over a public school by any city agency.", "accept": ["full_ban"], "answer": "accept"}) + "\n"
        + json.dumps({"text": "Stores must obtain written consent before enrolling a shopper's face.", "accept": ["consent_requirement"], "answer": "accept"}) + "\n"
    )
    return path


def test_annotate_import_and_train_from_an_empty_folder_use_the_user_data_directory(empty_folder, tiny_shipped_corpus):
    home = data_dir()
    result = run("annotate", SAMPLE_PDF, "--limit", "2", input="o\nn\n")
    assert result.exit_code == 0, result.output
    assert f"2 answer(s) saved to {home / 'labeled' / 'annotations.jsonl'}" in result.stderr
    prodigy = write_prodigy(empty_folder / "prodigy.jsonl")
    result = run("import", prodigy)
    assert result.exit_code == 0, result.output
    assert f"2 imported into {home / 'labeled' / 'corrections.jsonl'}" in result.stdout
    assert list(empty_folder.iterdir()) == [prodigy]  # nothing went to ./data/labeled

    shipped_before = SHIPPED_MODEL.read_bytes()
    result = run("train", "--fast")
    assert result.exit_code == 0, result.output
    assert f"shipped corpus: 80 clauses from 1 file(s) in {tiny_shipped_corpus}" in result.stderr
    assert "your data: 4 clauses from 2 file(s)" in result.stderr
    assert f"  {home / 'labeled' / 'annotations.jsonl'} 2" in result.stderr
    assert f"  {home / 'labeled' / 'corrections.jsonl'} 2" in result.stderr
    assert "84 clauses in all, 4 of them yours" in result.stderr

    model = home / "models" / "banclassify.joblib"
    assert f"wrote your model {model} (84 clauses, 4 of them yours" in result.stdout
    assert f"--model {model}" in result.stdout
    assert SHIPPED_MODEL.read_bytes() == shipped_before
    card = json.loads(card_path(model).read_text())
    assert card["user_examples"] == 4 and len(card["user_files"]) == 2
    info = run("info", "--model", model)
    assert info.exit_code == 0 and "trained on: 84 clauses (4 of them yours)" in info.stdout
    assert list(empty_folder.iterdir()) == [prodigy]


def test_project_folder_holds_the_data_of_every_command_of_the_loop(empty_folder, tiny_shipped_corpus):
    project = empty_folder.parent / "my-project"
    prodigy = write_prodigy(empty_folder / "prodigy.jsonl")
    assert run("import", prodigy, "--project", project).exit_code == 0
    assert (project / "labeled" / "corrections.jsonl").exists()
    assert not (data_dir() / "labeled").exists()  # the user data directory is left alone

    plan = plan_training(None, None, Project.at(project))
    assert plan.files == [tiny_shipped_corpus / "west.jsonl", project / "labeled" / "corrections.jsonl"]
    assert plan.out == project / "models" / "banclassify.joblib" and not plan.shipped
    # Only the shipped corpus goes into the shipped model.
    assert plan_training(None, None, Project.at(project), replace_shipped=True).files == [tiny_shipped_corpus / "west.jsonl"]

    # The user's own held-out file joins the shipped test split in evaluate.
    (project / "labeled" / "test_mine.jsonl").write_text(
        json.dumps({"text": "No city department shall obtain face recognition technology.", "label": "full_ban", "source": "mine"}) + "\n"
    )
    result = run("evaluate", "--project", project)
    assert result.exit_code == 0, result.output
    assert f"evaluating {SHIPPED_MODEL} on 1 clauses from 1 file(s), 1 of them yours" in result.stderr


def test_train_never_replaces_the_shipped_model_unless_told(tmp_path, tiny_shipped_corpus, monkeypatch):
    shipped_before = SHIPPED_MODEL.read_bytes()
    result = run("train", "--out", SHIPPED_MODEL, "--fast")
    assert result.exit_code == 2
    assert "this is the shipped model: 'make train' rebuilds it (or add --replace-shipped)" in result.stderr
    result = run("train", "--replace-shipped", "--out", tmp_path / "other.joblib", "--fast")
    assert result.exit_code == 2 and "--replace-shipped writes only the shipped model" in result.stderr
    assert SHIPPED_MODEL.read_bytes() == shipped_before

    # What 'make train' runs, with the shipped model and its hash file moved into tmp_path.
    shipped = tmp_path / "models" / "banclassify.joblib"
    monkeypatch.setattr(modelfile, "shipped_model_path", lambda: shipped)
    monkeypatch.setattr(trust, "SHIPPED_HASH_FILE", tmp_path / "shipped_model.sha256")
    (data_dir() / "labeled").mkdir(parents=True, exist_ok=True)
    write_prodigy(data_dir() / "labeled" / "corrections.jsonl")  # the developer's own data stays out of it
    result = run("train", "--replace-shipped", "--fast")
    assert result.exit_code == 0, result.output
    assert f"wrote the shipped model {shipped} (80 clauses, 0 of them yours" in result.stdout
    assert trust.shipped_hashes() == {
        "banclassify.joblib": trust.sha256_file(shipped), "banclassify.card.json": trust.sha256_file(card_path(shipped)),
    }
    loaded = ClauseClassifier.load()
    assert loaded.path == shipped and loaded.card["examples"] == 80 and loaded.card_problem is None
    assert SHIPPED_MODEL.read_bytes() == shipped_before
