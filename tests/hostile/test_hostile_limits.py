"""Bounded memory and time: bombs, /Length loops and the memory ceiling, through batch and scan."""

from __future__ import annotations

import subprocess

from hostile import EXE, RULE, flate_bomb_pdf, length_loop_pdf, one_line_error, read_summary

CEILING_MB = 700


def batch(docs, tmp_path, *extra):
    """The batch in a fresh Python that reports its child's peak resident size (ru_maxrss, MB)."""
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    command = [str(EXE), "batch", str(docs), "--out", str(out), "--summary", str(summary), "--quiet", "--no-cache", "--jobs", "1", *extra]
    measure = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stderr.write(r.stderr); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); sys.exit(r.returncode)"
    )
    result = subprocess.run([str(EXE.with_name("python")), "-c", measure, *command], capture_output=True, text=True, timeout=180)
    one_line_error(result)
    return result, read_summary(summary), float(result.stdout.strip().splitlines()[-1])


def test_flate_bombs_stay_under_the_memory_ceiling_and_fail_alone(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "single.pdf").write_bytes(flate_bomb_pdf(600))  # about 600 KB inflating to 600 MB
    (docs / "double.pdf").write_bytes(flate_bomb_pdf(600, layers=2))
    (docs / "fine.txt").write_text(RULE)
    expected = {"pdfplumber": "a compressed stream decodes to more than 256 MB", "pdfium": "worker died: the PDF library aborted (SIGABRT)"}
    for engine, reason in expected.items():
        result, rows, peak_mb = batch(docs, tmp_path, "--max-memory", str(CEILING_MB), "--engine", engine)
        assert result.returncode == 6, result.stderr
        assert rows["fine.txt"]["status"] == "ok"
        assert reason in rows["single.pdf"]["status"] and reason in rows["double.pdf"]["status"], rows
        assert f"banclassify: failed: double.pdf: " in result.stderr
        # The CLI process (the workers are capped by RLIMIT_AS at the ceiling itself).
        assert peak_mb < CEILING_MB, peak_mb


def test_a_length_loop_cannot_hang_a_batch(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "loop.pdf").write_bytes(length_loop_pdf())
    (docs / "fine.txt").write_text(RULE)
    result, rows, _ = batch(docs, tmp_path, "--timeout", "20")
    assert rows["fine.txt"]["status"] == "ok"
    assert rows["loop.pdf"]["status"] in {"ok", "damaged"} or rows["loop.pdf"]["status"].startswith(("timed out", "corrupt"))
