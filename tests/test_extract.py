"""Extraction: what is not the document's text is removed, what is stays."""

from __future__ import annotations

import pytest

from banclassify import InputError
from banclassify.documents import extract, format_pages
from banclassify.documents.pdf import MIN_PAGES_PER_RANGE, page_ranges
from banclassify.documents.layout import join_hyphenated
from pdfgen import PAGE_BREAK

BODY = [
    "The Council met to consider the annual budget for the water utility and the parks department.",
    "Staff presented the capital improvement plan covering street resurfacing and storm drains.",
    "The Council approved the plan after discussion of the pavement condition index.",
]


def test_running_header_footer_and_stamps_are_removed(make_pdf):
    paragraphs = []
    for n, topic in enumerate(["library", "harbor", "airport", "cemetery"]):
        paragraphs += [f"The {topic} item: " + p for p in BODY] + [PAGE_BREAK]
    path = make_pdf(
        paragraphs[:-1],
        header="City of Lakemont | Regular Meeting Packet | June 2, 2026",
        footer="Page {page} of {pages}",
        stamp="Packet Pg. {page}",
    )
    document = extract(path)
    assert document.page_count == 4
    for page in document.pages:
        assert "Lakemont | Regular" not in page.text
        assert "Page " not in page.text
        assert "Packet Pg" not in page.text
        assert "annual budget for the water utility" in page.text


def test_heading_on_only_one_page_is_kept(make_pdf):
    path = make_pdf(["# SPECIAL NOTICE", *BODY, PAGE_BREAK, *BODY], footer="Page {page}")
    document = extract(path)
    assert "SPECIAL NOTICE" in document.pages[0].text
    assert "Page 1" not in document.pages[0].text


def test_bill_line_numbers_are_removed(make_pdf):
    text = " ".join(BODY * 3)
    path = make_pdf([text], line_numbers=True)
    page = extract(path).pages[0].text
    first_words = [line.split()[0] for line in page.splitlines() if line.strip()]
    assert not any(word.isdigit() for word in first_words), page
    assert "pavement condition index" in page


def test_words_hyphenated_at_line_breaks_are_joined_but_compounds_kept(make_pdf):
    path = make_pdf(
        [
            "The department shall not acquire any surveil-\nlance system that performs face recog-\nnition "
            "on body-\nworn camera footage or any real-\ntime analysis of follow-\nup interviews."
        ]
    )
    text = " ".join(extract(path).pages[0].text.split())
    assert "surveillance system" in text
    assert "face recognition" in text
    assert "body-worn camera" in text
    assert "real-time analysis" in text


def test_join_hyphenated_keeps_paragraph_breaks():
    assert join_hyphenated("infor-\nmation here\n\nNext para") == "information\nhere\n\nNext para"
    assert join_hyphenated("see the infor-\nmation\nnext") == "see the information\nnext"


def test_two_columns_are_read_column_by_column(make_pdf):
    left = "LEFTSTART " + " ".join(f"alpha{n} item concerning the left column text." for n in range(40)) + " LEFTEND"
    right = "RIGHTSTART " + " ".join(f"beta{n} item concerning the right column text." for n in range(40)) + " RIGHTEND"
    path = make_pdf([left, right], columns=2)
    text = extract(path).pages[0].text
    assert text.index("LEFTSTART") < text.index("LEFTEND") < text.index("RIGHTSTART")
    assert "alpha3 item concerning" in text  # no line mixes the two columns
    assert not any("alpha" in line and "beta" in line for line in text.splitlines())


def test_text_and_markdown_files(tmp_path):
    txt = tmp_path / "code.txt"
    txt.write_text("Sec. 1. Title.\nThis chapter is the Privacy Code.\fSec. 2. Rule.\nNo drones.\n", encoding="utf-8")
    document = extract(txt)
    assert [p.number for p in document.pages] == [1, 2]
    md = tmp_path / "code.md"
    md.write_text("# Chapter 9\n\n**Sec. 9-25.** No department shall use *face* surveillance.\n", encoding="utf-8")
    text = extract(md).pages[0].text
    assert "#" not in text and "**" not in text
    assert "Sec. 9-25." in text


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
)
def test_text_encodings(tmp_path, encoding, prefix):
    path = tmp_path / "notice.txt"
    content = "The Board’s café meeting — “public hearing” on résumé rules."
    path.write_bytes(prefix + content.encode(encoding))
    assert extract(path).pages[0].text == content


def test_undecodable_text_is_reported(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Agenda \x81\x8d\x8f item")
    with pytest.raises(InputError, match="undecodable byte 0x81"):
        extract(path)


def test_format_pages():
    assert format_pages([5, 1, 2, 3, 9, 10]) == "1-3, 5, 9-10"


@pytest.mark.parametrize("count, jobs", [(300, 2), (100, 2), (79, 2), (7, 4), (1000, 8)])
def test_page_ranges_cover_every_page_once_in_order(count, jobs):
    ranges = page_ranges(count, jobs)
    pages = [n for first, last in ranges for n in range(first, last + 1)]
    assert pages == list(range(1, count + 1))
    assert len(ranges) <= 2 * jobs
    assert len(ranges) == 1 or min(last - first + 1 for first, last in ranges) >= MIN_PAGES_PER_RANGE


@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
def test_page_ranges_read_in_parallel_give_the_same_document(make_pdf, engine, monkeypatch):
    monkeypatch.setattr("banclassify.documents.pdf.MIN_PAGES_PER_RANGE", 4)  # so that 20 pages make several ranges
    paragraphs = []
    for n in range(20):
        paragraphs += [f"Item {n + 1}. " + p for p in BODY] + [PAGE_BREAK]
    path = make_pdf(paragraphs[:-1], header="City of Lakemont | Regular Meeting Packet", footer="Page {page}")
    one, two = extract(path, engine=engine, jobs=1), extract(path, engine=engine, jobs=2)
    assert one.page_count == two.page_count == 20
    assert [(p.number, p.text) for p in one.pages] == [(p.number, p.text) for p in two.pages]
    assert "Item 20. The Council approved" in two.pages[-1].text and "Lakemont | Regular" not in two.pages[-1].text


def test_lean_pdfplumber_pages_group_the_same_words_as_pdfplumber(make_pdf):
    import pdfplumber

    from banclassify.documents.pdfplumber_engine import iter_pages

    path = make_pdf([*BODY, PAGE_BREAK, "# A HEADING IN CAPITALS", *BODY], stamp="Packet Pg. {page}")
    keys = ("text", "x0", "x1", "top", "bottom", "upright")
    with pdfplumber.open(path) as pdf:
        stock = [[tuple(w[k] for k in keys) for w in page.extract_words(x_tolerance=1.5)] for page in pdf.pages]
        lean = [[tuple(w[k] for k in keys) for w in page.extract_words(x_tolerance=1.5)] for page in iter_pages(pdf, 1, None)]
    assert lean == stock and len(stock) == 2 and stock[1]


SLUG = "VerDate Sep 11 2014 23:26 May 14, 2021 Jkt 019200 PO 00000 Frm {page:05d} Fmt 6652 Sfmt 6201 E:\\BILLS\\S1271.IS"


COVER = (
    "117TH CONGRESS", "1ST SESSION", "S. 1271", "To reauthorize the Clean School Bus Program.",
    "IN THE SENATE OF THE UNITED STATES", "APRIL 21, 2021", "Mr. PADILLA introduced the following bill;",
    "which was read twice and referred to the Committee", "A BILL", "To reauthorize the Clean School Bus Program.",
)
# GPO's page geometry: numbers right-aligned well inside a wide margin, the slug further left.
BILL_LAYOUT = dict(line_numbers=True, leading=26.0, slug=SLUG, margin=144.0, cover=COVER)


def test_bill_cover_page_loses_its_line_numbers_and_keeps_its_paragraphs(make_pdf):
    # A GPO bill's first page: a single-spaced cover, then double-spaced numbered lines, and the
    # production slug further left than the numbers (which hid them from a margin test).
    path = make_pdf(
        [
            "Be it enacted by the Senate and House of Representa-\ntives of the United States of America in Congress assembled,",
            "SECTION 1. SHORT TITLE.\nThis Act may be cited as the Clean Commute for\nKids Act of 2021.",
        ],
        **BILL_LAYOUT,
    )
    text = extract(path).pages[0].text
    lines = [line for line in text.splitlines() if line.strip()]
    assert not any(line.split()[0].isdigit() for line in lines), text
    assert "House of Representatives" in text  # the hyphen across two numbered lines is joined
    assert "cited as the Clean Commute for\nKids Act" in text  # no paragraph break inside a sentence


def test_gpo_slug_repeated_on_every_page_is_removed(make_pdf):
    # The slug's "11" of "Sep 11 2014" once went as a line number on some pages and not on the
    # cover, so the slug differed between pages and stayed on all of them.
    paragraphs = []
    for topic in ("library", "harbor", "airport"):
        paragraphs += [f"The {topic} item: " + p for p in BODY] + [PAGE_BREAK]
    pages = extract(make_pdf(paragraphs[:-1], **BILL_LAYOUT)).pages
    assert len(pages) == 3 and all("item: The Council" in page.text for page in pages)
    assert not any("VerDate" in page.text for page in pages)


def test_hyphenation_carries_what_is_glued_to_the_second_half():
    assert join_hyphenated("The term ‘Adminis-\ntrator’ means the") == "The term ‘Administrator’\nmeans the"
    assert join_hyphenated("has the capac-\nity—\n(A) to sell") == "has the capacity—\n(A) to sell"


def test_hyphenated_capitals_are_joined_and_mixed_case_compounds_keep_their_hyphen():
    assert join_hyphenated("COMMITTEE ON AGRI-\nCULTURE") == "COMMITTEE ON AGRICULTURE"
    assert join_hyphenated("CONTRACTING ENTI-\nTIES.— Subject to") == "CONTRACTING ENTITIES.—\nSubject to"
    assert join_hyphenated("speakers of non-\nEnglish languages") == "speakers of non-English\nlanguages"


def test_word_hyphenated_over_a_page_break_is_joined(make_pdf):
    path = make_pdf(["Buses sold to individuals or enti-", PAGE_BREAK, "ties that own a school bus. The Administrator shall report."])
    pages = extract(path).pages
    assert pages[0].text.rstrip().endswith("individuals or entities")
    assert pages[1].text.startswith("that own a school bus.")
