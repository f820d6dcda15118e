"""Attributes of operative clauses (technology, actors, exceptions, duration, effective date) and --explain."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from banclassify.attributes import AttributeExtractor, evaluate_attributes, read_attribute_records
from banclassify.cli import app
from conftest import ROOT, SAMPLE_PDF

runner = CliRunner()
ATTRIBUTE_FILES = sorted((ROOT / "data" / "attributes").glob("*.jsonl"))


@pytest.fixture(scope="module")
def extractor():
    return AttributeExtractor()


def one(extractor, text, label="full_ban"):
    return extractor.extract([text], [label])[0]


@pytest.mark.parametrize("path", ATTRIBUTE_FILES, ids=lambda p: p.name)
def test_attribute_targets_on_the_labelled_sets(path, extractor):
    records = read_attribute_records(path)
    assert len(records) >= 145
    report = evaluate_attributes(records, extractor)
    assert report["technology"]["f1"] >= 0.9
    assert report["actors"]["f1"] >= 0.9
    assert report["duration"]["exact_match"] >= 0.85


def test_moratorium_durations_are_normalised(extractor):
    assert one(extractor, "No department shall use drones until June 30, 2027.", "moratorium").duration == {"end": "2027-06-30"}
    assert one(extractor, "For a period of eighteen (18) months, no agency may use face recognition.", "moratorium").duration == {"months": 18}
    assert one(extractor, "Use of gunshot detection is suspended for 90 days.", "moratorium").duration == {"months": 3}
    assert one(extractor, "No agency shall use face recognition until the Legislature enacts a statute authorizing it.", "moratorium").duration == {"condition": "statute"}
    assert one(extractor, "The Sheriff shall not fly drones pending the task force's final report.", "moratorium").duration == {"condition": "report"}
    assert one(extractor, "Plate readers are switched off through the end of calendar year 2026.", "moratorium").duration == {"end": "2026-12-31"}
    assert one(extractor, "No department shall use drones until June 30, 2027.", "full_ban").duration is None


def test_technology_actors_exceptions_and_effective_date(extractor):
    found = one(
        extractor,
        "Beginning January 1, 2026, no County Sheriff's Office and no vendor acting for it shall apply face recognition "
        "to body-worn camera footage, except to identify a deceased person.",
    )
    assert found.technology == ["face_recognition", "body_worn_cameras"]
    assert found.actors == ["police", "vendors"]
    assert found.exceptions == ["except to identify a deceased person"]
    assert found.effective == "2026-01-01"
    opening = one(extractor, "Except as provided in Section 5, a store within the Town shall not collect faceprints.", "full_ban")
    assert opening.exceptions == ["Except as provided in Section 5"]
    assert opening.actors == ["private_entities"]  # "within the Town" names a place, not who is bound


def test_none_clauses_get_no_attributes(extractor):
    assert one(extractor, "'Face recognition' means an automated process.", "none").technology == []


def test_scan_explain_and_attribute_columns(tmp_path):
    result = runner.invoke(app, ["scan", str(SAMPLE_PDF), "--explain"])
    assert result.exit_code == 0
    assert "why: " in result.stdout and "runner-up" in result.stdout
    assert "until 2028-03-31" in result.stdout
    assert "moratoria end: 2028-03-31" in result.stdout
    rows = {r["section"]: r for r in map(json.loads, runner.invoke(app, ["scan", str(SAMPLE_PDF), "-f", "jsonl", "--explain"]).stdout.splitlines())}
    moratorium = rows["9.64.040"]
    assert moratorium["technology"] == ["drones"] and moratorium["duration_end"] == "2028-03-31"
    assert moratorium["why"][0][0] and moratorium["why"][0][1] > 0
    assert moratorium["runner_up"] != "moratorium" and 0 <= moratorium["runner_up_probability"] < 0.5
    consent = rows["9.64.050"]
    assert consent["actors"] == ["private_entities"] and consent["exceptions"][0].startswith("unless it first informs")
    csv_out = runner.invoke(app, ["scan", str(SAMPLE_PDF), "-f", "csv"]).stdout
    assert "technology,actors,exceptions,duration_end" in csv_out.splitlines()[0]


def test_evaluate_attributes_command():
    result = runner.invoke(app, ["evaluate-attributes", str(ATTRIBUTE_FILES[0])])
    assert result.exit_code == 0 and "technology   precision" in result.stdout
    bad = runner.invoke(app, ["evaluate-attributes", "/no/such.jsonl"])
    assert bad.exit_code == 5 and "no such file" in bad.stderr
