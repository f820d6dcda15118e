"""Text, Markdown and HTML documents: municipal-code page layouts, encodings, line breaks, hostile files."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from banclassify.documents import extract
from banclassify.errors import InputError
from banclassify.segment import segment

runner = CliRunner()


def clauses_of(path):
    return segment(extract(path).pages)


def by_section(path):
    """The first clause of each section reference."""
    sections: dict = {}
    for clause in clauses_of(path):
        sections.setdefault(clause.section, clause.text)
    return sections


# --- HTML (issue 16.7) ------------------------------------------------------------------------


def test_optional_end_tags_in_navigation_do_not_lose_the_page(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><title>Code</title><nav><ul><li>Home<li>Codes</ul></nav>"
        "<p>Sec. 4. No department shall use face recognition technology.<p>Sec. 5. This article takes effect on adoption.",
        encoding="utf-8",
    )
    text = extract(page).pages[0].text
    assert text == "Sec. 4. No department shall use face recognition technology.\n\nSec. 5. This article takes effect on adoption."


MUNICODE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Chapter 10 - POLICE | Code of Ordinances</title>
<script>window.dataLayer = [];</script><style>.chunk-title{font-weight:bold}</style></head>
<body>
<header class="navbar"><a class="brand" href="/">Online Library</a><form><input name="q"><button>Search</button></form></header>
<div id="codesToc" class="toc-sidebar"><ul>
  <li><a href="#1">Chapter 1 - GENERAL PROVISIONS</a>
  <li><a href="#10">Chapter 10 - POLICE</a><ul><li><a href="#a3">ARTICLE III. - SURVEILLANCE TECHNOLOGY</a></ul>
</ul></div>
<ol class="breadcrumb"><li><a>Code of Ordinances</a><li><a>Chapter 10 - POLICE</a><li>ARTICLE III.</ol>
<div class="chunk-content-wrapper">
 <div class="chunk-title-wrapper"><div class="chunk-title">ARTICLE III. - SURVEILLANCE TECHNOLOGY</div></div>
 <div class="chunk-title-wrapper"><div class="chunk-title">Sec. 10-61. - Approval of surveillance technology.</div></div>
 <div class="chunk-content">
  <p class="incr0">(a)</p><p class="content1">No city department shall acquire surveillance technology without the approval of the city council.</p>
  <p class="incr0">(b)</p><p class="content1">Each department shall submit an annual surveillance report to the city council.</p>
  <p class="historynote">(Ord. No. 2019-16, &sect; 1, 6-27-19)</p>
 </div>
 <div class="chunk-title-wrapper"><div class="chunk-title">Sec. 10-62. - Face surveillance.</div></div>
 <div class="chunk-content"><p class="content0">It shall be unlawful for any city official to obtain or use face surveillance.</p></div>
</div>
<footer><p>Copyright &copy; 2026 Code Publisher. All rights reserved.</p></footer>
</body></html>"""


def test_municode_style_page(tmp_path):
    page = tmp_path / "municode.html"
    page.write_text(MUNICODE_PAGE, encoding="utf-8")
    text = extract(page).pages[0].text
    for chrome in ("Online Library", "Search", "GENERAL PROVISIONS", "Code of Ordinances", "Copyright", "dataLayer", "font-weight"):
        assert chrome not in text
    sections = by_section(page)
    assert sections["10-61(a)"] == "(a) No city department shall acquire surveillance technology without the approval of the city council."
    assert sections["10-61(b)"] == "(b) Each department shall submit an annual surveillance report to the city council."
    assert sections["10-62"] == "Sec. 10-62. - Face surveillance. It shall be unlawful for any city official to obtain or use face surveillance."


ENCODEPLUS_PAGE = """<html><body>
<div id="skip"><a href="#content">Skip to content</a></div>
<div class="breadcrumbs"><span>Town Code</span> &raquo; <span>Chapter 10</span> &raquo; <span>Article III</span></div>
<aside class="left-panel"><div class="tocItem">10-1 Definitions</div><div class="tocItem">10-2 Prohibition</div></aside>
<div id="content">
 <div class="Section" id="s10-1"><span class="secnum">Sec. 10-1.</span><span class="sectitle">Definitions.</span></div>
 <div class="Normal">As used in this article, face surveillance means an automated search of images of faces.</div>
 <div class="Section" id="s10-2"><span class="secnum">Sec. 10-2.</span><span class="sectitle">Prohibition.</span></div>
 <div class="Normal"><span class="level1">(a)</span> No city department shall use face surveillance.</div>
 <div class="Normal"><span class="level1">(b)</span> Evidence obtained in violation of this section is inadmissible.</div>
 <table class="sections"><tbody>
  <tr><td>Sec. 10-3.</td><td>No city department shall use a drone over a public assembly.</td></tr>
  <tr><td>Sec. 10-4.</td><td>This article takes effect thirty days after its adoption.</td></tr>
 </tbody></table>
</div></body></html>"""


def test_encodeplus_style_page_with_headings_in_spans_and_a_table_of_sections(tmp_path):
    page = tmp_path / "encodeplus.htm"
    page.write_text(ENCODEPLUS_PAGE, encoding="utf-8")
    text = extract(page).pages[0].text
    for chrome in ("Skip to content", "Town Code", "10-1 Definitions"):
        assert chrome not in text
    assert "Sec. 10-3.No" not in text and "Sec. 10-1.Definitions" not in text
    sections = by_section(page)
    assert sections["10-1"].startswith("Sec. 10-1. Definitions. As used in this article")
    assert sections["10-2(a)"] == "(a) No city department shall use face surveillance."
    assert sections["10-2(b)"].startswith("(b) Evidence obtained")
    assert sections["10-3"] == "Sec. 10-3. No city department shall use a drone over a public assembly."
    assert sections["10-4"].startswith("Sec. 10-4.")


def test_a_page_wrapped_in_a_chrome_named_element_is_still_read(tmp_path):
    page = tmp_path / "wrapped.html"
    rule = "No city department shall obtain, retain or use any face recognition system or information from one."
    page.write_text(f"<body><div class='page-with-sidebar'><div>Home</div><p>{rule}</p></div></body>", encoding="utf-8")
    assert rule in extract(page).pages[0].text


def test_headers_of_sections_are_content_but_the_page_header_is_not(tmp_path):
    page = tmp_path / "article.html"
    page.write_text(
        "<body><header>City of Springfield - Official Website</header><main><article>"
        "<header><h2>Sec. 3-7. Drones.</h2></header><p>No department shall fly a drone over a public park.</p>"
        "</article></main><footer>Contact the webmaster</footer></body>",
        encoding="utf-8",
    )
    text = extract(page).pages[0].text
    assert text == "Sec. 3-7. Drones.\n\nNo department shall fly a drone over a public park."


def test_deeply_nested_html_is_read_without_recursion(tmp_path):
    page = tmp_path / "deep.html"
    page.write_text("<div>" * 20000 + "No department shall use face recognition." + "</div>" * 20000, encoding="utf-8")
    assert extract(page).pages[0].text == "No department shall use face recognition."


# --- Encodings (issue 16.8) --------------------------------------------------------------------


def test_utf8_with_one_stray_byte_stays_utf8_and_names_the_offset(tmp_path):
    path = tmp_path / "notice.txt"
    data = "The São Paulo delegation and the café owners spoke.\n".encode() * 3
    data = data[:20] + b"\x92" + data[20:]
    path.write_bytes(data)
    document = extract(path)
    text = document.pages[0].text
    assert text.count("São Paulo") == 3 and "Ã" not in text
    assert "\ufffd" in text
    assert document.warnings == ["1 byte that is not valid UTF-8 replaced with U+FFFD (byte offset 20)"]


def test_the_warning_reaches_the_user(tmp_path):
    path = tmp_path / "ordinance.txt"
    path.write_bytes("Sec. 1. No department in São Paulo shall use face recognition.\xff\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    result = runner.invoke(app, ["scan", str(path), "--format", "jsonl"])
    assert result.exit_code == 0
    assert "not valid UTF-8 replaced with U+FFFD (byte offset 63)" in result.stderr
    assert "São Paulo" in result.stdout


def test_genuine_windows_1252_still_reads_as_1252(tmp_path):
    path = tmp_path / "memo.txt"
    content = "The Board’s café meeting — “public hearing” on résumé rules in São Paulo."
    path.write_bytes(content.encode("cp1252"))
    document = extract(path)
    assert document.pages[0].text == content and document.warnings == []


def test_bom_followed_by_an_invalid_byte_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfNo department shall use drones.\xff")
    document = extract(path)
    assert document.pages[0].text == "No department shall use drones.\ufffd"
    assert "byte offset 34" in document.warnings[0]


# --- Line breaks in text and Markdown (issue 16.9) ---------------------------------------------

RESOLUTION = (
    "A Resolution Opposing Face Surveillance in the City of Springfield\n"
    "WHEREAS, face surveillance technology misidentifies people of color at higher rates; and\n"
    "WHEREAS, the residents of Springfield have a right to move about the city without being tracked; now, therefore,\n"
    "BE IT RESOLVED that no city department shall obtain or use face surveillance technology.\n"
)


@pytest.mark.parametrize("name", ["resolution.txt", "resolution.md"])
def test_four_line_resolution_is_four_clauses(tmp_path, name):
    path = tmp_path / name
    path.write_text(RESOLUTION, encoding="utf-8")
    texts = [c.text for c in clauses_of(path)]
    assert texts == [line for line in RESOLUTION.splitlines()]


def test_resolved_wrapped_after_be_it_stays_with_it(tmp_path):
    path = tmp_path / "wrapped.txt"
    path.write_text(
        "WHEREAS, the council has held a public hearing on the use of drones by the police department; now, therefore,\n"
        "BE IT FURTHER\n"
        "RESOLVED, that the police department shall not fly drones over public assemblies.\n",
        encoding="utf-8",
    )
    assert [c.text for c in clauses_of(path)] == [
        "WHEREAS, the council has held a public hearing on the use of drones by the police department; now, therefore,",
        "BE IT FURTHER RESOLVED, that the police department shall not fly drones over public assemblies.",
    ]


def test_numbered_lines_of_a_text_file_start_clauses(tmp_path):
    path = tmp_path / "ordinance.txt"
    path.write_text(
        "ORDINANCE NO. 2026-4\n"
        "Section 1. The city council finds that surveillance technology affects civil liberties\n"
        "Sec. 2. Definitions. Surveillance technology means any device that collects information about people\n"
        "§ 3. Prohibition.\n"
        "(a) No department shall use face recognition\n"
        "(1) at a public assembly\n"
        "1. Drones may be flown only under a use policy\n"
        "A. The chief shall report every flight to the council\n",
        encoding="utf-8",
    )
    sections = [c.section for c in clauses_of(path)]
    assert sections == [None, "1", "2", "3(a)", "3(a)(1)", "3(a)(1)(1)", "3(a)(1)(1)(A)"]


# --- Hostile text files (issue 19.4 and 19.5) --------------------------------------------------


def run_cli(*args, timeout=120):
    return subprocess.run(
        [str(Path(sys.executable).parent / "banclassify"), *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def test_unclosed_markdown_comments_are_read_in_linear_time(tmp_path):
    path = tmp_path / "comments.md"
    # 50,000 unclosed comments made a non-greedy regular expression take minutes.
    path.write_text("Sec. 1. No department shall use face recognition.\n\n" + "<!-- x\n" * 50_000, encoding="utf-8")
    document = extract(path)
    assert document.pages[0].text.startswith("Sec. 1. No department shall use face recognition.")
    assert document.warnings == ["an HTML comment opened on line 3 is never closed: the text after it is read as text"]


def test_closed_markdown_comments_are_dropped(tmp_path):
    path = tmp_path / "code.md"
    path.write_text("Sec. 1. <!-- editor: check -->No drones.<!---->\n<!--\nhidden\n-->\nSec. 2. No cameras.\n", encoding="utf-8")
    document = extract(path)
    assert "editor" not in document.pages[0].text and "hidden" not in document.pages[0].text
    assert document.warnings == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
def test_a_fifo_named_txt_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "notes.txt"
    os.mkfifo(fifo)
    result = run_cli("scan", str(fifo), timeout=60)
    assert result.returncode == 3
    assert result.stderr.strip().splitlines()[-1] == f"banclassify: error: {fifo}: is a FIFO (named pipe), not a document file: only regular files are read"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_txt_symlink_to_a_device_is_refused(tmp_path):
    link = tmp_path / "endless.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="is a character device, not a document file"):
        extract(link)
    result = run_cli("scan", str(link), "--max-mb", "1", timeout=60)
    assert result.returncode == 3 and "character device" in result.stderr and "Traceback" not in result.stderr


def test_a_long_document_is_classified_in_chunks_with_the_same_answers(tmp_path, classifier, monkeypatch):
    # A 199 MB one-line text file needed tens of gigabytes in one pass: the model's
    # matrices now hold one chunk of clauses at a time, read with its neighbours.
    scan = importlib.import_module("banclassify.scan")  # the module (banclassify.scan is the API function)

    rules = [
        "No city department shall obtain or use face recognition technology.",
        "The chief of police shall submit an annual surveillance report to the council.",
        "The park shall be open from dawn to dusk.",
        "No drone shall be flown over a public assembly until the council adopts a use policy.",
        "A business shall obtain written consent before it collects biometric identifiers.",
    ]
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join(f"Sec. {n}. {rules[n % len(rules)]}" for n in range(1, 61)), encoding="utf-8")
    document = extract(path)
    whole = scan.classify_document(document, classifier, "long.txt", explain=True)
    monkeypatch.setattr(scan, "CHUNK_CLAUSES", 7)
    chunked = scan.classify_document(document, classifier, "long.txt", explain=True)
    assert len(chunked.clauses) == len(whole.clauses) == 60
    for a, b in zip(whole.clauses, chunked.clauses):
        assert (a.section, a.label, a.explanation) == (b.section, b.label, b.explanation)
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-9)
    monkeypatch.setattr(scan, "CHUNK_MARGIN", 0)  # without neighbours across chunk edges the answers differ
    edges = scan.classify_document(document, classifier, "long.txt")
    assert any(a.probabilities != pytest.approx(b.probabilities, abs=1e-9) for a, b in zip(whole.clauses, edges.clauses))
