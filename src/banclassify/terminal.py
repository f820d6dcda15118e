"""The scan table on a terminal: Rich wraps every column to the terminal's width instead of
cutting text, and colours the labels unless ``NO_COLOR`` is set (https://no-color.org).

Piped output keeps the plain table of report.py, byte for byte, so scripts see no change.
"""

from __future__ import annotations

import os
from typing import IO, Sequence

from .report import render_summary_lines
from .scan import ClauseResult, ScanResult


# The 16 standard colours every terminal theme maps to something readable.
TERMINAL_COLOURS = {
    "full_ban": "red", "moratorium": "yellow", "realtime_ban": "magenta",
    "consent_requirement": "blue", "oversight_policy": "green", "none": "bright_black",
}


def use_colour(stream: IO[str]) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


def paint(text: str, label: str) -> str:
    """``text`` in the label's colour, as ANSI codes of the 16 standard colours."""
    from rich.color import ColorSystem
    from rich.style import Style

    return Style.parse(f"bold {TERMINAL_COLOURS.get(label, 'default')}").render(text, color_system=ColorSystem.STANDARD)


def print_scan_table(result: ScanResult, clauses: Sequence[ClauseResult], min_confidence: float, stream: IO[str],
                     colour: bool, width: int | None = None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, width=width, color_system="standard" if colour else None, no_color=not colour,
                      highlight=False, soft_wrap=False)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold" if colour else "")
    table.add_column("page", justify="right", no_wrap=True)
    table.add_column("section", no_wrap=False, max_width=16, overflow="fold")
    table.add_column("label", no_wrap=True)
    table.add_column("conf", justify="right", no_wrap=True)
    table.add_column("text", ratio=1, overflow="fold")
    for c in clauses:
        shown = c.text if c.change == "unchanged" else f"[{c.change}] {c.text}"
        body = Text(shown)
        details = [part for part in (c.attributes.compact() if c.attributes else "", c.explanation.compact() if c.explanation else "") if part]
        for line in details:
            body.append("\n" + line, style="dim" if colour else "")
        label = Text(c.label, style=f"bold {TERMINAL_COLOURS.get(c.label, '')}" if colour else "")
        table.add_row(str(c.page), c.section or "-", label, f"{c.confidence:.2f}", body)
    if clauses:
        console.print(table)
    else:
        console.print("(no surveillance rule found)")
    console.print()
    for line in render_summary_lines(result, min_confidence):
        console.print(Text(line))
