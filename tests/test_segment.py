"""Segmentation: clauses at headings, subsections and sentences, never inside citations."""

from __future__ import annotations

from banclassify.extract import PageText
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
