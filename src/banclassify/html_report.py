"""HTML reports: one self-contained page per document, and an index page for a batch.

Everything is inline (CSS, a few lines of script, SVG): a report opens from a USB stick or
an e-mail attachment with no network. Every piece of document text goes through
``html.escape``; the script reads the page, it never writes markup from document text.
Links to the source file are relative to the report (``../agenda.pdf#page=3``), so a
folder of reports and documents can be moved as a whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from .documents import format_pages
from .labels import LABELS_BY_STRENGTH, OPERATIVE_LABELS
from .scan import DEFAULT_MIN_CONFIDENCE, ClauseResult, ScanResult

# Colour-blind-safe enough to tell apart, dark enough for white text (WCAG AA on white text).
LABEL_COLOURS = {
    "full_ban": "#b3261e",
    "moratorium": "#8a5300",
    "realtime_ban": "#c2410c",
    "consent_requirement": "#1d4ed8",
    "oversight_policy": "#0f766e",
    "none": "#6b7280",
}

STYLE = """
:root { --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body.wide { max-width: 1500px; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 1.5em; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 1.15em; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted { color: var(--muted); }
.tag { display: inline-block; color: #fff; border-radius: 4px; padding: 0 7px; font-size: .85em;
       font-weight: 600; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.controls { position: sticky; top: 0; background: #fff; padding: 8px 0; border-bottom: 1px solid var(--line);
            display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; z-index: 1; }
.controls input[type=search] { font: inherit; padding: 3px 8px; min-width: 260px; }
.controls label { white-space: nowrap; }
.clause { border: 1px solid var(--line); border-left: 6px solid var(--colour, #6b7280); border-radius: 6px;
          padding: 8px 12px; margin: 10px 0; }
.clause header { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; }
.clause .section { font-weight: 600; }
.clause p.text { margin: 6px 0 2px; white-space: pre-wrap; overflow-wrap: anywhere; }
.clause.deleted p.text { text-decoration: line-through; }
.clause ul.attributes { margin: 4px 0 0; padding-left: 18px; color: var(--muted); }
details.none-clauses > summary { cursor: pointer; font-weight: 600; margin: 12px 0; }
.hidden { display: none !important; }
.scroll { overflow-x: auto; }
table#documents { font-size: 13px; }
table#documents th { cursor: pointer; }
table#documents th[aria-sort=ascending]::after { content: " \\25B2"; }
table#documents th[aria-sort=descending]::after { content: " \\25BC"; }
"""

DOCUMENT_SCRIPT = """
(function () {
  var search = document.getElementById('search');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  var clauses = Array.prototype.slice.call(document.querySelectorAll('.clause'));
  var folded = document.querySelector('details.none-clauses');
  var counter = document.getElementById('shown');
  function apply() {
    var words = search.value.toLowerCase().trim();
    var wanted = {};
    boxes.forEach(function (b) { wanted[b.dataset.filter] = b.checked; });
    var rules = 0, others = 0;
    clauses.forEach(function (c) {
      var ok = wanted[c.dataset.label] !== false && (!words || c.textContent.toLowerCase().indexOf(words) >= 0);
      c.classList.toggle('hidden', !ok);
      if (ok) { if (folded && folded.contains(c)) { others++; } else { rules++; } }
    });
    if (folded && words && others) { folded.open = true; }
    counter.textContent = rules + ' rule(s) shown' + (folded ? ', ' + others + ' other clause(s) below' : '');
  }
  // A link can carry a filter: report.html#label=full_ban,moratorium&q=camera
  var asked = new URLSearchParams(location.hash.slice(1));
  if (asked.get('label')) {
    var labels = asked.get('label').split(',');
    boxes.forEach(function (b) { b.checked = labels.indexOf(b.dataset.filter) >= 0; });
  }
  if (asked.get('q')) { search.value = asked.get('q'); }
  search.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
"""

INDEX_SCRIPT = """
(function () {
  var table = document.getElementById('documents');
  var body = table.tBodies[0];
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    th.tabIndex = 0;
    th.title = 'sort';
    function sort() {
      var numeric = th.classList.contains('num');
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort || a.cells[column].textContent;
        var y = b.cells[column].dataset.sort || b.cells[column].textContent;
        var order = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sort(); } });
  });
})();
"""


def tag(label: str) -> str:
    return f'<span class="tag" style="background:{LABEL_COLOURS.get(label, "#6b7280")}">{escape(label)}</span>'


def source_link(source: str | Path | None, report: str | Path | None) -> str | None:
    """The URL of ``source`` relative to the folder of ``report`` (cwd when writing to stdout)."""
    if source is None:
        return None
    base = Path(report).resolve().parent if report is not None else Path.cwd()
    relative = os.path.relpath(Path(source).resolve(), base)
    return quote(Path(relative).as_posix())


def page_link(href: str | None, page: int) -> str:
    if href is None:
        return f'<span class="page">page {page}</span>'
    return f'<a class="page" href="{escape(href)}#page={page}">page {page}</a>'


def _page_list(href: str | None, pages: Sequence[int]) -> str:
    if href is None:
        return escape(format_pages(list(pages)))
    return ", ".join(f'<a href="{escape(href)}#page={p}">{p}</a>' for p in pages)


def _clause_html(clause: ClauseResult, href: str | None) -> str:
    colour = LABEL_COLOURS.get(clause.label, "#6b7280")
    change = "" if clause.change == "unchanged" else f' <span class="tag" style="background:#57606a">{escape(clause.change)}</span>'
    items = []
    attributes = clause.attributes
    if attributes is not None:
        if attributes.technology:
            items.append("technology: " + escape(", ".join(attributes.technology)))
        if attributes.actors:
            items.append("binds: " + escape(", ".join(attributes.actors)))
        if attributes.duration:
            kind, value = next(iter(attributes.duration.items()))
            items.append(f"moratorium {escape(kind)}: {escape(str(value))}")
        if attributes.effective:
            items.append("effective: " + escape(attributes.effective))
        for exception in attributes.exceptions:
            items.append("exception: " + escape(exception))
    if clause.explanation is not None:
        explanation = clause.explanation
        terms = ", ".join(f"{escape(term)} (+{weight:.2f})" for term, weight in explanation.terms) or "-"
        items.append(f"why: {terms}; runner-up {escape(explanation.runner_up)} {explanation.runner_up_probability:.2f}")
    listing = f'<ul class="attributes">{"".join(f"<li>{i}</li>" for i in items)}</ul>' if items else ""
    section = escape(clause.section) if clause.section else "&ndash;"
    css = "clause deleted" if clause.change == "deleted" else "clause"
    return (
        f'<article class="{css}" data-label="{escape(clause.label)}" data-page="{clause.page}" style="--colour:{colour}">'
        f"<header>{tag(clause.label)}{change}"
        f'<span class="confidence">confidence {clause.confidence:.2f}</span>'
        f'<span class="section">{section}</span>{page_link(href, clause.page)}</header>'
        f'<p class="text">{escape(clause.text)}</p>{listing}</article>'
    )


def render_document_html(
    result: ScanResult,
    source: str | Path | None = None,
    report: str | Path | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    index_href: str | None = None,
) -> str:
    """One document's report: summary, every rule clause, the other clauses folded.

    ``source`` is the document on disk and ``report`` where the HTML will be written; the
    page links are relative between the two.
    """
    href = source_link(source, report)
    rules = result.operative(min_confidence)
    chosen = {id(c) for c in rules}
    others = [c for c in result.clauses if id(c) not in chosen]
    counts = result.label_counts(min_confidence)
    coverage = result.coverage(min_confidence)
    strongest = result.strongest_label(min_confidence)

    facts = [
        ("pages", str(result.pages)),
        ("clauses", f"{len(result.clauses)}, of which {len(rules)} state a surveillance rule"),
        ("strongest label", tag(strongest)),
        ("technologies", escape(", ".join(coverage["technologies"])) or "&ndash;"),
        ("binds", escape(", ".join(coverage["actors"])) or "&ndash;"),
    ]
    if coverage["moratorium_ends"]:
        facts.append(("moratoria end", escape(", ".join(coverage["moratorium_ends"]))))
    if result.ocr_pages:
        facts.append(("read by OCR", "pages " + escape(format_pages(result.ocr_pages))))
    if result.skipped_pages:
        facts.append(("not read", "pages " + escape(format_pages(result.skipped_pages)) + " (scanned, no OCR)"))
    fact_html = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)

    label_rows = "".join(
        f'<tr><td>{tag(c.label)}</td><td class="num">{c.count}</td><td>{_page_list(href, c.pages)}</td></tr>' for c in counts
    )
    label_rows += "".join(
        f'<tr><td>repealed {tag(c.label)}</td><td class="num">{c.count}</td><td>{_page_list(href, c.pages)}</td></tr>'
        for c in result.repealed_counts(min_confidence)
    )
    label_table = (
        f'<table class="labels"><thead><tr><th>label</th><th class="num">clauses</th><th>pages</th></tr></thead><tbody>{label_rows}</tbody></table>'
        if label_rows else '<p class="muted">No surveillance rule found.</p>'
    )
    warnings = "".join(f'<p class="warning">{escape(w)}</p>' for w in result.warnings)
    present = {c.label for c in result.clauses}
    filters = "".join(
        f'<label><input type="checkbox" data-filter="{label}" checked> {tag(label)}</label>'
        for label in LABELS_BY_STRENGTH if label in present
    )
    rule_html = "".join(_clause_html(c, href) for c in rules) or '<p class="muted">None.</p>'
    folded = ""
    if others:
        folded = (
            f'<details class="none-clauses"><summary>{len(others)} other clause(s): labelled none, or a rule below '
            f"confidence {min_confidence:g}</summary>{''.join(_clause_html(c, href) for c in others)}</details>"
        )
    back = f'<p><a href="{escape(index_href)}">&larr; all documents</a></p>' if index_href else ""
    source_line = f'<a href="{escape(href)}">{escape(result.file)}</a>' if href else escape(result.file)
    return _page(
        f"{result.file}: banclassify report",
        f"{back}<h1>{escape(Path(result.file).name)}</h1><p class=\"muted\">{source_line}</p>"
        f"{warnings}<dl class=\"facts\">{fact_html}</dl>{label_table}"
        f'<h2>Rules</h2><div class="controls"><input type="search" id="search" placeholder="search clauses" aria-label="search clauses">'
        f'{filters}<span id="shown" class="muted"></span></div>'
        f'<section id="rules">{rule_html}</section>{folded}',
        DOCUMENT_SCRIPT,
    )


@dataclass
class IndexRow:
    """One document of a batch, as the index page shows it."""

    path: str
    pages: int
    strongest_label: str
    counts: dict[str, int]
    technologies: str
    status: str
    report_href: str | None  # the document's own page, relative to the index


def index_rows_from_summary(rows: Sequence[dict], hrefs: dict[str, str]) -> list[IndexRow]:
    """Index rows from batch summary rows (CSV strings or JSON values alike)."""
    out = []
    for row in rows:
        counts = {label: int(row.get(f"{label}_count") or 0) for label in OPERATIVE_LABELS}
        out.append(IndexRow(
            str(row["path"]), int(row.get("pages") or 0), str(row.get("strongest_label") or ""), counts,
            str(row.get("technologies") or ""), str(row.get("status") or ""), hrefs.get(str(row["path"])),
        ))
    return out


def label_chart_svg(rows: Sequence[IndexRow], width: int = 760) -> str:
    """Stacked horizontal bars: rule clauses per label for each document with at least one rule."""
    drawn = [r for r in rows if sum(r.counts.values())]
    if not drawn:
        return '<p class="muted">No document has a surveillance rule, so there is no chart.</p>'
    name_width, bar_height, gap, top = 220, 18, 6, 28
    largest = max(sum(r.counts.values()) for r in drawn)
    scale = (width - name_width - 60) / largest
    height = top + len(drawn) * (bar_height + gap) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="rule clauses per label for each document" class="chart">']
    x = 0
    for label in OPERATIVE_LABELS:
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{LABEL_COLOURS[label]}"/>'
                     f'<text x="{x + 16}" y="15" font-size="12">{label}</text>')
        x += 28 + 7 * len(label)
    for i, row in enumerate(drawn):
        y = top + i * (bar_height + gap)
        name = row.path if len(row.path) <= 32 else "…" + row.path[-31:]
        parts.append(f'<text x="{name_width - 6}" y="{y + 13}" font-size="12" text-anchor="end">{escape(name)}</text>')
        x = float(name_width)
        for label in OPERATIVE_LABELS:
            count = row.counts[label]
            if count:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{count * scale:.1f}" height="{bar_height}" '
                             f'fill="{LABEL_COLOURS[label]}"><title>{escape(row.path)}: {count} {label}</title></rect>')
                x += count * scale
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}" font-size="12">{sum(row.counts.values())}</text>')
    parts.append("</svg>")
    skipped = len(rows) - len(drawn)
    note = f'<p class="muted">{skipped} document(s) without a rule are not drawn.</p>' if skipped else ""
    return "".join(parts) + note


def render_index_html(rows: Sequence[IndexRow], title: str = "banclassify batch report") -> str:
    """The batch index: a sortable table of documents and a chart of their labels."""
    head = (
        "<tr><th>path</th><th class=\"num\">pages</th><th>strongest label</th>"
        + "".join(f'<th class="num">{label.replace("_", "_<wbr>")}</th>' for label in OPERATIVE_LABELS)
        + "<th>technologies</th><th>status</th></tr>"
    )
    body = []
    strength = {label: i for i, label in enumerate(reversed(LABELS_BY_STRENGTH))}
    for row in rows:
        name = f'<a href="{escape(row.report_href)}">{escape(row.path)}</a>' if row.report_href else escape(row.path)
        strongest = tag(row.strongest_label) if row.strongest_label else "&ndash;"
        cells = [
            f"<td>{name}</td>", f'<td class="num">{row.pages}</td>',
            f'<td data-sort="{strength.get(row.strongest_label, -1)}">{strongest}</td>',
            *(f'<td class="num">{row.counts[label]}</td>' for label in OPERATIVE_LABELS),
            f"<td>{escape(row.technologies.replace(' | ', ', '))}</td>", f"<td>{escape(row.status)}</td>",
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    with_rules = sum(1 for r in rows if sum(r.counts.values()))
    failed = sum(1 for r in rows if r.status != "ok")
    content = (
        f"<h1>{escape(title)}</h1><p class=\"muted\">{len(rows)} document(s), {with_rules} with a surveillance rule, "
        f"{failed} not read. Click a column heading to sort.</p>"
        f"<h2>Rules per document</h2>{label_chart_svg(rows)}"
        f'<h2>Documents</h2><div class="scroll"><table id="documents"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>'
    )
    return _page(title, content, INDEX_SCRIPT, wide=True)


def _page(title: str, body: str, script: str, wide: bool = False) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<meta name=\"generator\" content=\"banclassify\"><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head>{'<body class=wide>' if wide else '<body>'}{body}<script>{script}</script></body></html>\n"
    )


class ReportFolder:
    """Writes a batch's report folder: one page per document as it finishes, the index at the end."""

    def __init__(self, directory: Path, root: Path, min_confidence: float = DEFAULT_MIN_CONFIDENCE):
        self.directory = directory
        self.root = root
        self.min_confidence = min_confidence

    def page_path(self, relative: str) -> Path:
        return self.directory / "documents" / f"{relative}.html"

    def add(self, source: Path, relative: str, result: ScanResult) -> Path:
        from .files import write_text_atomic

        target = self.page_path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        index_href = quote(Path(os.path.relpath(self.directory / "index.html", target.parent)).as_posix())
        write_text_atomic(target, render_document_html(result, source, target, self.min_confidence, index_href))
        return target

    def write_index(self, summary_rows: Sequence[dict]) -> Path:
        from .files import write_text_atomic

        hrefs = {}
        for row in summary_rows:
            page = self.page_path(str(row["path"]))
            if row.get("status") == "ok" and page.exists():
                hrefs[str(row["path"])] = quote(page.relative_to(self.directory).as_posix())
        target = self.directory / "index.html"
        self.directory.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, render_index_html(index_rows_from_summary(summary_rows, hrefs), f"banclassify: {self.root.resolve().name}"))
        return target
