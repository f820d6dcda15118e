"""Segmentation: clauses at headings, subsections and sentences, never inside citations."""

from __future__ import annotations

from banclassify.documents import PageText, extract
from banclassify.segment import segment


def clauses_of(*pages: str):
    return segment([PageText(n, text) for n, text in enumerate(pages, start=1)])


def test_section_headings_and_subsections_give_references():
    clauses = clauses_of(
        "Section 3. Findings are adopted.\n"
        "SEC. 19B.2. No department shall acquire face recognition.\n"
        "§ 9.64.045 Use policy.\n"
        "(a) Each department shall adopt a policy.\n"
        "(b) The policy shall be public.\n"
        "(1) It is posted online; and\n"
        "(2) It is filed with the Clerk.\n"
        "2.99.030 Prohibition.\n"
        "A. No department shall use any drone.\n"
        "B. The Chief shall report annually.\n"
    )
    sections = [c.section for c in clauses]
    assert sections == [
        "3", "19B.2", "9.64.045(a)", "9.64.045(b)", "9.64.045(b)(1)", "9.64.045(b)(2)",
        "2.99.030(A)", "2.99.030(B)",
    ]
    assert clauses[2].text == "(a) Each department shall adopt a policy."


def test_title_only_heading_joins_its_paragraph():
    clauses = clauses_of("Sec. 9-25. Prohibition.\n\nIt shall be unlawful for any City official to use face surveillance.")
    assert len(clauses) == 1
    assert clauses[0].section == "9-25"
    assert clauses[0].text.startswith("Sec. 9-25. Prohibition. It shall be unlawful")


def test_never_splits_inside_abbreviations_and_citations():
    paragraph = (
        "The agency shall comply with 42 U.S.C. Sec. 1983 and Cal. Gov. Code § 7284.6, e.g. when it shares data "
        "with the U.S. Department of Justice under Resolution No. 14 of Jan. 5, 2021. Mr. J. Smith filed the report."
    )
    clauses = clauses_of(paragraph)
    assert [c.text for c in clauses] == [
        "The agency shall comply with 42 U.S.C. Sec. 1983 and Cal. Gov. Code § 7284.6, e.g. when it shares data "
        "with the U.S. Department of Justice under Resolution No. 14 of Jan. 5, 2021.",
        "Mr. J. Smith filed the report.",
    ]


def test_sentences_of_unnumbered_paragraphs_are_clauses():
    clauses = clauses_of("The Council met. It approved the budget. It adjourned at 9 p.m. The next meeting is in May.")
    assert [c.text for c in clauses] == [
        "The Council met.", "It approved the budget.", "It adjourned at 9 p.m.", "The next meeting is in May.",
    ]


def test_spans_and_pages_point_at_the_text():
    pages = ["Section 1. Title. This is the Privacy Act.", "Section 2. Rule. No drone shall fly over parks."]
    clauses = clauses_of(*pages)
    text = "\n".join(pages)
    assert [c.page for c in clauses] == [1, 2]
    for clause in clauses:
        assert " ".join(text[clause.start:clause.end].split()) == clause.text


def test_wrapped_line_starting_with_a_number_is_not_a_heading():
    clauses = clauses_of(
        "AN ORDINANCE OF THE CITY COUNCIL OF THE CITY OF HARBOR POINT ADDING CHAPTER\n"
        "9.64 TO THE MUNICIPAL CODE CONCERNING SURVEILLANCE TECHNOLOGY\n"
        "\n"
        "the department may act as provided in subsection of the chapter that governs this\n"
        "(b) of this section. Then it stops."
    )
    assert clauses[0].text.endswith("CONCERNING SURVEILLANCE TECHNOLOGY")
    assert clauses[0].section is None
    assert "subsection of the chapter that governs this (b) of this section." in clauses[1].text


def test_inline_subsections_split_after_a_sentence():
    clauses = clauses_of("Sec. 4. Limits. (a) No agency shall sell biometric data. (b) An agency may share it with consent.")
    assert [c.section for c in clauses] == ["4(a)", "4(b)"]


def test_roman_numerals_after_h_are_letters():
    text = "\n".join(f"({letter}) Item {letter} text." for letter in "abcdefghi")
    assert clauses_of(text)[-1].section == "(i)"
    assert clauses_of("(a) Item.\n(i) Sub item.\n(ii) Second.")[-1].section == "(a)(ii)"


def test_overlong_clause_is_cut():
    clauses = clauses_of("Sec. 1. " + "word " * 2000)
    assert len(clauses) > 1
    assert all(len(c.text) <= 1500 for c in clauses)


def test_caps_heading_resets_section_reference():
    clauses = clauses_of("7. ADJOURNMENT\n\nSTAFF REPORT\n\nThe report follows.")
    assert clauses[-1].section is None


# A bill as GPO prints it: numbered lines, em-dash headings, and a section that inserts quoted text
# into another law, with references that wrap onto the next line ("paragraph\n(1) shall").
BILL = [
    "SEC. 2. CLEAN SCHOOL BUS PROGRAM.",
    "(a) IN GENERAL.—Section 741 of the Energy Policy Act of 2005 is amended to read as\nfollows:",
    "‘‘SEC. 741. CLEAN SCHOOL BUS PROGRAM.",
    "‘‘(a) DEFINITIONS.—In this section:",
    "‘‘(1) ADMINISTRATOR.—The term ‘Administrator’ means the Administrator of the Environmental\nProtection Agency.",
    "‘‘(2) ELIGIBLE RECIPIENT.—",
    "‘‘(A) IN GENERAL.—Subject to subparagraph\n(B), the term ‘eligible recipient’ means—",
    "‘‘(i) a local governmental entity responsible for—",
    "‘‘(I) providing school bus service; or",
    "‘‘(II) the purchase of school buses;",
    "‘‘(iii) a nonprofit school transportation association.",
    "‘‘(b) PROGRAM FOR REPLACEMENT OF EXISTING\nSCHOOL BUSES WITH CLEAN SCHOOL BUSES.—",
    "‘‘(1) USE OF SCHOOL BUS FLEET.—All clean school buses purchased with an award under paragraph\n(1) shall—",
    "‘‘(A) be operated as part of the school bus fleet for not less than 5 years.’’.",
    "(b) REPEAL.—Section 6015 of the Transportation Equity Act is repealed.",
]


def test_bill_clauses_and_their_references(make_pdf):
    pages = extract(make_pdf(BILL, line_numbers=True, leading=26.0))
    clauses = segment(pages.pages)
    found = {c.text.split("—")[0].lstrip("‘"): c.section for c in clauses}
    assert found == {
        "(a) IN GENERAL.": "2(a)",
        "(1) ADMINISTRATOR.": "2(a)“741(a)(1)”",
        "(2) ELIGIBLE RECIPIENT.": "2(a)“741(a)(2)”",
        "(A) IN GENERAL.": "2(a)“741(a)(2)(A)”",
        "(i) a local governmental entity responsible for": "2(a)“741(a)(2)(A)(i)”",
        "(I) providing school bus service; or": "2(a)“741(a)(2)(A)(i)(I)”",
        "(II) the purchase of school buses;": "2(a)“741(a)(2)(A)(i)(II)”",
        "(iii) a nonprofit school transportation association.": "2(a)“741(a)(2)(A)(iii)”",
        "(b) PROGRAM FOR REPLACEMENT OF EXISTING SCHOOL BUSES WITH CLEAN SCHOOL BUSES.": "2(a)“741(b)”",
        "(1) USE OF SCHOOL BUS FLEET.": "2(a)“741(b)(1)”",
        "(A) be operated as part of the school bus fleet for not less than 5 years.’’.": "2(a)“741(b)(1)(A)”",
        "(b) REPEAL.": "2(b)",
        # The title-only headings ("SEC. 741. CLEAN SCHOOL BUS PROGRAM.") state no rule of their own.
        "(a) DEFINITIONS.": "2(a)“741(a)”",
    }


def test_reference_at_a_line_start_continues_the_sentence():
    clauses = clauses_of(
        # Lines as short as a bill's: too short for a run-on by length alone.
        "(5) USE OF FLEET.—All buses purchased\nwith an award under paragraph\n(1) shall be operated for 5 years.\n"
        "(6) NOTICE.—In the case of recipients\ndescribed in clauses (iii) and\n(iv) of subparagraph\n(A), notice is required."
    )
    assert [c.section for c in clauses] == ["(5)", "(6)"]
    assert "under paragraph (1) shall be operated" in " ".join(clauses[0].text.split())


def test_chained_markers_open_two_levels():
    clauses = clauses_of("(H) is new to farming;\n(I)(i) has served in the Armed Forces; and\n(ii)(I) has not operated a farm;\n(II) is a veteran.")
    assert [c.section for c in clauses] == ["(H)", "(I)(i)", "(I)(ii)(I)", "(I)(ii)(II)"]


def test_an_ordinance_title_does_not_number_the_agenda_items_after_it(make_pdf):
    # Hidden Hills: "CHAPTER 5-5 OF TITLE 5" in an ordinance's title cites a chapter; it heads nothing.
    path = make_pdf([
        "9. PUBLIC HEARING",
        "9.A Consideration of Proposed Ordinance No. 383 Regarding Adoption of Revised Building Codes",
        "AN ORDINANCE OF THE CITY COUNCIL OF THE CITY OF HIDDEN HILLS ADOPTING THE 2022\n"
        "CALIFORNIA BUILDING CODE; AND THE 2021 EDITION OF THE INTERNATIONAL PROPERTY CODE; AND AMENDING\n"
        "CHAPTER 5-5 OF TITLE 5 OF THE HIDDEN HILLS MUNICIPAL CODE",
        "10. ADJOURNMENT",
        "This agenda was posted on Friday, December 9, 2022.",
        "Deana L. Gonzalez, CMC, City Clerk",
    ])
    clauses = segment(extract(path).pages)
    adjournment = next(c for c in clauses if c.text.startswith("10. ADJOURNMENT"))
    assert adjournment.section == "(10)"
    assert not any("Article" in (c.section or "") for c in clauses)


def test_a_section_ends_where_the_numbering_around_it_goes_on():
    clauses = clauses_of(
        "9. PUBLIC HEARING: ORDINANCE NO. 12\n"
        "Section 1. The City shall not acquire face recognition technology.\n"
        "Section 2. This ordinance takes effect in thirty days.\n"
        "10. ADJOURNMENT"
    )
    assert [c.section for c in clauses] == ["(9)", "1", "2", "(10)"]


def test_boundary_score_counts_where_clauses_start():
    from banclassify.boundaries import ReferenceRow, boundary_score

    text = "SEC. 1. SHORT TITLE. This Act may be cited as the Test Act.\n(a) IN GENERAL.—The Secretary shall act.\n(b) LIMIT.—No more than 5 awards."
    reference = [ReferenceRow(1, "SHORT TITLE. This Act may be cited as the Test Act."),
                 ReferenceRow(2, "IN GENERAL.—The Secretary shall act."), ReferenceRow(3, "LIMIT.—No more than 5 awards.")]
    starts = [0, text.index("(a)"), text.index("(b)")]
    assert boundary_score(text, starts, reference).f1 == 1.0
    split = boundary_score(text, starts + [text.index("The Secretary")], reference)
    assert (split.found, split.matched, round(split.precision, 2)) == (4, 3, 0.75)
    missed = boundary_score(text, [0, text.index("(b)")], reference)
    assert round(missed.recall, 2) == 0.67
    # Rows 2 and 3 numbered 2 and 5: the parse left rows out between them, so starts there are not scored.
    gap = [reference[0], ReferenceRow(2, reference[1].text), ReferenceRow(5, reference[2].text)]
    skipped = boundary_score(text, starts + [text.index("shall act")], gap)
    assert skipped.ignored == 1 and skipped.f1 == 1.0
    assert boundary_score(text, starts + [text.index("shall act")], gap, skip_left_out=False).precision == 0.75


def test_clauses_know_the_headings_above_them_and_the_title():
    clauses = clauses_of(
        "CITY POLICE DEPARTMENT POLICY MANUAL\n\n"
        "Policy 377 Public Safety Video Surveillance\n\n"
        "377.1 PURPOSE AND SCOPE This policy governs the public cameras of the City.\n"
        "377.2 RELEASE OF RECORDINGS\n"
        "(a) Requests for recorded images shall be referred to the Watch Commander.\n\n"
        "Policy 802 Property and Evidence\n\n"
        "802.1 RELEASE OF PROPERTY\n"
        "(a) Requests for recorded images shall be referred to the Watch Commander.\n"
    )
    assert {c.title for c in clauses} == {"CITY POLICE DEPARTMENT POLICY MANUAL"}
    cameras, evidence = [c for c in clauses if c.text.startswith("(a) Requests")]
    # The manual's name is its title; each chapter heading replaces the one before.
    assert cameras.heading == "Policy 377 Public Safety Video Surveillance > 377.2 RELEASE OF RECORDINGS"
    assert evidence.heading == "Policy 802 Property and Evidence > 802.1 RELEASE OF PROPERTY"
    # A section's own leading title stands in its chain; a deeper number sits under a shallower one.
    scope = next(c for c in clauses if c.section == "377.1")
    assert scope.heading.endswith("Policy 377 Public Safety Video Surveillance > 377.1 PURPOSE AND SCOPE")


def test_an_article_heading_replaces_the_previous_article():
    clauses = clauses_of(
        "ARTICLE II. PARKING\n"
        "Sec. 10-20. Meters.\n"
        "(a) The City Manager shall report on parking meters within 90 days.\n"
        "ARTICLE III. PUBLIC OVERSIGHT OF SURVEILLANCE TECHNOLOGY\n"
        "Sec. 10-62. Approval.\n"
        "(a) No department shall acquire surveillance technology without the approval of the City Council.\n"
    )
    meters, approval = clauses
    assert meters.heading == "ARTICLE II. PARKING > Sec. 10-20. Meters."
    assert approval.heading == "ARTICLE III. PUBLIC OVERSIGHT OF SURVEILLANCE TECHNOLOGY > Sec. 10-62. Approval."
