"""Scanned pages among digital ones: detected page by page and read by Tesseract."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from banclassify.documents import extract

runner = CliRunner()
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
SCANNED_RULE = "No City department shall obtain or use any face recognition technology."


def scanned_packet(tmp_path, make_pdf, header_layer: bool = False):
    """Page 1 digital, page 2 a picture of a page (as a scanner makes it), page 3 digital."""
    return mixed_pdf(
        tmp_path, make_pdf,
        ["The minutes of the March meeting were approved.", ["# ORDINANCE NO. 77", SCANNED_RULE, "The Council adjourned at nine."],
         "The budget was adopted unanimously."],
        header_layer,
    )


def mixed_pdf(tmp_path, make_pdf, pages, header_layer: bool = False):
    """One page per item: a string is a digital page, a list of paragraphs a scanned one."""
    import pypdfium2
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = tmp_path / "mixed.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for number, page in enumerate(pages, start=1):
        if isinstance(page, str):
            pdf.drawString(72, 700, page)
        else:
            source = make_pdf(page, name=f"source-{number}.pdf")
            document = pypdfium2.PdfDocument(str(source))
            picture = document[0].render(scale=300 / 72).to_pil().convert("L")
            document.close()
            pdf.drawImage(ImageReader(picture), 0, 0, width=letter[0], height=letter[1])
            if header_layer:
                pdf.setFont("Helvetica", 7)
                pdf.drawString(72, 770, "Received by the City Clerk")
        pdf.showPage()
    pdf.save()
    return path


@needs_tesseract
@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
@pytest.mark.parametrize("header_layer", [False, True], ids=["image-only", "header-only-text-layer"])
def test_scanned_page_is_read_by_ocr(tmp_path, make_pdf, engine, header_layer):
    path = scanned_packet(tmp_path, make_pdf, header_layer)
    document = extract(path, engine=engine)
    assert document.ocr_pages == [2]
    text = " ".join(document.pages[1].text.split())
    assert "face recognition technology" in text
    result = runner.invoke(app, ["scan", str(path), "--engine", engine, "--format", "jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["page"], r["label"]) for r in rows] == [(2, "full_ban")]


def test_ocr_never_skips_the_scanned_page_and_says_so(tmp_path, make_pdf):
    path = scanned_packet(tmp_path, make_pdf)
    result = runner.invoke(app, ["scan", str(path), "--ocr", "never", "--all", "--format", "jsonl"])
    assert result.exit_code == 0
    assert "no text layer on page 2" in result.stderr
    assert {json.loads(line)["page"] for line in result.stdout.splitlines()} == {1, 3}


def test_missing_tesseract_names_the_skipped_pages(tmp_path, make_pdf, monkeypatch):
    from banclassify.documents import ocr

    monkeypatch.setattr(ocr, "tesseract_available", lambda: False)
    path = scanned_packet(tmp_path, make_pdf)
    result = runner.invoke(app, ["scan", str(path), "--all", "--format", "jsonl"])
    assert result.exit_code == 0
    assert "page 2 are scanned images without a text layer and were skipped" in result.stderr
    assert "apt-get install tesseract-ocr" in result.stderr
    assert {json.loads(line)["page"] for line in result.stdout.splitlines()} == {1, 3}


@needs_tesseract
@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
def test_scanned_pages_are_read_in_parallel_and_kept_in_page_order(tmp_path, make_pdf, engine):
    scans = {
        2: "No department shall use drones over the park.",
        3: "The Police Department shall publish an annual report on its cameras.",
        5: "A store shall not collect a faceprint without written consent.",
    }
    pages = ["Call to order.", [scans[2]], [scans[3]], "Roll call.", [scans[5]]]
    path = mixed_pdf(tmp_path, make_pdf, pages)
    one, two = extract(path, engine=engine, jobs=1), extract(path, engine=engine, jobs=2)
    assert one.ocr_pages == two.ocr_pages == [2, 3, 5]
    assert [p.number for p in two.pages] == [1, 2, 3, 4, 5]
    assert [p.text for p in two.pages] == [p.text for p in one.pages]
    for number, sentence in scans.items():
        assert " ".join(sentence.split()[:4]) in " ".join(two.pages[number - 1].text.split())


def test_tesseract_runs_on_one_thread_unless_the_user_chose(monkeypatch):
    from banclassify.documents.ocr import tesseract_environment

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    assert tesseract_environment()["OMP_THREAD_LIMIT"] == "1"
    monkeypatch.setenv("OMP_THREAD_LIMIT", "3")
    assert tesseract_environment()["OMP_THREAD_LIMIT"] == "3"


def fake_tesseract(folder, monkeypatch, script: str):
    """Put a ``tesseract`` that runs ``script`` (sh) first on PATH."""
    import os

    program = folder / "tesseract"
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_a_page_tesseract_cannot_read_is_one_line_naming_the_page(tmp_path, make_pdf, monkeypatch):
    path = scanned_packet(tmp_path, make_pdf)
    fake_tesseract(tmp_path, monkeypatch, "echo 'Error: image too large' >&2; exit 1")
    result = runner.invoke(app, ["scan", str(path)])
    assert result.exit_code == 3
    assert result.stderr.strip() == f"banclassify: error: {path}: page 2 cannot be read by OCR (tesseract failed: Error: image too large)"


def test_timeout_stops_tesseract_too(tmp_path, make_pdf, monkeypatch):
    import os
    import subprocess
    import sys

    path = scanned_packet(tmp_path, make_pdf)
    pid_file = tmp_path / "tesseract.pid"
    fake_tesseract(tmp_path, monkeypatch, f"echo $$ > {pid_file}; exec sleep 120")
    exe = os.path.join(os.path.dirname(sys.executable), "banclassify")
    # The test's own limit (60 s) is far above the scan's --timeout: only a hang trips it.
    result = subprocess.run([exe, "scan", str(path), "--timeout", "5"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "timed out after 5 s" in result.stderr
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the page's Tesseract was stopped, not left running
