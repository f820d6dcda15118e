"""OCR for pages without a usable text layer: render with PDFium, read with Tesseract.

Tesseract's word boxes go through the same layout layer as any engine's words, so
scanned pages get the same cleanup and segmentation as digital ones.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from .layout import Word

OCR_MODES = ("auto", "always", "never")
DPI = 300
# A page whose text layer has fewer characters than this, while images cover most of
# it, is a scan with (at most) a stamped header: read it by OCR.
HEADER_ONLY_CHARS = 200
IMAGE_COVER = 0.5
INSTALL_HINT = "install Tesseract to read them (Debian/Ubuntu: sudo apt-get install tesseract-ocr; macOS: brew install tesseract)"


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def needs_ocr(chars: int, image_cover: float, mode: str, min_chars: int) -> bool:
    if mode == "never":
        return False
    if mode == "always":
        return True
    return chars < min_chars or (chars < HEADER_ONLY_CHARS and image_cover >= IMAGE_COVER)


def read_page(path: Path, number: int) -> list[Word]:
    """OCR one page (1-based) into positioned words, in PDF points."""
    import pypdfium2

    scale = DPI / 72
    document = pypdfium2.PdfDocument(str(path))
    try:
        image = document[number - 1].render(scale=scale).to_pil()
    finally:
        document.close()
    with tempfile.TemporaryDirectory(prefix="banclassify-ocr-") as folder:
        png = Path(folder) / "page.png"
        image.save(png)
        result = subprocess.run(
            ["tesseract", str(png), "stdout", "--psm", "3", "tsv"],
            capture_output=True, text=True, timeout=300,
        )
    if result.returncode != 0:
        raise RuntimeError(f"tesseract failed: {result.stderr.strip()[:120]}")
    words = []
    for row in csv.DictReader(io.StringIO(result.stdout), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text or float(row.get("conf") or -1) < 0:
            continue
        left, top, width, height = (float(row[k]) / scale for k in ("left", "top", "width", "height"))
        words.append(Word(text, left, left + width, top, top + height, True))
    return words
