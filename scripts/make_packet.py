"""Write a long agenda packet (default 300 pages) for benchmarks: the sample's
agenda, staff report and ordinance over and over, a page at a time, with a
running header, page footer and margin stamps."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_sample import AGENDA  # noqa: E402
from pdfgen import PAGE_BREAK, Layout, write_pdf  # noqa: E402

PER_PAGE = 7


def packet_paragraphs(pages: int) -> list[str]:
    body = [p for p in AGENDA if p != PAGE_BREAK]
    paragraphs: list[str] = []
    cursor = 0
    for number in range(pages):
        for _ in range(PER_PAGE):
            paragraphs.append(body[cursor % len(body)])
            cursor += 1
        if number < pages - 1:
            paragraphs.append(PAGE_BREAK)
    return paragraphs


def write_packet(path: Path, pages: int = 300) -> Path:
    layout = Layout(
        header="County of Alder Creek | Board of Supervisors Agenda Packet | May 5, 2026",
        footer="Page {page} of {pages}",
        stamp="Packet Pg. {page}",
    )
    return write_pdf(path, packet_paragraphs(pages), layout)


if __name__ == "__main__":
    pages = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    print(write_packet(Path(sys.argv[1]), pages))
