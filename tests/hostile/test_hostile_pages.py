"""Pages are counted as they are read, and OCR renders every page within a pixel budget."""

from __future__ import annotations

import shutil
import pytest

from hostile import empty_page_pdf, measured, one_line_error, pdf, read_summary, run, stream, text_page_pdf

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")


@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
def test_a_page_tree_that_holds_more_pages_than_its_count_cannot_pass_max_pages(tmp_path, engine):
    lying = tmp_path / "lying.pdf"
    lying.write_bytes(text_page_pdf(pages=100_000, count=1))  # 16 MB: 100,000 page objects, /Count 1
    result = run("scan", lying, "--max-pages", "5", "--engine", engine, timeout=120)
    stderr = one_line_error(result)
    if engine == "pdfplumber":
        # pdfminer walks the tree itself: it stops at page 6 and says so.
        assert result.returncode == 3, stderr
        assert stderr.strip().splitlines() == [
            f"banclassify: error: {lying}: too many pages (more than 5 in its page tree, though the file declares 1; the limit is --max-pages 5)"
        ]
    else:
        # PDFium believes /Count: one page, which is within the limit.
        assert result.returncode == 0, stderr
        assert "1 page(s)" in result.stdout


def test_a_lying_page_tree_is_one_failed_row_in_a_batch(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lying.pdf").write_bytes(text_page_pdf(pages=3000, count=2))
    (docs / "fine.pdf").write_bytes(text_page_pdf(pages=1))
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    result = run("batch", docs, "--out", out, "--summary", summary, "--max-pages", "10", "--jobs", "1", "--no-cache", "--quiet")
    stderr = one_line_error(result)
    assert result.returncode == 6, stderr
    rows = read_summary(summary)
    assert rows["fine.pdf"]["status"] == "ok"
    assert rows["lying.pdf"]["status"] == "too many pages (more than 10 in its page tree, though the file declares 2; the limit is --max-pages 10)"


def test_the_render_scale_keeps_any_page_within_the_pixel_budget():
    from banclassify.documents.ocr import DPI, MAX_PAGE_PIXELS, render_scale

    assert render_scale(612, 792) == DPI / 72  # an ordinary page: full resolution
    for side in (14_400, 1e6, 1e9, 1e300):
        scale = render_scale(side, side)
        assert 0 < scale < DPI / 72
        assert (side * scale) ** 2 <= MAX_PAGE_PIXELS * 1.0001
    for broken in (0, -5, float("inf"), float("nan")):
        assert render_scale(broken, 792) == 0


@needs_tesseract
@pytest.mark.parametrize("mediabox", [b"[0 0 14400 14400]", b"[0 0 1e9 1e9]"])
def test_an_empty_page_of_any_size_is_rendered_within_the_budget(tmp_path, mediabox):
    page = tmp_path / "page.pdf"
    page.write_bytes(empty_page_pdf(mediabox))
    result, peak_mb = measured("scan", page)
    stderr = one_line_error(result)
    assert result.returncode == 3, stderr
    assert stderr.strip().splitlines()[-1] == f"banclassify: error: {page}: no text found: all pages are scanned images and OCR read no text from them"
    # At 300 dpi the 14,400-point page alone would be a 60,000 x 60,000 bitmap: 10.8 GB.
    assert peak_mb < 1500, peak_mb


@needs_tesseract
def test_a_poster_sized_scan_is_read_at_a_lower_resolution_with_a_warning_naming_the_page(tmp_path):
    side = 14_400
    content = stream(b"BT /F1 200 Tf 600 9000 Td (No drones.) Tj ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        content,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>" % (side, side),
    ]
    poster = tmp_path / "poster.pdf"
    poster.write_bytes(pdf(objects))
    result, peak_mb = measured("scan", poster, "--ocr", "always", "--all")
    stderr = one_line_error(result)
    assert result.returncode == 0, stderr
    assert f"banclassify: warning: {poster}: page 1 is 14400 x 14400 pt: rendered for OCR at 32 dpi instead of 300" in stderr
    assert "No drones" in result.stdout, result.stdout
    assert peak_mb < 1500, peak_mb
