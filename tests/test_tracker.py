"""Tracker export: `batch --tracker`, one row per document in the columns trackers keep."""

from __future__ import annotations

import csv
import shutil

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from banclassify.tracker import TRACKER_FIELDS, document_facts
from conftest import REALDATA, SAMPLE_PDF

runner = CliRunner()
AGENDAS = REALDATA / "agendas_ca"


def test_headings_of_ordinances_bills_and_resolutions():
    county = document_facts(
        "COUNTY OF KING HILL\nORDINANCE NO. 19-204\n\nAN ORDINANCE OF THE COUNTY OF KING HILL ADDING CHAPTER 2.90 "
        "TO PROHIBIT THE USE OF FACE RECOGNITION TECHNOLOGY.\n\nPassed and adopted on the 4th day of May, 2021.\n"
        "This ordinance shall take effect on July 1, 2021.\n"
    )
    assert (county.jurisdiction, county.kind, county.number, county.adopted, county.effective) == (
        "County of King Hill", "ordinance", "19-204", "2021-05-04", "2021-07-01")
    assert county.title.startswith("AN ORDINANCE OF THE COUNTY OF KING HILL ADDING CHAPTER 2.90")

    bill = document_facts("CALIFORNIA LEGISLATURE 2023-24 REGULAR SESSION\nASSEMBLY BILL No. 642\n\n"
                          "An act to add Section 13665 to the Penal Code, relating to facial recognition.\n")
    assert (bill.jurisdiction, bill.state, bill.kind, bill.number) == ("State of California", "California", "bill", "AB 642")

    resolution = document_facts("City and County of Port Ellis\nRESOLUTION NO. 2020-31\nA RESOLUTION APPROVING A "
                                "SURVEILLANCE USE POLICY FOR AUTOMATED LICENSE PLATE READERS\n")
    assert (resolution.jurisdiction, resolution.kind, resolution.number) == ("City and County of Port Ellis", "resolution", "2020-31")


def test_nothing_stated_gives_empty_fields_not_guesses():
    facts = document_facts("Item 4. Receive and file the report on street sweeping.\n")
    assert (facts.jurisdiction, facts.state, facts.kind, facts.number, facts.adopted, facts.meeting_date) == ("",) * 6


def tracker_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == TRACKER_FIELDS
        return list(reader)


def test_batch_tracker_has_one_row_per_document_with_rules_and_sections(tmp_path):
    folder = tmp_path / "council"
    folder.mkdir()
    shutil.copy(SAMPLE_PDF, folder)
    (folder / "resolution.txt").write_text(
        "CITY OF WEST ALDER\nRESOLUTION NO. 2026-14\n\nSection 1. Until June 30, 2027, no City department shall "
        "acquire or use automated license plate readers.\n\nAdopted on March 3, 2026.\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    target = tmp_path / "tracker.csv"
    result = runner.invoke(app, ["batch", str(folder), "-o", str(tmp_path / "c.jsonl"), "-s", str(tmp_path / "d.csv"),
                                 "--tracker", str(target), "-j", "1"])
    assert result.exit_code == 6, result.output
    rows = {row["path"]: row for row in tracker_rows(target)}
    assert list(rows) == ["broken.pdf", "resolution.txt", "sample_agenda_packet.pdf"]
    sample = rows["sample_agenda_packet.pdf"]
    assert (sample["jurisdiction"], sample["kind"], sample["meeting_date"], sample["strongest_label"]) == (
        "City of Harbor Point", "agenda", "2026-03-10", "full_ban")
    assert sample["rules"].startswith("full_ban: 9.64.020(A); moratorium: 9.64.040;")
    assert "oversight_policy: 9.64.020(B), 9.64.060(A), 9.64.060(B)" in sample["rules"]
    assert sample["moratorium_end"] == "2028-03-31" and "drones" in sample["technologies"]
    resolution = rows["resolution.txt"]
    assert (resolution["jurisdiction"], resolution["kind"], resolution["number"], resolution["adopted"]) == (
        "City of West Alder", "resolution", "2026-14", "2026-03-03")
    assert resolution["rules"] == "moratorium: 1" and resolution["moratorium_end"] == "2027-06-30"
    assert rows["broken.pdf"]["status"].startswith("corrupt") and rows["broken.pdf"]["jurisdiction"] == ""
    assert len(sample["sha256"]) == 64

    # --resume keeps the rows of documents done before.
    (folder / "late.txt").write_text("TOWN OF BRISK\nAGENDA\nRegular Meeting of the Town Council\nMay 5, 2026\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(folder), "-o", str(tmp_path / "c.jsonl"), "-s", str(tmp_path / "d.csv"),
                                 "--tracker", str(target), "-j", "1", "--resume"])
    rows = {row["path"]: row for row in tracker_rows(target)}
    assert rows["sample_agenda_packet.pdf"]["rules"] == sample["rules"]
    assert (rows["late.txt"]["jurisdiction"], rows["late.txt"]["kind"], rows["late.txt"]["meeting_date"]) == (
        "Town of Brisk", "agenda", "2026-05-05")


@pytest.mark.skipif(not AGENDAS.is_dir(), reason="../shared/realdata/agendas_ca is not beside the project")
def test_tracker_on_the_real_california_agendas(tmp_path):
    target = tmp_path / "tracker.csv"
    result = runner.invoke(app, ["batch", str(AGENDAS), "-o", str(tmp_path / "c.jsonl"), "-s", str(tmp_path / "d.csv"),
                                 "--tracker", str(target), "--engine", "pdfium", "--ocr", "never", "-j", "2"])
    rows = {row["path"]: row for row in tracker_rows(target)}
    assert len(rows) == len(list(AGENDAS.glob("*.pdf")))
    read = [r for r in rows.values() if r["status"] == "ok"]
    # What the agendas say on their first page (checked by reading them).
    assert rows["baldwinpark_agenda_1.pdf"]["jurisdiction"] == "City of Baldwin Park"
    assert rows["baldwinpark_agenda_1.pdf"]["meeting_date"] == "2022-11-02"
    assert rows["ladwp_2.pdf"]["jurisdiction"] == "City of Los Angeles"
    assert rows["hermosa_beach_agenda_1.pdf"]["state"] == "California"
    assert sum(r["kind"] == "agenda" for r in read) >= len(read) - 2
    assert sum(r["jurisdiction"].startswith("City of ") for r in read) >= len(read) - 3
    # Agendas on sewers and zoning: no surveillance rule, so no rule types and no moratorium.
    assert all(r["rules"] == "" and r["strongest_label"] == "none" for r in read)
    assert all(r["jurisdiction"] != "City of Speaker Request" for r in read)
