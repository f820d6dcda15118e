"""HTML reports: `scan -f html` and `batch --report`, read as HTML and rendered in a real browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from typer.testing import CliRunner

from banclassify.cli import app
from conftest import ROOT, SAMPLE_PDF

runner = CliRunner()
DOCS = ROOT / "docs"

HOSTILE = (
    "CITY OF EVIL TOWN\nORDINANCE NO. 2024-7\n\n"
    "Section 1. No city department shall obtain or use face recognition technology <script>alert('x')</script>.\n\n"
    "Section 2. Approve the warrant register for March & April <b>now</b>.\n"
)


class Clauses(HTMLParser):
    """Collects each <article class="clause">: label, page link, text, whether folded or hidden."""

    def __init__(self):
        super().__init__()
        self.clauses: list[dict] = []
        self.scripts = 0
        self.links: list[str] = []
        self._stack: list[str] = []
        self._current: dict | None = None
        self._in_text = False
        self._folded = 0
        self.counter = ""
        self._in_counter = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "details":
            self._folded += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "article" and "clause" in (attrs.get("class") or ""):
            self._current = {"label": attrs["data-label"], "page": int(attrs["data-page"]), "text": "", "href": None,
                             "folded": self._folded > 0, "hidden": "hidden" in attrs["class"].split()}
        elif self._current is not None and tag == "a" and attrs.get("class") == "page":
            self._current["href"] = attrs["href"]
        elif self._current is not None and tag == "p" and attrs.get("class") == "text":
            self._in_text = True
        if attrs.get("id") == "shown":
            self._in_counter = True

    def handle_endtag(self, tag):
        if tag == "details":
            self._folded -= 1
        if tag == "p":
            self._in_text = False
        if tag == "span":
            self._in_counter = False
        if tag == "article" and self._current is not None:
            self.clauses.append(self._current)
            self._current = None

    def handle_data(self, data):
        if self._in_text and self._current is not None:
            self._current["text"] += data
        if self._in_counter:
            self.counter += data


def parse(html: str) -> Clauses:
    parser = Clauses()
    parser.feed(html)
    return parser


def sample_rows() -> list[dict]:
    result = runner.invoke(app, ["scan", str(SAMPLE_PDF), "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("html") / "out" / "sample.html"
    result = runner.invoke(app, ["scan", str(SAMPLE_PDF), "-f", "html", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_scan_html_has_every_rule_with_its_label_and_a_page_link_relative_to_the_report(sample_report):
    page = parse(sample_report.read_text(encoding="utf-8"))
    rules = [c for c in page.clauses if not c["folded"]]
    expected = sample_rows()
    assert [(c["label"], c["page"]) for c in rules] == [(r["label"], r["page"]) for r in expected]
    for clause in rules:
        # The link, read from the report's own folder, opens the sample PDF at the clause's page.
        path, fragment = clause["href"].split("#")
        assert (sample_report.parent / unquote(path)).resolve() == SAMPLE_PDF.resolve()
        assert fragment == f"page={clause['page']}"
    assert rules[0]["text"].startswith("A. No Department and no officer")


def test_none_clauses_are_folded_but_present(sample_report):
    page = parse(sample_report.read_text(encoding="utf-8"))
    folded = [c for c in page.clauses if c["folded"]]
    assert len(folded) == 60 - 7
    assert {c["label"] for c in folded} == {"none"}
    assert any("9.64.070" in c["text"] for c in folded)


def test_a_report_is_self_contained(sample_report):
    html = sample_report.read_text(encoding="utf-8")
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "<link" not in html and "src=" not in html


def test_clause_text_is_escaped_never_markup(tmp_path):
    source = tmp_path / "evil <b>.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    target = tmp_path / "evil.html"
    assert runner.invoke(app, ["scan", str(source), "-f", "html", "-o", str(target)]).exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<b>now" not in html and "<b>.txt" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    page = parse(html)
    assert page.scripts == 1  # only the report's own filter script
    texts = " ".join(c["text"] for c in page.clauses)
    assert "<script>alert('x')</script>" in texts and "March & April <b>now</b>" in texts


def test_scan_html_to_stdout_links_relative_to_the_current_folder(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["scan", "data/raw/sample_agenda_packet.pdf", "-f", "html"])
    assert result.exit_code == 0
    assert 'href="data/raw/sample_agenda_packet.pdf#page=3"' in result.stdout


@pytest.fixture(scope="module")
def batch_report(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("batch")
    folder = base / "council"
    (folder / "2026").mkdir(parents=True)
    shutil.copy(SAMPLE_PDF, folder / "2026" / SAMPLE_PDF.name)
    (folder / "evil <b>.txt").write_text(HOSTILE, encoding="utf-8")
    (folder / "resolution.txt").write_text(
        "RESOLUTION NO. 2026-14\n\nSection 1. Until June 30, 2027, no City department shall acquire or use automated "
        "license plate readers.\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    result = runner.invoke(app, ["batch", str(folder), "-o", str(base / "c.jsonl"), "-s", str(base / "d.csv"),
                                 "--report", str(base / "report"), "-j", "1"])
    assert result.exit_code == 6, result.output
    return base / "report"


def test_batch_report_has_an_index_row_and_a_page_per_document(batch_report):
    index = (batch_report / "index.html").read_text(encoding="utf-8")
    links = parse(index).links
    assert sorted(unquote(link) for link in links) == [
        "documents/2026/sample_agenda_packet.pdf.html", "documents/evil <b>.txt.html", "documents/resolution.txt.html",
    ]
    assert "broken.pdf" in index and "corrupt" in index  # a failed document is listed with its problem, unlinked
    assert "<svg" in index and index.count("<rect") >= 5 + 3  # legend and bars
    page = batch_report / "documents" / "2026" / "sample_agenda_packet.pdf.html"
    parsed = parse(page.read_text(encoding="utf-8"))
    first = next(c for c in parsed.clauses if not c["folded"])
    path = unquote(first["href"].split("#")[0])
    assert (page.parent / path).resolve().name == SAMPLE_PDF.name
    assert "../../index.html" in parsed.links


# --- in a real browser -------------------------------------------------------------------------

def browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


needs_browser = pytest.mark.skipif(
    browser() is None,
    reason="no headless Chromium installed (make install adds the Debian package 'chromium' when run as root)",
)


def run_browser(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        command = [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                   f"--user-data-dir={profile}", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)


def rendered_dom(page: Path, fragment: str = "") -> Clauses:
    done = run_browser("--virtual-time-budget=2000", "--dump-dom", page.resolve().as_uri() + fragment)
    assert done.returncode == 0, done.stderr[-2000:]
    return parse(done.stdout)


@needs_browser
def test_browser_renders_every_rule_with_label_and_page_link(sample_report):
    dom = rendered_dom(sample_report)
    expected = sample_rows()
    shown = [c for c in dom.clauses if not c["folded"] and not c["hidden"]]
    assert [(c["label"], c["page"], c["href"].split("#")[1]) for c in shown] == [
        (r["label"], r["page"], f"page={r['page']}") for r in expected
    ]
    assert dom.counter.startswith("7 rule(s) shown")  # the page's script ran


@needs_browser
def test_browser_label_filter_and_search_from_the_link(sample_report):
    dom = rendered_dom(sample_report, "#label=moratorium")
    visible = [c for c in dom.clauses if not c["hidden"]]
    assert [c["label"] for c in visible] == ["moratorium"]
    dom = rendered_dom(sample_report, "#q=" + quote("roll call"))
    # Folded clauses are searched too: the matches below the fold stay visible.
    assert all(c["folded"] for c in dom.clauses if not c["hidden"])


@needs_browser
def test_browser_shows_hostile_text_as_text(tmp_path):
    source = tmp_path / "evil.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    target = tmp_path / "evil.html"
    assert runner.invoke(app, ["scan", str(source), "-f", "html", "-o", str(target)]).exit_code == 0
    dom = rendered_dom(target)
    assert any("<script>alert('x')</script>" in c["text"] for c in dom.clauses)
    assert dom.scripts == 1


# Where the screenshots go: the benchmark folder (not tracked) on every run; the README's
# copies in docs/ only when asked (`make screenshots`), so a test run leaves the work tree clean.
SCREENSHOTS = ROOT / "bench" / "screenshots"
REFRESH_DOCS = "BANCLASSIFY_REFRESH_SCREENSHOTS"


@needs_browser
def test_browser_screenshots_for_the_readme(batch_report, tmp_path, monkeypatch):
    refresh = os.environ.get(REFRESH_DOCS) == "1"
    folder = DOCS if refresh else SCREENSHOTS
    committed = {png: (png.stat().st_mtime_ns, png.read_bytes()) for png in DOCS.glob("report-*.png")}
    monkeypatch.chdir(ROOT)  # the report names the document as a user would type it
    sample = tmp_path / "sample.html"
    assert runner.invoke(app, ["scan", "data/raw/sample_agenda_packet.pdf", "-f", "html", "-o", str(sample)]).exit_code == 0
    folder.mkdir(exist_ok=True)
    for page, png, size in (
        (sample, folder / "report-scan.png", "1200,1500"),
        (batch_report / "index.html", folder / "report-batch.png", "1400,760"),
    ):
        png.unlink(missing_ok=True)
        done = run_browser(f"--window-size={size}", f"--screenshot={png}", page.resolve().as_uri())
        assert done.returncode == 0, done.stderr[-2000:]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    if not refresh:
        assert {png: (png.stat().st_mtime_ns, png.read_bytes()) for png in DOCS.glob("report-*.png")} == committed
