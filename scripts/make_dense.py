"""Write a dense PDF for benchmarks: six long paragraphs on every page (about 105
pages by default), each paragraph a different mix of sentences, so that a page
holds three to four thousand characters, as a municipal code or a police manual does.

Usage: python scripts/make_dense.py OUT.pdf [PAGES]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pdfgen import PAGE_BREAK, Layout, write_pdf  # noqa: E402

PER_PAGE = 6
SENTENCES_PER_PARAGRAPH = (5, 6)

SUBJECTS = [
    "the Department", "each officer", "the Chief of Police", "the City Manager", "a contractor of the City",
    "the Records Unit", "every supervisor", "the Information Technology Division", "the Surveillance Advisory Board",
    "a business located in the City", "the Board of Supervisors", "the Clerk",
]
ACTIONS = [
    "shall keep a written log of every request for recorded video footage",
    "shall review the retention schedule for audio and video recordings once a year",
    "may not use face recognition technology for any purpose",
    "shall submit an annual surveillance report to the Council by March 1",
    "shall not deploy an unmanned aircraft system until the Council approves a use policy",
    "may collect biometric identifiers only with the written consent of the person",
    "shall maintain the inventory of body-worn cameras and docking stations",
    "shall publish the minutes of each regular meeting within ten business days",
    "shall train new employees on the handling of evidence and property",
    "shall obtain a warrant before accessing automated license plate reader data older than thirty days",
    "shall report every vehicle pursuit to the Watch Commander before the end of the shift",
    "may approve overtime for special events when the budget allows it",
]
QUALIFIERS = [
    "in accordance with the procedures of this chapter",
    "except as otherwise provided by state law",
    "subject to the approval of the City Council",
    "within thirty days after the end of each fiscal year",
    "unless the Chief of Police directs otherwise in writing",
    "and shall make the records available for public inspection",
    "consistent with the General Orders in force at the time",
    "after consultation with the City Attorney",
]


def paragraph(rng: random.Random, section: int) -> str:
    count = rng.randint(*SENTENCES_PER_PARAGRAPH)
    sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(QUALIFIERS)}." for _ in range(count)]
    sentences = [s[0].upper() + s[1:] for s in sentences]
    return f"{section // 10}.{section % 10:02d}.{section:03d} " + " ".join(sentences)


def dense_paragraphs(pages: int, seed: int = 20) -> list[str]:
    rng = random.Random(seed)
    paragraphs: list[str] = []
    for number in range(pages):
        paragraphs.extend(paragraph(rng, number * PER_PAGE + i) for i in range(PER_PAGE))
        if number < pages - 1:
            paragraphs.append(PAGE_BREAK)
    return paragraphs


def write_dense(path: Path, pages: int = 105) -> Path:
    layout = Layout(header="Police Department Manual | Chapter 4 | Operations", footer="Page {page} of {pages}",
                    font_size=9.5, leading=11.5)
    return write_pdf(path, dense_paragraphs(pages), layout)


if __name__ == "__main__":
    pages = int(sys.argv[2]) if len(sys.argv) > 2 else 105
    print(write_dense(Path(sys.argv[1]), pages))
