"""pdfplumber pages that convert only what the layout layer reads.

pdfplumber turns every character pdfminer finds into a dictionary of some twenty
resolved fields (colour spaces, matrices, stroking colours). Word grouping reads
six of them, and that conversion is about half of the time pdfplumber spends on a
page. ``TextPage`` builds the small dictionary directly; every other object (lines
and rectangles for strike-through, images for scan detection) goes through
pdfplumber unchanged. Imported only when the pdfplumber engine runs.

``TextPage`` overrides ``Page.process_object`` of pdfplumber 0.11, the series that
pyproject.toml pins; tests/test_extract.py checks that its words stay identical to
stock pdfplumber's, so an upgrade that changes that method fails a test, not a scan.
"""

from __future__ import annotations

from typing import Iterator

from pdfminer.layout import LTChar
from pdfminer.pdfpage import PDFPage
from pdfplumber.page import Page
from pdfplumber.pdf import PDF


class TextPage(Page):
    def process_object(self, obj):
        if not isinstance(obj, LTChar):
            return super().process_object(obj)
        x0, top = self.mediabox[:2]
        char_top = self.height - obj.y1 + top
        return {
            "object_type": "char",
            "page_number": self.page_number,
            "text": obj.get_text(),
            "x0": obj.x0 + x0,
            "x1": obj.x1 + x0,
            "top": char_top,
            "bottom": self.height - obj.y0 + top,
            "doctop": self.initial_doctop + char_top,
            "upright": obj.upright,
            "size": obj.size,
        }


def iter_pages(pdf: PDF, first: int, last: int | None) -> Iterator[TextPage]:
    """Pages ``first``..``last`` (1-based, inclusive), walking the page tree only as far as ``last``."""
    for number, pdfminer_page in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        if last is not None and number > last:
            return
        if number >= first:
            yield TextPage(pdf, pdfminer_page, page_number=number, initial_doctop=0)
