"""Nothing read silently short: skipped scans, cut-off and damaged files, engines that cannot
open a file, files batch would have missed, and limits that a file's name must not get around."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from banclassify.documents import extract
from banclassify.errors import InputError
from banclassify.limits import Limits
from conftest import REALDATA, SAMPLE_PDF
from pdfgen import write_front_loaded_pdf
from test_ocr import SCANNED_RULE, fake_tesseract, scanned_packet

runner = CliRunner()
TOPICS = "harbor library airport cemetery zoning sewer parks fleet payroll bridge transit water museum pool golf".split()
PAGES = [
    f"Item {n + 1} concerns the {topic} program.\nThe {topic} budget of {1000 * (n + 1)} dollars was adopted."
    for n, topic in enumerate(TOPICS)
]
PAGES[1] = "No City department shall obtain or use any face recognition technology.\nThe ban takes effect at once."
MISSOURI = REALDATA / "courts_scanned_and_linenumbered" / "missouri.pdf"


def batch(folder: Path, tmp_path: Path, *args: str):
    out, summary = tmp_path / "clauses.jsonl", tmp_path / "documents.csv"
    result = runner.invoke(app, ["batch", str(folder), "--out", str(out), "--summary", str(summary), "--quiet", "--jobs", "1", *args])
    with open(summary, newline="") as handle:
        rows = {row["path"]: row for row in csv.DictReader(handle)}
    return result, rows


def cut_off(path: Path, fraction: float = 0.4) -> Path:
    """The first ``fraction`` of a file's bytes, as an interrupted download leaves it."""
    data = path.read_bytes()
    target = path.with_name(f"cut-{path.name}")
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


# 16.4: scanned pages skipped for want of Tesseract --------------------------------------------


def tesseract_words(sentence: str) -> str:
    """Tesseract's TSV for one line of words at 300 dpi, as ``tesseract page.png stdout tsv`` prints it."""
    rows = ["level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"]
    left = 300
    for number, word in enumerate(sentence.split(), start=1):
        width = 40 * len(word)
        rows.append(f"5\t1\t1\t1\t1\t{number}\t{left}\t1000\t{width}\t60\t95.0\t{word}")
        left += width + 30
    return "\n".join(rows) + "\n"


def test_skipped_scans_make_a_document_partial_and_a_run_with_tesseract_reads_them(tmp_path, make_pdf, monkeypatch):
    monkeypatch.setenv("BANCLASSIFY_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "agendas"
    folder.mkdir()
    shutil.move(scanned_packet(tmp_path, make_pdf), folder / "norwalk.pdf")
    cat = shutil.which("cat")
    no_tesseract = tmp_path / "bin-without-tesseract"
    no_tesseract.mkdir()
    monkeypatch.setenv("PATH", str(no_tesseract))

    result, rows = batch(folder, tmp_path)
    row = rows["norwalk.pdf"]
    assert result.exit_code == 0, result.output
    assert (row["status"], row["pages"], row["ocr_pages"], row["skipped_pages"]) == ("partial", "3", "", "2")
    assert row["skipped_why"] == "scanned, Tesseract not installed"
    assert row["full_ban_count"] == "0"
    assert "1 of 1 document(s) labelled (1 partial, 0 damaged)" in result.stderr
    assert "3 pages (0 read by OCR, 1 skipped)" in result.stderr
    assert "banclassify: partial: norwalk.pdf: page 2 are scanned images without a text layer and were skipped" in result.stderr

    # Tesseract installed afterwards: the cached OCR-less extraction must not answer for the document.
    words = tmp_path / "page.tsv"
    words.write_text(tesseract_words(SCANNED_RULE))
    fake_tesseract(tmp_path, monkeypatch, f"{cat} {words}")
    result, rows = batch(folder, tmp_path)
    row = rows["norwalk.pdf"]
    assert (row["status"], row["ocr_pages"], row["skipped_pages"], row["skipped_why"]) == ("ok", "2", "", "")
    assert row["full_ban_count"] == "1" and row["full_ban_pages"] == "2"
    assert "0 from cache" in result.stderr and "(1 read by OCR, 0 skipped)" in result.stderr


# 16.5: cut-off and damaged files ---------------------------------------------------------------


@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
@pytest.mark.parametrize("xref_stream", [False, True], ids=["xref-table", "xref-stream"])
def test_a_cut_off_download_is_reported_damaged_not_short(tmp_path, engine, xref_stream):
    whole = write_front_loaded_pdf(tmp_path / "packet.pdf", PAGES, xref_stream=xref_stream)
    assert extract(whole, engine=engine).warnings == []  # the complete file is sound
    path = cut_off(whole)
    document = extract(path, engine=engine)
    read = [p.number for p in document.pages]
    assert read and read[-1] < 15
    assert document.page_count == 15
    assert document.unreadable_pages == list(range(read[-1] + 1, 16))
    assert document.damage.startswith("damaged PDF: the file ends before its end-of-file marker: it is cut off")
    assert f"the file declares 15 pages but pages {read[-1] + 1}-15 could not be read" in document.damage

    result = runner.invoke(app, ["scan", str(path), "--engine", engine, "--format", "jsonl"])
    assert result.exit_code == 0
    assert f"banclassify: warning: {path}: damaged PDF: " in result.stderr
    assert [json.loads(line)["label"] for line in result.stdout.splitlines()] == ["full_ban"]


def test_a_damaged_cross_reference_table_is_named(tmp_path):
    data = write_front_loaded_pdf(tmp_path / "packet.pdf", PAGES).read_bytes()
    # startxref pointing into the middle of an object, as after an edit that moved bytes.
    offset = data.rindex(b"startxref\n") + len(b"startxref\n")
    path = tmp_path / "moved.pdf"
    path.write_bytes(data[:offset] + b"%d\n%%%%EOF\n" % (data.index(b"/Type /Font")))
    document = extract(path)
    assert "cross-reference table is damaged" in document.damage


def test_batch_gives_damaged_documents_their_own_status(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    cut_off(write_front_loaded_pdf(folder / "packet.pdf", PAGES)).rename(folder / "cut.pdf")
    result, rows = batch(folder, tmp_path)
    assert result.exit_code == 0
    assert rows["packet.pdf"]["status"] == "ok" and rows["packet.pdf"]["warnings"] == ""
    cut = rows["cut.pdf"]
    assert cut["status"] == "damaged" and cut["pages"] == "15"
    assert cut["skipped_why"] == "unreadable (damaged file)" and cut["skipped_pages"].split()[-1] == "15"
    assert cut["warnings"].startswith("damaged PDF: ")
    assert "(0 partial, 1 damaged)" in result.stderr
    assert "banclassify: damaged: cut.pdf: damaged PDF: the file ends before its end-of-file marker" in result.stderr


def test_a_file_cut_before_any_page_is_still_an_error(tmp_path):
    path = cut_off(write_front_loaded_pdf(tmp_path / "packet.pdf", PAGES), fraction=0.05)
    result = runner.invoke(app, ["scan", str(path)])
    assert result.exit_code == 3
    assert "corrupt or truncated PDF" in result.stderr and str(path) in result.stderr


# 16.6: one engine cannot open the file, the other can -------------------------------------------


def broken_like_missouri(tmp_path: Path) -> Path:
    """Junk before the header shifts every offset; pdfminer then finds "No /Root object!", PDFium reads it."""
    return write_front_loaded_pdf(tmp_path / "court.pdf", PAGES, xref_stream=True, junk=b"garbage line\n" * 3)


def test_the_other_engine_reads_what_pdfplumber_cannot_open(tmp_path):
    path = broken_like_missouri(tmp_path)
    document = extract(path, engine="pdfplumber")
    assert len(document.pages) == 15
    assert document.warnings == [
        "pdfplumber cannot open it: corrupt or truncated PDF (No /Root object! - Is this really a PDF?); read with PDFium instead"
    ]
    result = runner.invoke(app, ["scan", str(path), "--format", "jsonl"])
    assert result.exit_code == 0
    assert f"banclassify: warning: {path}: pdfplumber cannot open it" in result.stderr
    assert [json.loads(line)["page"] for line in result.stdout.splitlines()] == [2]
    folder = tmp_path / "court"
    folder.mkdir()
    shutil.move(path, folder / "court.pdf")
    result, rows = batch(folder, tmp_path)
    assert rows["court.pdf"]["status"] == "ok" and "read with PDFium instead" in rows["court.pdf"]["warnings"]
    assert "banclassify: warning: court.pdf: pdfplumber cannot open it" in result.stderr


def test_a_file_neither_engine_opens_keeps_the_first_engines_reason(tmp_path):
    path = tmp_path / "half.pdf"
    path.write_bytes(SAMPLE_PDF.read_bytes()[: SAMPLE_PDF.stat().st_size // 2])
    with pytest.raises(InputError, match=r"corrupt or truncated PDF \(Unexpected EOF\)"):
        extract(path)


@pytest.mark.skipif(not MISSOURI.exists(), reason="the real court filings are not beside the project")
def test_the_real_missouri_filing_is_read_with_pdfium_and_says_so():
    result = runner.invoke(app, ["scan", str(MISSOURI), "--format", "jsonl", "--all"])
    assert result.exit_code == 0, result.stderr
    assert "pdfplumber cannot open it: corrupt or truncated PDF (No /Root object!" in result.stderr
    assert "read with PDFium instead" in result.stderr
    assert len(result.stdout.splitlines()) > 20


# 16.12: what batch finds, and what it names as skipped -----------------------------------------


def test_batch_finds_pdfs_by_content_and_names_what_it_skipped(tmp_path):
    folder = tmp_path / "legistar"
    folder.mkdir()
    write_front_loaded_pdf(folder / "View.ashx?M=A&ID=1149263", PAGES)
    # A server's junk before the header, as in missouri.pdf: still a PDF for readers that accept it.
    write_front_loaded_pdf(folder / "View.ashx?M=A&ID=1149264", PAGES[::-1], xref_stream=True, junk=b"%%EOF\n")
    (folder / "about-pdf.txt").write_text("A note on the %PDF- header.\n\nNo department shall use drones.\n")
    (folder / "budget.xlsx").write_bytes(b"PK\x03\x04 a spreadsheet")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 a word file")
    out, summary = folder / "clauses.jsonl", folder / "documents.csv"
    args = ["batch", str(folder), "--out", str(out), "--summary", str(summary), "--quiet", "--jobs", "1"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "3 of 3 document(s) labelled" in first.stderr
    assert "skipped 0 hidden and 2 unsupported file(s)" in first.stderr
    assert "banclassify: unsupported (skipped): budget.xlsx, notes.docx" in first.stderr
    with open(summary, newline="") as handle:
        rows = {row["path"]: row for row in csv.DictReader(handle)}
    assert list(rows) == ["View.ashx?M=A&ID=1149263", "View.ashx?M=A&ID=1149264", "about-pdf.txt"]
    assert [row["engine"] for row in rows.values()] == ["pdfplumber", "pdfplumber", "text"]
    assert all(row["status"] == "ok" for row in rows.values())
    # A rerun finds the first run's clauses.jsonl and documents.csv in the folder: they are its own.
    second = runner.invoke(app, args)
    assert "skipped 0 hidden and 2 unsupported file(s)" in second.stderr


def test_verbose_batch_names_every_skipped_file(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "rule.txt").write_text("No department shall use drones.\n")
    for n in range(7):
        (folder / f"sheet{n}.xlsx").write_bytes(b"PK\x03\x04")
    args = ["batch", str(folder), "--out", str(tmp_path / "c.jsonl"), "--summary", str(tmp_path / "d.csv"), "--quiet", "--jobs", "1"]
    short = runner.invoke(app, args)
    assert "sheet0.xlsx, sheet1.xlsx, sheet2.xlsx, sheet3.xlsx, sheet4.xlsx and 2 more (--verbose names them)" in short.stderr
    full = runner.invoke(app, [*args, "--verbose"])
    assert "sheet4.xlsx, sheet5.xlsx, sheet6.xlsx" in full.stderr and "more" not in full.stderr


# 16.13: limits apply to what a file is, in every command ----------------------------------------


def test_a_pdf_named_txt_does_not_get_around_max_pages(tmp_path):
    path = tmp_path / "packet.txt"
    write_front_loaded_pdf(path, PAGES)
    refused = "too many pages (15; the limit is --max-pages 3)"
    with pytest.raises(InputError, match=refused.replace("(", r"\(").replace(")", r"\)")):
        extract(path, limits=Limits(max_pages=3))

    scan = runner.invoke(app, ["scan", str(path), "--max-pages", "3"])
    assert scan.exit_code == 3 and scan.stderr.strip() == f"banclassify: error: {path}: {refused}"

    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(path, folder / "packet.txt")
    result, rows = batch(folder, tmp_path, "--max-pages", "3")
    assert rows["packet.txt"]["status"] == refused

    annotate = runner.invoke(app, ["annotate", str(path), "--max-pages", "3", "--to", str(tmp_path / "a.jsonl")], input="q\n")
    assert f"banclassify: warning: {path}: {refused} (skipped)" in annotate.stderr


def test_size_and_time_limits_apply_to_annotate_too(tmp_path):
    path = tmp_path / "packet.pdf"
    write_front_loaded_pdf(path, PAGES)
    annotate = runner.invoke(app, ["annotate", str(path), "--max-mb", "0.001", "--to", str(tmp_path / "a.jsonl")], input="q\n")
    assert "too large" in annotate.stderr and "the limit is --max-mb 0.001" in annotate.stderr
    with pytest.raises(InputError, match="too large"):
        extract(path, limits=Limits(max_mb=0.001))


def test_the_time_limit_is_applied_where_every_command_reads(tmp_path, make_pdf, monkeypatch):
    path = scanned_packet(tmp_path, make_pdf)
    fake_tesseract(tmp_path, monkeypatch, "exec sleep 30")
    with pytest.raises(InputError, match=r"timed out after 1 s \(raise --timeout to allow more\)"):
        extract(path, limits=Limits(timeout=1))
    annotate = runner.invoke(app, ["annotate", str(path), "--timeout", "1", "--to", str(tmp_path / "a.jsonl")], input="q\n")
    assert f"banclassify: warning: {path}: timed out after 1 s" in annotate.stderr
