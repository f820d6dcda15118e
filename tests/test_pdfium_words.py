"""The PDFium engine's words: read a few calls per word, they match a character-by-character reading."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from banclassify.documents import extract
from banclassify.documents import layout
from banclassify.documents.pdfium_engine import _pdfium_words
from banclassify.documents.types import Word
from make_dense import write_dense
from pdfgen import PAGE_BREAK

pypdfium2 = pytest.importorskip("pypdfium2")


def words_char_by_char(textpage, height: float) -> list[Word]:
    """Every character's loose box through pypdfium2's public API, grouped the way the engine always did."""
    words: list[Word] = []
    text, box, upright = [], [], True
    for index in range(textpage.count_chars()):
        code = pypdfium2.raw.FPDFText_GetUnicode(textpage.raw, index)
        char = "-" if code in (0xFFFE, 0x0002) else chr(code)
        if char.isspace() or code == 0:
            if text:
                words.append(Word("".join(text), *box, upright))
            text = []
            continue
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        x0, x1, y_top, y_bottom = left, right, height - top, height - bottom
        angle = pypdfium2.raw.FPDFText_GetCharAngle(textpage.raw, index)
        char_upright = angle < 0 or min(angle, 2 * math.pi - angle) < 0.1
        if text and (x0 - box[1] > max(3.0, 0.3 * (y_bottom - y_top)) or abs(y_top - box[2]) > 3 or x0 < box[0] - 1 or char_upright != upright):
            words.append(Word("".join(text), *box, upright))
            text = []
        if not text:
            box, upright = [x0, x1, y_top, y_bottom], char_upright
        else:
            box = [min(box[0], x0), max(box[1], x1), min(box[2], y_top), max(box[3], y_bottom)]
        text.append(char)
    if text:
        words.append(Word("".join(text), *box, upright))
    return words


def assert_same_words(path):
    document = pypdfium2.PdfDocument(str(path))
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            height = page.get_height()
            fast = _pdfium_words(textpage, textpage.count_chars(), height)
            slow = words_char_by_char(textpage, height)
            # Rotated text (margin stamps, dropped by the layout) came letter by letter from the
            # character reading, whose gap test is horizontal; only its letters must agree.
            assert "".join(w.text for w in fast if not w.upright) == "".join(w.text for w in slow if not w.upright)
            fast, slow = [w for w in fast if w.upright], [w for w in slow if w.upright]
            assert [w.text for w in fast] == [w.text for w in slow]
            for a, b in zip(fast, slow):
                assert a.x0 == pytest.approx(b.x0, abs=0.01) and a.x1 == pytest.approx(b.x1, abs=0.01)
                assert a.top == pytest.approx(b.top, abs=0.5) and a.bottom == pytest.approx(b.bottom, abs=0.5)
    finally:
        document.close()


def test_words_of_a_dense_page_match_a_character_by_character_reading(tmp_path):
    assert_same_words(write_dense(tmp_path / "dense.pdf", pages=3))


def test_stamps_columns_line_numbers_and_hyphens_match_a_character_by_character_reading(make_pdf):
    body = ["The Council adopted the surveil-\nlance technology ordinance after a public hearing on the matter."] * 12
    assert_same_words(make_pdf(body, stamp="Packet Pg. {page}", header="City of Lakemont", footer="Page {page}"))
    assert_same_words(make_pdf(body * 4, columns=2, line_numbers=True))


def glyph_by_glyph_pdf(path):
    """A PDF that draws words in pieces: a bold initial, glyphs one at a time, two words apart without a space."""
    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(72, 700, "N")
    pdf.setFont("Helvetica", 12)
    x = 72 + pdf.stringWidth("N", "Helvetica-Bold", 12)
    pdf.drawString(x, 700, "o department shall use")
    x = 72
    for char in "Surveillance":  # one text object per glyph, no gaps
        pdf.drawString(x, 680, char)
        x += pdf.stringWidth(char, "Helvetica", 12)
    pdf.drawString(x + 8, 680, "cameras")  # a clear gap but no space character
    pdf.drawString(72, 660, "as defined in Section")
    x = 72 + pdf.stringWidth("as defined in Section", "Helvetica", 12)
    pdf.setFont("Helvetica", 7)
    pdf.drawString(x, 671, "12")  # a footnote mark, raised, right after the word
    pdf.showPage()
    pdf.save()
    return path


def test_words_drawn_in_pieces_are_joined_and_split_as_pdfplumber_does(tmp_path):
    path = glyph_by_glyph_pdf(tmp_path / "pieces.pdf")
    assert_same_words(path)
    texts = {engine: extract(path, engine=engine, ocr="never").pages[0].text.split() for engine in ("pdfplumber", "pdfium")}
    assert texts["pdfium"] == texts["pdfplumber"]
    assert texts["pdfium"][:2] == ["No", "department"]
    assert "Surveillance" in texts["pdfium"] and "cameras" in texts["pdfium"]
    assert "Section" in texts["pdfium"] and "Section12" not in texts["pdfium"]


def test_rotated_margin_stamp_words_are_not_upright(make_pdf):
    path = make_pdf(["The Clerk shall publish the minutes.", PAGE_BREAK, "The Clerk shall publish the agenda."], stamp="Packet Pg. {page}")
    document = pypdfium2.PdfDocument(str(path))
    page = document[0]
    textpage = page.get_textpage()
    words = _pdfium_words(textpage, textpage.count_chars(), page.get_height())
    assert {w.text for w in words if not w.upright} == {"Packet", "Pg.", "1"}
    document.close()


def brute_force_gutter(words, width, height):
    """The column gutter as first specified: every word tested against every candidate strip."""
    body = [w for w in words if height * layout.BAND < w.top < height * (1 - layout.BAND)]
    if len(body) < 40:
        return None
    best = None
    for step in range(30, 71):
        x = width * step / 100
        crossing = sum(1 for w in body if w.x0 < x < w.x1)
        left = sum(1 for w in body if w.x1 <= x)
        right = len(body) - left - crossing
        if crossing == 0 and left > 0.3 * len(body) and right > 0.3 * len(body):
            if best is None or min(left, right) > best[0]:
                best = (min(left, right), x)
    if best is None:
        return None
    left_lines = len({round(w.top) for w in body if w.x1 <= best[1]})
    right_lines = len({round(w.top) for w in body if w.x0 >= best[1]})
    return best[1] if left_lines >= 8 and right_lines >= 8 else None


word_boxes = st.tuples(
    st.sampled_from([0.0, 61.2, 122.4, 183.6, 244.8, 300.0, 306.0, 367.2, 428.4]) | st.floats(0, 600),
    st.floats(0, 120) | st.just(0.0),
    st.integers(100, 690),
).map(lambda b: Word("w", b[0], b[0] + b[1], float(b[2]), b[2] + 10.0))


@settings(max_examples=200, deadline=None)
@given(st.lists(word_boxes, min_size=35, max_size=120), st.booleans())
def test_column_gutter_counts_as_testing_every_word_against_every_strip(words, two_columns):
    if two_columns:  # make real two-column pages likely, not only random scatter
        words = [Word("w", w.x0 % 250, w.x0 % 250 + min(w.x1 - w.x0, 40), w.top, w.bottom) for w in words[::2]] + \
                [Word("w", 330 + w.x0 % 200, 330 + w.x0 % 200 + min(w.x1 - w.x0, 40), w.top, w.bottom) for w in words[1::2]]
    assert layout._column_gutter(words, 612.0, 792.0) == brute_force_gutter(words, 612.0, 792.0)
