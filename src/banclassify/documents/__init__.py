"""The extract stage: a document file in, the clean text of its pages out.

``extract(path)`` reads a PDF (pdfplumber or PDFium, OCR for scanned pages),
text, Markdown or HTML file into an ``ExtractedDocument`` of ``PageText``
pages; ``segment`` takes it from there. Modules, one job each:

- ``types``: Word, Line, PageLines, PageText, ExtractedDocument, PdfPages;
- ``marks``: the codec of amendment marks (struck-through and underlined words);
- ``extract``: the entry point and the document-level checks (limits, empty documents);
- ``damage``: cut-off files, broken cross-reference tables, missing pages;
- ``pdf``: what the PDF engines share (OCR decisions, page ranges, assembly);
- ``pdfplumber_engine``, ``pdfium_engine``: one file per PDF engine;
- ``text``: decoding, plain text and Markdown; ``html``: HTML pages (an HTML5 parser);
- ``layout``: positioned words to clean page text, for every engine;
- ``ocr``: scanned pages through Tesseract;
- ``options``: ReadOptions (engine, OCR, jobs, limits) and ``read_document``;
- ``cache``: extraction results by file hash, engine and OCR mode;
- ``units``: the entry point of batch worker processes;
- ``isolated``: one document read in a supervised child process (``scan``).

Nothing here imports scikit-learn or spaCy, so worker processes start fast.
"""

from .cache import ExtractionCache
from .extract import SUPPORTED_SUFFIXES, check_limits, document_kind, extract, finalise, format_pages
from .isolated import DocumentReader
from .options import ReadOptions, read_document
from .pdf import DEFAULT_ENGINE, ENGINES, PAGES_PER_UNIT, assemble_pdf, pdf_page_count, read_pdf_lines
from .types import ExtractedDocument, Line, PageLines, PageText, PdfPages, Word
from .units import ExtractionUnit, UnitResult, extract_unit

__all__ = [
    "DEFAULT_ENGINE",
    "DocumentReader",
    "ENGINES",
    "PAGES_PER_UNIT",
    "SUPPORTED_SUFFIXES",
    "ExtractedDocument",
    "ExtractionCache",
    "ExtractionUnit",
    "Line",
    "PageLines",
    "PageText",
    "PdfPages",
    "ReadOptions",
    "UnitResult",
    "Word",
    "assemble_pdf",
    "check_limits",
    "document_kind",
    "extract",
    "extract_unit",
    "finalise",
    "format_pages",
    "pdf_page_count",
    "read_document",
    "read_pdf_lines",
]
