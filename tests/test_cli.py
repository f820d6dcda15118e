"""The command line, driven as a user drives it: on the sample packet and on bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from banclassify import LABELS
from conftest import SAMPLE_PDF, SHIPPED_MODEL

runner = CliRunner()

EXPECTED_SAMPLE = {
    "9.64.020(A)": ("full_ban", 3),
    "9.64.020(B)": ("oversight_policy", 3),  # an exception procedure inside the ban (LABELS.md)
    "9.64.030": ("realtime_ban", 3),
    "9.64.040": ("moratorium", 3),
    "9.64.050": ("consent_requirement", 3),
    "9.64.060(A)": ("oversight_policy", 4),
    "9.64.060(B)": ("oversight_policy", 4),
    "9.64.010(A)": ("none", 3),
    "9.64.070": ("none", 4),
}


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def scan_rows(*extra: str) -> list[dict]:
    result = run("scan", str(SAMPLE_PDF), "--format", "jsonl", "--all", *extra)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_scan_labels_the_sample_ordinance_with_pages_and_sections():
    rows = {row["section"]: row for row in scan_rows()}
    for section, (label, page) in EXPECTED_SAMPLE.items():
        assert rows[section]["label"] == label, (section, rows[section]["text"])
        assert rows[section]["page"] == page


def test_scan_rows_carry_the_documented_schema():
    rows = scan_rows()
    for row in rows:
        for field in ("file", "page", "section", "heading", "start", "end", "label", "confidence", "text"):
            assert field in row
        probabilities = [row[f"p_{label}"] for label in LABELS]
        assert abs(sum(probabilities) - 1) < 0.01
        assert row["confidence"] == max(probabilities)
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)


def test_scan_table_hides_none_and_summarises():
    result = run("scan", str(SAMPLE_PDF))
    assert result.exit_code == 0
    out = result.stdout
    assert "9.64.020(A)" in out and "full_ban" in out
    assert "9.64.010(A)" not in out  # a definition: none, hidden without --all
    assert "strongest label: full_ban" in out
    assert "consent_requirement" in out


def test_scan_json_summary_and_output_file(tmp_path):
    target = tmp_path / "out.json"
    result = run("scan", str(SAMPLE_PDF), "--format", "json", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    payload = json.loads(target.read_text())
    assert payload["strongest_label"] == "full_ban"
    assert payload["pages"] == 4
    assert 3 in payload["labels"]["full_ban"]["pages"]
    assert all(c["label"] != "none" for c in payload["clauses_shown"])


def test_scan_csv_has_every_label_probability():
    result = run("scan", str(SAMPLE_PDF), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and set(f"p_{label}" for label in LABELS) <= set(rows[0])


def test_min_confidence_hides_weaker_rules():
    everything = scan_rows()
    operative = [r for r in everything if r["label"] != "none"]
    threshold = sorted(r["confidence"] for r in operative)[len(operative) // 2]
    result = run("scan", str(SAMPLE_PDF), "--format", "jsonl", "--min-confidence", str(threshold))
    kept = [json.loads(line) for line in result.stdout.splitlines()]
    assert kept and len(kept) < len(operative)
    assert all(r["confidence"] >= threshold for r in kept)


def test_scan_of_a_text_file_with_nothing_found_exits_zero(tmp_path):
    path = tmp_path / "minutes.txt"
    path.write_text("The Council approved the minutes. The meeting adjourned at 8 p.m.\n")
    result = run("scan", str(path))
    assert result.exit_code == 0
    assert "no surveillance rule found" in result.stdout


def test_classify_arguments_stdin_and_jsonl_keep_order_and_fields(tmp_path):
    result = run("classify", "--format", "jsonl", "No City department shall acquire or use face recognition technology.")
    assert json.loads(result.stdout)["label"] == "full_ban"

    lines = "Approve the warrant register for March.\nThe sheriff shall not use face recognition on live body camera video.\n"
    result = run("classify", "--format", "jsonl", input=lines)
    assert [json.loads(l)["label"] for l in result.stdout.splitlines()] == ["none", "realtime_ban"]

    source = tmp_path / "clauses.jsonl"
    source.write_text(
        json.dumps({"id": 7, "text": "A store shall not collect a customer's faceprint without written consent."}) + "\n"
        + json.dumps({"id": 8, "text": "The parking fine for street sweeping days is $55."}) + "\n"
    )
    result = run("classify", "--input", str(source), "--format", "jsonl")
    rows = [json.loads(l) for l in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [7, 8]
    assert [r["label"] for r in rows] == ["consent_requirement", "none"]


def test_classify_one_document_reads_each_clause_in_its_surroundings(tmp_path):
    ordinance = tmp_path / "ordinance.txt"
    ordinance.write_text(
        "Sec. 1. \"Automated license plate reader\" means a camera system that captures and stores plate numbers.\n"
        "Sec. 2. The Police Department shall adopt a use policy for the plate reader system before its first use.\n"
        "Sec. 3. Staff assigned to the unit shall complete eight hours of training before they are given access.\n"
        "Sec. 4. Plate reads that match no hotlist shall be deleted after 30 days.\n"
    )
    alone = [json.loads(l) for l in run("classify", "--input", str(ordinance), "-f", "jsonl").stdout.splitlines()]
    together = [json.loads(l) for l in run("classify", "--input", str(ordinance), "-f", "jsonl", "--one-document").stdout.splitlines()]
    assert len(alone) == len(together) == 4
    assert together[2]["p_oversight_policy"] > alone[2]["p_oversight_policy"]


def test_version_and_help_on_every_command():
    assert run("--version").stdout.startswith("banclassify ")
    for command in ("scan", "classify", "batch", "annotate", "import", "train", "evaluate", "evaluate-attributes", "info", "clear-cache"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout


def make_scanned_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for _ in range(2):
        pdf.rect(72, 72, 400, 600, fill=1)  # a page that is only a picture
        pdf.showPage()
    pdf.save()
    return path


def bad_inputs(tmp_path: Path, make_pdf) -> dict[str, tuple[Path, str]]:
    sample = SAMPLE_PDF.read_bytes()
    cases = {
        "missing": (tmp_path / "nope.pdf", "no such file"),
        "directory": (tmp_path, "is a directory"),
        "not a pdf": (tmp_path / "fake.pdf", "not a PDF"),
        "truncated": (tmp_path / "truncated.pdf", "corrupt or truncated PDF"),
        "garbage xref": (tmp_path / "xref.pdf", "corrupt or truncated PDF"),
        "encrypted": (make_pdf(["The secret minutes of the closed session."], name="enc.pdf", encrypt="pw"), "encrypted PDF"),
        "scanned": (make_scanned_pdf(tmp_path / "scan.pdf"), "scanned images"),
        "empty text": (tmp_path / "empty.txt", "empty document"),
        "wrong type": (tmp_path / "table.xlsx", "unsupported file type"),
    }
    (tmp_path / "fake.pdf").write_text("This is only text pretending to be a PDF.")
    (tmp_path / "truncated.pdf").write_bytes(sample[: len(sample) // 2])
    (tmp_path / "xref.pdf").write_bytes(sample.replace(b"xref", b"xxxx").replace(b"/Root", b"/Toor"))
    (tmp_path / "empty.txt").write_text("  \n\n")
    (tmp_path / "table.xlsx").write_bytes(b"PK\x03\x04 not really")
    return cases


def test_every_bad_input_gets_one_clear_line_and_a_nonzero_exit(tmp_path, make_pdf):
    for name, (path, message) in bad_inputs(tmp_path, make_pdf).items():
        result = run("scan", str(path))
        assert result.exit_code == 3, (name, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (name, result.stderr)
        assert message in lines[0] and str(path) in lines[0], (name, lines[0])
        assert "Traceback" not in result.output


def test_partly_scanned_pdf_warns_and_reads_the_rest(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "mixed.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 700, "No City department shall obtain or use any face recognition technology.")
    pdf.showPage()
    pdf.rect(72, 72, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    result = run("scan", str(path), "--format", "jsonl", "--ocr", "never")
    assert result.exit_code == 0
    assert "no text layer on page 2" in result.stderr and "OCR" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["page"], r["label"]) for r in rows] == [(1, "full_ban")]


def test_bad_model_files(tmp_path):
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(b"not a pickle at all")
    result = run("scan", str(SAMPLE_PDF), "--model", str(broken))
    assert result.exit_code == 4 and "untrusted model file" in result.stderr
    result = run("scan", str(SAMPLE_PDF), "--model", str(broken), "--trust-model")
    assert result.exit_code == 4 and "unreadable model file" in result.stderr
    result = run("scan", str(SAMPLE_PDF), "--model", str(tmp_path / "none.joblib"))
    assert result.exit_code == 4 and "model file not found" in result.stderr


def test_model_from_another_scikit_learn_version_says_to_retrain(tmp_path):
    import shutil

    model = tmp_path / "old.joblib"
    shutil.copy(SHIPPED_MODEL, model)
    card = json.loads(SHIPPED_MODEL.with_suffix(".card.json").read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    model.with_suffix(".card.json").write_text(json.dumps(card))
    result = run("scan", str(SAMPLE_PDF), "--model", str(model), "--trust-model")
    assert result.exit_code == 4
    assert "scikit-learn 0.24.2" in result.stderr and "banclassify train" in result.stderr


@pytest.mark.parametrize(
    "content,message",
    [('{"text": "ok"}\n{not json\n', "<stdin>:2: not JSON"), ('{"id": 1}\n', "<stdin>:1: JSON object has no 'text' field"), ("", "empty input")],
)
def test_classify_bad_jsonl(content, message):
    result = run("classify", input=content)
    assert result.exit_code == 3
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_console_script_runs_in_a_subprocess():
    exe = Path(sys.executable).parent / "banclassify"
    result = subprocess.run([str(exe), "scan", str(SAMPLE_PDF), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["strongest_label"] == "full_ban"
    missing = subprocess.run([str(exe), "scan", "/no/such/file.pdf"], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 3
    assert missing.stderr.strip() == "banclassify: error: /no/such/file.pdf: no such file"


def test_scan_timings_show_loading_and_every_stage():
    result = run("scan", str(SAMPLE_PDF), "--timings")
    assert result.exit_code == 0, result.output
    line = next(l for l in result.stderr.splitlines() if l.startswith("timings: "))
    stages = [part.rsplit(" ", 2)[0] for part in line.removeprefix("timings: ").split(", ")]
    assert stages == ["load model", "extract", "segment", "normalise", "classify", "attributes", "report"]


PREPARE_PROBE = """
import gc
from banclassify.classify import ClauseClassifier
first = ClauseClassifier.load()
before = first.predict(["No drone shall fly over a public assembly."])
assert gc.get_freeze_count() == 0
first.prepare()
frozen = gc.get_freeze_count()
second = ClauseClassifier.load().prepare()
print(frozen, gc.get_freeze_count(), before == second.predict(["No drone shall fly over a public assembly."]))
"""


def test_prepare_freezes_what_is_loaded_once_per_process():
    # In a process of its own: freezing is process-wide, and pytest's process has run other commands.
    result = subprocess.run([sys.executable, "-c", PREPARE_PROBE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    frozen, frozen_after_second, same = result.stdout.split()
    # The libraries and the model are out of the collector's reach; a second model is not frozen too.
    assert int(frozen) > 50_000
    assert int(frozen_after_second) <= int(frozen)
    assert same == "True"


def test_classify_reads_heading_and_title_from_jsonl(tmp_path, classifier):
    rows = tmp_path / "rows.jsonl"
    clause = "Requests for recorded images shall be referred to the Watch Commander."
    rows.write_text(
        json.dumps({"text": clause, "heading": "Policy 377 Public Safety Video Surveillance > 377.4 Release", "title": "Police Manual"}) + "\n"
        + json.dumps({"text": clause}) + "\n"
    )
    result = run("classify", "--input", str(rows), "-f", "jsonl")
    assert result.exit_code == 0, result.output
    placed, bare = [json.loads(line) for line in result.stdout.splitlines()]
    assert placed["heading"].startswith("Policy 377") and "heading" not in bare
    # The model sees where each clause stands: its headings and title are columns of its input.
    seen = classifier.normalise([clause, clause], None, [placed["heading"], ""], ["Police Manual", ""])
    assert seen[0, 3:].tolist() == [placed["heading"], "Police Manual"] and seen[1, 3:].tolist() == ["", ""]
    assert placed["p_oversight_policy"] != bare["p_oversight_policy"]
