"""The real-world development-set scorer: on a small set the test writes, and (when present) on ../shared/realdev."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from banclassify.realdev import expected_calibration_error, shares_words
from conftest import ROOT

runner = CliRunner()
REALDEV = ROOT.parent / "shared" / "realdev"
# The shipped model's figures (README, "The model on real documents"), a little below the measured ones:
# clauses macro-F1 0.903, ECE 0.042; documents recall 0.765, precision 0.553, 1 false alarm in the minutes.
DEV_CLAUSES_MACRO_F1 = 0.88
DEV_CLAUSES_ECE = 0.05
DEV_DOCUMENTS_RECALL = 0.74
DEV_DOCUMENTS_PRECISION = 0.52
DEV_MINUTES_FALSE_ALARMS = 1


def test_word_share_ignores_whitespace_quirks_of_the_text_layer():
    assert shares_words("Access to theANPR system is logged.", "Access to the ANPR system is logged and audited monthly.")
    assert shares_words("Access to the ANPR system", "Access to theANPRsystem is logged")
    assert not shares_words("Access to the ANPR system is logged.", "Budget for parking meters is approved.")


def test_expected_calibration_error():
    # Confident and always right: no gap. Half right at 0.9: a gap of 0.4 on every clause.
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert expected_calibration_error([0.9, 0.9], [True, False]) == pytest.approx(0.4)
    # Two bins, weighted by size: 0.3 gap on two clauses, 0 on one.
    assert expected_calibration_error([0.6, 0.6, 0.95], [False, False, True]) == pytest.approx((2 * 0.6 + 0.05) / 3)


def development_set(root, make_pdf):
    """A tiny development set in the layout of ../shared/realdev: clauses, one policy, one set of minutes.

    The PDFs are written beside ``root`` (where ``make_pdf`` writes) and moved into ``docs/`` by the caller.
    """
    (root / "docs").mkdir(parents=True)
    (root / "truth").mkdir()
    clauses = [
        ("No city department shall acquire or use any face recognition technology.", "full_ban"),
        ("Before acquiring any surveillance technology, the department shall obtain the approval of the council at a public hearing.", "oversight_policy"),
        ("The library shall be open on Saturdays from ten to four.", "none"),
    ]
    (root / "clauses.jsonl").write_text("".join(json.dumps({"id": str(i), "text": t, "label": lab}) + "\n" for i, (t, lab) in enumerate(clauses)))
    policy = [
        "Camera Policy of the Police Department",
        "1. Recorded images from the public cameras shall be retained for no longer than thirty days unless needed as evidence.",
        "2. Access to the camera system shall be limited to trained staff, and every access shall be logged and audited each quarter.",
        "3. The department shall post signs at every camera location informing the public that the area is recorded.",
    ]
    make_pdf(policy, name="policy.pdf")
    make_pdf(["Minutes of the Council", "The Council received a report on parking and adjourned at nine."], name="minutes.pdf")
    return clauses, policy


def test_evaluate_realdev_scores_clauses_and_documents(tmp_path, make_pdf):
    root = tmp_path / "set" / "realdev"
    clauses, policy = development_set(root, make_pdf)
    for name in ("policy.pdf", "minutes.pdf"):
        (tmp_path / name).rename(root / "docs" / name)
    truth = {
        "file": "policy.pdf",
        "clauses": [
            {"page": 1, "label": "oversight_policy", "text": policy[1][3:]},
            {"page": 1, "label": "oversight_policy", "text": policy[2][3:]},
            # A label the scan is not expected to give: found only if the scan says so.
            {"page": 1, "label": "consent_requirement", "text": policy[3][3:], "ambiguous": True},
        ],
    }
    (root / "truth" / "policy.json").write_text(json.dumps(truth))
    (root / "truth" / "minutes.json").write_text(json.dumps({"file": "minutes.pdf", "clauses": [], "operative_clauses": 0, "kind": "hard negative"}))

    result = runner.invoke(app, ["evaluate", "--realdev", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["clauses"]["support"] == 3 and 0 <= report["clauses"]["ece"] <= 1
    documents = {d["file"]: d for d in report["documents"]}
    policy_score = documents["policy.pdf"]
    assert policy_score["gold"] == 3 and policy_score["gold_clear"] == 2
    assert policy_score["found_clear"] == 2  # retention and audited access are oversight of the cameras
    assert policy_score["reported_right"] <= policy_score["reported"]
    assert documents["minutes.pdf"]["hard_negative_document"] and documents["minutes.pdf"]["reported"] == 0
    at_default = report["document_totals"][str(report["threshold"])]
    assert at_default["recall_clear"] == 1.0 and at_default["false_alarms"] == 0
    assert report["guards"] is None  # no realdata beside this set

    table = runner.invoke(app, ["evaluate", "--realdev", str(root)]).stdout
    assert "macro-F1" in table and "ECE" in table and "<- default" in table


def test_evaluate_realdev_without_the_set_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("BANCLASSIFY_REALDEV", str(tmp_path / "absent"))
    result = runner.invoke(app, ["evaluate", "--realdev"])
    assert result.exit_code == 3
    assert result.stderr.strip().count("\n") == 0 and "absent: no real-world development set" in result.stderr


@pytest.mark.skipif(not (REALDEV / "clauses.jsonl").exists(), reason="../shared/realdev is not beside the project")
def test_development_set_figures_hold(classifier):
    """The shipped model's figures on the real-world development set, guarded at the levels of the README."""
    from banclassify.realdev import evaluate_realdev

    report = evaluate_realdev(classifier, REALDEV, guards=False)
    assert report.clauses.scores.macro_f1 >= DEV_CLAUSES_MACRO_F1
    assert report.clauses.ece <= DEV_CLAUSES_ECE
    totals = report.totals()
    assert totals.recall_clear >= DEV_DOCUMENTS_RECALL
    assert totals.precision >= DEV_DOCUMENTS_PRECISION
    assert totals.false_alarms <= DEV_MINUTES_FALSE_ALARMS
