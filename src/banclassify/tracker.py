"""Tracker export: one row per document in the columns public surveillance-law trackers keep.

What the document is (jurisdiction, kind, title, number, dates) is read from the text of
its first pages with patterns of how councils, counties and legislatures head their
papers; a field the document does not state is left empty, never guessed from the file
name. What it rules (rule types with their sections, technologies, actors, moratorium end)
comes from the clause labels. Columns: ``TRACKER_FIELDS``, described in the README.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, asdict
from pathlib import Path

from .labels import LABELS_BY_STRENGTH
from .scan import DEFAULT_MIN_CONFIDENCE, ScanResult

TRACKER_FIELDS = [
    "path", "sha256", "jurisdiction", "state", "kind", "title", "number", "adopted", "effective", "meeting_date",
    "strongest_label", "rules", "technologies", "actors", "moratorium_end", "pages", "status",
]

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
}
_STATE_NAMES = "|".join(sorted(map(re.escape, STATES.values()), key=len, reverse=True))
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_MONTH_NUMBER = {name: i for i, name in enumerate(_MONTHS.split("|"), start=1)}
_MONTH_NUMBER.update({name[:3]: i for name, i in list(_MONTH_NUMBER.items())})
_MONTH_NUMBER["sept"] = 9

# "December 12, 2022", "Dec. 12, 2022", "12th day of December, 2022", "12/12/2022"
_DATE = (
    r"(?:(?P<m1>(?:" + _MONTHS + r")|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?)\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+day\s+of\s+(?P<m2>" + _MONTHS + r"),?\s+(?:in\s+the\s+year\s+)?(?P<y2>\d{4})"
    r"|(?P<m3>\d{1,2})/(?P<d3>\d{1,2})/(?P<y3>\d{4}))"
)
_DATE_RE = re.compile(_DATE, re.IGNORECASE)
_ADOPTED_RE = re.compile(r"\b(?:adopted|enacted|approved)(?:\s+(?:on|this|by\s+the\s+\w+(?:\s+\w+)?\s+on))?\s+(?:the\s+)?" + _DATE, re.IGNORECASE)
_EFFECTIVE_RE = re.compile(r"\b(?:effective(?:\s+date)?|take(?:s)?\s+effect|in\s+effect)(?:\s*(?:on|as\s+of|:))?\s+(?:the\s+)?" + _DATE, re.IGNORECASE)

# A place name: capitalised words on one line ("Los Angeles", "La Cañada Flintridge", "LOS ANGELES").
_NAME = r"[A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|de|del|los|las))*?"
_JURISDICTION_RES = [
    # "City and County of San Francisco", "COUNTY OF LOS ANGELES", "Town of Brookline"
    (re.compile(r"\b((?i:city[ \t]+and[ \t]+county|city|county|town|township|village|borough|parish))[ \t]+(?i:of)[ \t]+(?:(?i:the)[ \t]+)?(" + _NAME + r")"
                r"(?=[ \t]*(?:$|[,;:()–-]|[ \t](?i:city|county|council|board|department|planning|police|regular|special|agenda)\b))", re.MULTILINE), None),
    # "BALDWIN PARK CITY COUNCIL", "Los Angeles County Board of Supervisors", "NORWALK CITY HALL"
    (re.compile(r"^[ \t]*(?:(?i:(?:a[ \t]+)?(?:regular|special|adjourned)[ \t]+meeting[ \t]+of[ \t]+the)[ \t]+)?(" + _NAME + r")[ \t]+((?i:city|county|town|village))[ \t]+(?i:council|commission|board of supervisors|hall)\b", re.MULTILINE), "swap"),
]
# Words of headings that stand before "City Council" and are no place: "Speaker Request City Council".
_NOT_A_PLACE = re.compile(r"\b(?:request|speaker|form|item|agenda|minutes|joint|regular|special|notice|comment|card)s?\b", re.IGNORECASE)
_ADDRESS_RE = re.compile(r"^\s*(?:\d+[^\n,]*\n\s*)?([A-Z][A-Za-zñÑ.'’ ]{2,40}),\s+(CA|California|" + "|".join(STATES) + r"|" + _STATE_NAMES + r")\.?\s+\d{5}\b", re.MULTILINE)
_STATE_HEADER_RE = re.compile(
    r"\b(?:(?:State|Commonwealth)\s+of\s+(" + _STATE_NAMES + r")|(" + _STATE_NAMES + r")\s+(?:State\s+)?(?:Legislature|General\s+Assembly|State\s+Senate|House\s+of\s+Representatives))\b",
    re.IGNORECASE,
)

_KIND_RES = [
    ("minutes", re.compile(r"^\s*(?:\w+\s+){0,4}minutes\b", re.IGNORECASE)),
    ("agenda", re.compile(r"\bagenda\b", re.IGNORECASE)),
    ("ordinance", re.compile(r"\bordinance\s+no\b|^\s*(?:an\s+)?(?:urgency\s+|interim\s+)?ordinance\b", re.IGNORECASE)),
    ("resolution", re.compile(r"\bresolution\s+no\b|^\s*(?:a\s+)?resolution\b", re.IGNORECASE)),
    ("bill", re.compile(r"\b(?:assembly|senate|house)\s+bill\b|\bH\.\s?R\.\s?\d+|^\s*(?:a\s+bill|an\s+act)\b|^\s*(?:AB|SB|HB)\s?\d+\b", re.IGNORECASE)),
    ("policy", re.compile(r"\bpolicy\b|\bgeneral\s+order\b|\bprocedures?\s+manual\b", re.IGNORECASE)),
]
_NUMBER_RES = {
    "ordinance": re.compile(r"\bordinance\s+(?:no\.?|number|#)\s*([0-9][\w.\-–]*[0-9A-Za-z])", re.IGNORECASE),
    "resolution": re.compile(r"\bresolution\s+(?:no\.?|number|#)\s*([0-9][\w.\-–]*[0-9A-Za-z])", re.IGNORECASE),
    "policy": re.compile(r"\b(?:policy|general\s+order)\s+(?:no\.?|number|#)?\s*([0-9][\w.\-–]*[0-9A-Za-z])", re.IGNORECASE),
}
_BILL_RE = re.compile(r"\b(Assembly|Senate|House)\s+Bill\s+(?:No\.?\s*)?(\d+)|\b(AB|SB|HB|H\.\s?R\.|S\.)\s?(\d+)\b", re.IGNORECASE)
_TITLE_SENTENCE_RE = re.compile(r"\b(AN?\s+(?:URGENCY\s+|INTERIM\s+)?(?:ORDINANCE|RESOLUTION|ACT|BILL)\s+(?:OF|TO|RELATING|AMENDING|ADDING|ESTABLISHING|APPROVING|AUTHORIZING)\b(?:[^.;]|\.(?=\d)){10,400})", re.IGNORECASE)
_TITLE_LINE_RE = re.compile(r"\b(?:council|commission|board|committee|authority|meeting|legislature|department)\b", re.IGNORECASE)


@dataclass
class DocumentFacts:
    """What a document says about itself in its heading."""

    jurisdiction: str = ""
    state: str = ""
    kind: str = ""
    title: str = ""
    number: str = ""
    adopted: str = ""
    effective: str = ""
    meeting_date: str = ""


def _despace(line: str) -> str:
    """'C I T Y O F G A R D E N A' -> 'CITYOFGARDENA' is no better; rebuild the words instead."""
    if re.fullmatch(r"(?:\S ){3,}\S", line.strip()):
        # Letter-spaced headings keep a double space (or none) between words: "C I T Y  O F".
        words = re.split(r"\s{2,}", line.strip())
        if len(words) == 1:
            joined = line.replace(" ", "")
            return re.sub(r"^(CITY|COUNTY|TOWN)OF", r"\1 OF ", joined)
        return " ".join(w.replace(" ", "") for w in words)
    return line


def _tidy_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" .,-–")
    return name.title().replace(" Of ", " of ").replace(" De ", " de ").replace(" La ", " La ") if name.isupper() else name


def _iso(match: re.Match) -> str:
    parts = match.groupdict()
    for m, d, y in (("m1", "d1", "y1"), ("m2", "d2", "y2"), ("m3", "d3", "y3")):
        if parts.get(y):
            month_text = parts[m].lower().rstrip(".")
            month = int(month_text) if month_text.isdigit() else _MONTH_NUMBER.get(month_text[:4] if month_text.startswith("sept") else month_text[:3])
            day = int(parts[d])
            if month and 1 <= month <= 12 and 1 <= day <= 31:
                return f"{int(parts[y]):04d}-{month:02d}-{day:02d}"
    return ""


def document_facts(text: str) -> DocumentFacts:
    """Read jurisdiction, kind, title, number and dates from a document's opening text."""
    lines = [_despace(line) for line in text.splitlines()]
    head_lines: list[str] = []
    for line in (line.strip() for line in lines if line.strip()):
        # A heading set as "CITY OF" over "ROLLING HILLS ESTATES" is one name.
        if head_lines and re.fullmatch(r"(?i:city|county|town|village)[ \t]+(?i:of)", head_lines[-1]):
            head_lines[-1] = f"{head_lines[-1]} {line}"
        else:
            head_lines.append(line)
    head_lines = head_lines[:25]
    head = "\n".join(head_lines)
    whole = "\n".join(lines)
    facts = DocumentFacts()

    # The kind is the first kind word in the heading; a packet headed as an agenda or minutes is
    # one, whatever ordinances it carries.
    best: tuple[int, str] | None = None
    for kind, pattern in _KIND_RES:
        if best is not None and best[1] in {"agenda", "minutes"} and kind not in {"agenda", "minutes"}:
            break
        for index, line in enumerate(head_lines):
            if len(line) <= 120 and not line.endswith(".") and pattern.search(line):
                if best is None or index < best[0]:
                    best = (index, kind)
                break
    facts.kind = best[1] if best else ""

    facts.jurisdiction, facts.state = _jurisdiction(head, whole)

    if facts.kind == "bill":
        match = _BILL_RE.search(head)
        if match:
            if match.group(1):
                facts.number = f"{match.group(1)[0].upper()}B {match.group(2)}"
            else:
                facts.number = f"{match.group(3).upper().replace(' ', '')} {match.group(4)}"
    elif facts.kind in _NUMBER_RES:
        match = _NUMBER_RES[facts.kind].search(head)
        facts.number = match.group(1) if match else ""

    facts.title = _title(head_lines, facts.kind)
    if facts.kind not in {"agenda", "minutes"}:
        # In a packet these dates belong to the items, not to the packet.
        adopted = _ADOPTED_RE.search(whole)
        facts.adopted = _iso(adopted) if adopted else ""
        effective = _EFFECTIVE_RE.search(whole)
        facts.effective = _iso(effective) if effective else ""
    else:
        date = _DATE_RE.search(head)
        facts.meeting_date = _iso(date) if date else ""
    return facts


def _jurisdiction(head: str, whole: str) -> tuple[str, str]:
    state = ""
    header = _STATE_HEADER_RE.search(head)
    if header:
        state = _tidy_name(header.group(1) or header.group(2))
    address = _ADDRESS_RE.search(whole)
    if address and not state:
        code = address.group(2).rstrip(".")
        state = STATES.get(code.upper(), _tidy_name(code))
    for pattern, mode in _JURISDICTION_RES:
        match = next((m for m in pattern.finditer(head) if not _NOT_A_PLACE.search(m.group(1 if mode else 2))), None)
        if match:
            if mode == "swap":
                return f"{match.group(2).title()} of {_tidy_name(match.group(1))}", state
            return f"{match.group(1).title().replace(' And ', ' and ')} of {_tidy_name(match.group(2))}", state
    if header:
        return f"State of {state}", state
    if address:
        return f"City of {_tidy_name(address.group(1))}", state
    return "", state


def _title(head_lines: list[str], kind: str) -> str:
    if kind in {"ordinance", "resolution", "bill"}:
        match = _TITLE_SENTENCE_RE.search(" ".join(head_lines))
        if match:
            return re.sub(r"\s+", " ", match.group(1)).strip()
    for index, line in enumerate(head_lines):
        if len(line) <= 100 and line[0].isupper() and not line.endswith((".", ",")) and _TITLE_LINE_RE.search(line) \
                and not re.search(r"\b(?:chambers?|hall|room|street|avenue|member|mayor|clerk)\b", line, re.IGNORECASE):
            title = line
            following = head_lines[index + 1] if index + 1 < len(head_lines) else ""
            if "meeting" not in line.lower() and re.search(r"\bmeeting\b", following, re.IGNORECASE) and len(following) <= 60:
                title = f"{line} {following}"
            return re.sub(r"\s+", " ", title)
    return ""


def opening_text(result: ScanResult, pages: int = 2) -> str:
    """The text of the document's first pages (from its clauses when the page text was not kept)."""
    return result.opening or "\n".join(c.text for c in result.clauses if c.page <= pages)


def tracker_row(result: ScanResult | None, path: str, sha256: str, status: str = "ok",
                min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict:
    row = {name: "" for name in TRACKER_FIELDS}
    row.update(path=path, sha256=sha256, status=status)
    if result is None:
        row["pages"] = 0
        return row
    row.update(asdict(document_facts(opening_text(result))))
    found = result.found(min_confidence)
    rules = []
    for label in LABELS_BY_STRENGTH[:-1]:
        where = []
        for clause in found:
            if clause.label == label:
                place = clause.section or f"p. {clause.page}"
                if place not in where:
                    where.append(place)
        if where:
            rules.append(f"{label}: {', '.join(where)}")
    coverage = result.coverage(min_confidence)
    row.update(
        strongest_label=result.strongest_label(min_confidence), rules="; ".join(rules),
        technologies=" | ".join(coverage["technologies"]), actors=" | ".join(coverage["actors"]),
        moratorium_end=" | ".join(coverage["moratorium_ends"]), pages=result.pages,
    )
    return row


class TrackerFile:
    """The tracker CSV of a batch, rewritten whole after each document so a killed run keeps it."""

    def __init__(self, path: Path, resume: bool = False):
        self.path = path
        self.rows: dict[str, dict] = {}
        if resume and path.exists():
            with open(path, newline="", encoding="utf-8") as handle:
                self.rows = {row["path"]: row for row in csv.DictReader(handle) if row.get("path")}

    def add(self, row: dict) -> None:
        self.rows[row["path"]] = row
        self.write()

    def keep_only(self, paths: set[str]) -> None:
        """Forget rows of documents that are no longer in the folder."""
        self.rows = {p: r for p, r in self.rows.items() if p in paths}

    def write(self) -> None:
        from .files import write_text_atomic

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=TRACKER_FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows[p] for p in sorted(self.rows))
        write_text_atomic(self.path, buffer.getvalue())
