"""Hostile inputs, generated (never committed as binaries), and how the tests run the CLI on them."""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import zlib
from pathlib import Path

HOOKS = Path(__file__).with_name("hooks")
EXE = Path(sys.executable).parent / "banclassify"
RULE = "No City department shall acquire, retain or use any face recognition technology."


def run(*args, env: dict | None = None, timeout: float = 120, user: str | None = None) -> subprocess.CompletedProcess:
    """``banclassify ARGS`` in a subprocess (``user``: as that user, through setpriv, when root)."""
    command = [str(EXE), *map(str, args)]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def hooked() -> dict:
    """The environment of a run whose readers obey KILL-ME/SLEEP-ME markers (see hooks/sitecustomize.py)."""
    path = os.pathsep.join([str(HOOKS), os.environ.get("PYTHONPATH", "")])
    return {"PYTHONPATH": path, "BANCLASSIFY_TEST_HOOKS": "1"}


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The run's stderr, checked to be free of tracebacks and internal errors."""
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    return result.stderr


def read_summary(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["path"]: row for row in csv.DictReader(handle)}


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def children_peak_mb() -> float:
    """The largest resident size any finished child process of this one reached (ru_maxrss, in MB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measured(*args, env: dict | None = None, timeout: float = 180) -> tuple[subprocess.CompletedProcess, float]:
    """``banclassify ARGS`` run by a fresh Python, and the peak resident size (MB) of that run's
    processes (ru_maxrss of its children: the CLI and every reader process it waited for)."""
    measure = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stderr.write(r.stderr); sys.stdout.write(r.stdout); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); sys.exit(r.returncode)"
    )
    result = subprocess.run(
        [str(EXE.with_name("python")), "-c", measure, str(EXE), *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )
    *output, peak = result.stdout.splitlines() or ["0"]
    result.stdout = "".join(line + "\n" for line in output)
    return result, float(peak)


def pdf(objects: list[bytes], root: int = 1, xref: bool = True) -> bytes:
    """A PDF of the given object bodies (object n is objects[n-1]) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, start)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_page_pdf(pages: int = 1, count: int | None = None, mediabox: bytes = b"[0 0 612 792]", text: str = RULE) -> bytes:
    """A PDF of ``pages`` pages of text; ``count`` is what its /Count claims (a lie, when it differs)."""
    content = stream(b"BT /F1 11 Tf 72 700 Td (" + text.encode() + b") Tj ET")
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % (pages if count is None else count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        content,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox " + mediabox + b" /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"] * pages
    return pdf(objects)


def flate_bomb_pdf(decoded_mb: int, layers: int = 1) -> bytes:
    """A one-page PDF whose content stream is ``decoded_mb`` MB of spaces, Flate-compressed ``layers`` times."""
    data = b"BT /F1 11 Tf 72 700 Td (" + RULE.encode() + b") Tj ET\n"
    body = zlib.compress(data + b" " * (decoded_mb << 20), 9)
    for _ in range(layers - 1):
        body = zlib.compress(body, 9)
    filters = b"/Filter [" + b" /FlateDecode" * layers + b" ]"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(body, filters),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
    ]
    return pdf(objects)


def length_loop_pdf() -> bytes:
    """A content stream whose /Length is an indirect object that refers to itself."""
    data = b"BT /F1 11 Tf 72 700 Td (" + RULE.encode() + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length 6 0 R >>\nstream\n" + data + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
        b"6 0 R",
    ]
    return pdf(objects, xref=False)


def empty_page_pdf(mediabox: bytes) -> bytes:
    """One page without text (OCR is asked for) and with the given MediaBox."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + mediabox + b" >>",
    ]
    return pdf(objects)
