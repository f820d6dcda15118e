"""Batch labelling of a folder: bad files recorded, order fixed, resumable, cached, and on Dask."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify.batch import BatchOptions, run_batch
from banclassify.cli import app
from banclassify import ReadOptions
from banclassify.documents import extract
from conftest import SAMPLE_PDF
from pdfgen import PAGE_BREAK

runner = CliRunner()

RULES = [
    "No City department shall acquire, retain or use any face recognition technology.",
    "The Police Department shall not use automated identification on live video feeds from park cameras.",
    "Until the Council receives the task force report, no department shall deploy drones.",
    "A store may not collect a shopper's faceprint without first obtaining written consent.",
    "Each department shall submit an annual surveillance report to the Council.",
    "The Council approved the minutes of the previous meeting.",
]


@pytest.fixture
def folder(tmp_path, make_pdf):
    root = tmp_path / "docs"
    (root / "county" / "nested").mkdir(parents=True)
    (root / ".git").mkdir()
    for n in range(8):
        (root / "county" / f"ord_{n:02d}.txt").write_text(f"Ordinance {n}.\n\n" + " ".join(RULES[n % 6:] + RULES[: n % 6]) + "\n")
    (root / "county" / "nested" / "code.md").write_text("# Chapter 2\n\nSec. 2-1. No drones.\n\n" + RULES[0] + "\n")
    (root / "county" / "nested" / "page.html").write_text("<html><nav>Home</nav><p>" + RULES[3] + "</p></html>")
    shutil.copy(SAMPLE_PDF, root / "packet.pdf")
    make_pdf([RULES[1]] * 3, name="long.pdf")
    paragraphs = []
    topics = "harbor library airport cemetery zoning sewer parks fleet payroll bridge transit water museum pool " \
        "golf housing animal jail court clerk permits census elections trees streets lights storm fire parking grants".split()
    for n in range(30):
        intro = f"Item {n} concerns the {topics[n]} program, its {topics[(n * 7) % 30]} schedule and the {topics[(n * 11) % 30]} budget."
        paragraphs += [intro, RULES[n % 6], PAGE_BREAK]
    shutil.copy(make_pdf(paragraphs[:-1], name="thirty.pdf", header="County of Elm | Board Packet", footer="Page {page}"), root / "thirty.pdf")
    (root / "broken.pdf").write_bytes(SAMPLE_PDF.read_bytes()[:5000])
    (root / "empty.txt").write_text("")
    (root / ".git" / "config.txt").write_text("hidden")
    (root / ".hidden.txt").write_text("hidden")
    (root / "budget.xlsx").write_bytes(b"PK\x03\x04")
    return root


def run_cli(*args):
    return runner.invoke(app, ["batch", *map(str, args), "--quiet"])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def read_summary(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_mixed_folder_records_failures_and_goes_on(folder, tmp_path):
    out, summary = tmp_path / "clauses.jsonl", tmp_path / "documents.csv"
    result = run_cli(folder, "--out", out, "--summary", summary, "--jobs", "2")
    assert result.exit_code == 6, result.output
    rows = {r["path"]: r for r in read_summary(summary)}
    assert list(rows) == sorted(rows)
    assert len(rows) == 14
    assert rows["broken.pdf"]["status"].startswith("corrupt or truncated PDF")
    assert rows["empty.txt"]["status"] == "empty document: no text to classify"
    assert rows["packet.pdf"]["status"] == "ok" and rows["packet.pdf"]["strongest_label"] == "full_ban"
    assert rows["packet.pdf"]["full_ban_pages"] == "3" or "3" in rows["packet.pdf"]["full_ban_pages"].split()
    assert rows["thirty.pdf"]["pages"] == "30"
    assert rows["county/nested/page.html"]["engine"] == "html"
    assert "skipped 2 hidden and 1 unsupported" in result.stderr
    assert "failed: broken.pdf" in result.stderr
    clauses = read_jsonl(out)
    assert {c["file"] for c in clauses} == {p for p, r in rows.items() if r["status"] == "ok"}
    assert all(len(c["sha256"]) == 64 for c in clauses)
    assert not any("Home" in c["text"] for c in clauses)  # HTML navigation dropped


def test_page_ranges_give_the_same_document_as_one_extraction(folder, tmp_path):
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    run_cli(folder, "--out", out, "--summary", summary, "--no-cache")
    batch_rows = [c for c in read_jsonl(out) if c["file"] == "thirty.pdf"]
    from banclassify.segment import segment

    whole = segment(extract(folder / "thirty.pdf").pages)
    assert [(c["page"], c["text"]) for c in batch_rows] == [(c.page, c.text) for c in whole]
    assert not any("County of Elm" in c["text"] for c in batch_rows)  # header seen across ranges


def test_output_is_the_same_whatever_the_number_of_jobs(folder, tmp_path):
    outputs = []
    for jobs in ("1", "2"):
        out, summary = tmp_path / f"c{jobs}.csv", tmp_path / f"d{jobs}.json"
        run_cli(folder, "--out", out, "--summary", summary, "--jobs", jobs, "--no-cache")
        documents = json.loads(summary.read_text())
        outputs.append((out.read_text(), [{k: v for k, v in d.items() if k != "seconds"} for d in documents]))
    assert outputs[0] == outputs[1]


def test_exit_codes_all_good_and_none_readable(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_text(RULES[0])
    assert run_cli(good, "--out", tmp_path / "a.jsonl", "--summary", tmp_path / "a.csv").exit_code == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.pdf").write_text("not a pdf")
    (bad / "b.txt").write_text("")
    assert run_cli(bad, "--out", tmp_path / "b.jsonl", "--summary", tmp_path / "b.csv").exit_code == 7
    missing = run_cli(tmp_path / "nowhere", "--out", tmp_path / "c.jsonl")
    assert missing.exit_code == 3 and "no such folder" in missing.stderr


def test_second_run_reads_the_cache(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("BANCLASSIFY_CACHE_DIR", str(tmp_path / "cache"))
    args = ["--out", tmp_path / "c.jsonl", "--summary", tmp_path / "d.csv"]
    first = run_cli(folder, *args)
    assert "0 from cache" in first.stderr
    first_rows = (tmp_path / "c.jsonl").read_text()
    second = run_cli(folder, *args)
    assert "13 from cache" in second.stderr  # every document that extraction could read (empty.txt too)
    assert (tmp_path / "c.jsonl").read_text() == first_rows
    third = run_cli(folder, *args, "--no-cache")
    assert "0 from cache" in third.stderr
    cleared = runner.invoke(app, ["clear-cache"])
    assert "removed 13 cached extraction(s)" in cleared.stdout


def test_timeout_is_recorded_per_document(folder, tmp_path, classifier):
    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    options = BatchOptions(ReadOptions(jobs=1, timeout=0.05), use_cache=False, pages_per_unit=100)
    report = run_batch(folder, classifier, out, summary, options)
    rows = {r["path"]: r for r in read_summary(summary)}
    assert rows["thirty.pdf"]["status"].startswith("timed out after 0.05 s")
    assert rows["county/ord_00.txt"]["status"] == "ok"
    assert report.exit_code == 6


def test_too_large_files_are_refused(folder, tmp_path):
    run_cli(folder, "--out", tmp_path / "c.jsonl", "--summary", tmp_path / "d.csv", "--max-mb", "0.01")
    rows = {r["path"]: r for r in read_summary(tmp_path / "d.csv")}
    assert "too large" in rows["thirty.pdf"]["status"] and rows["county/ord_00.txt"]["status"] == "ok"


def test_killed_batch_resumes_without_losing_or_repeating_rows(folder, tmp_path):
    for n in range(40):
        (folder / "county" / f"more_{n:02d}.txt").write_text(f"Resolution {n}.\n\n" + " ".join(RULES))
    reference_out, reference_summary = tmp_path / "ref.jsonl", tmp_path / "ref.csv"
    run_cli(folder, "--out", reference_out, "--summary", reference_summary, "--no-cache")

    out, summary = tmp_path / "c.jsonl", tmp_path / "d.csv"
    journal = tmp_path / ".d.csv.journal.jsonl"
    exe = Path(sys.executable).parent / "banclassify"
    command = [str(exe), "batch", str(folder), "--out", str(out), "--summary", str(summary), "--jobs", "1", "--no-cache", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 10):
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert journal.exists() and not summary.exists()
    for line in out.read_text().splitlines():
        json.loads(line)  # every line on disk is whole

    result = run_cli(folder, "--out", out, "--summary", summary, "--resume", "--no-cache")
    assert result.exit_code == 6
    assert "already done" in result.stderr and " 0 already done" not in result.stderr
    key = lambda r: (r["file"], r["start"])  # noqa: E731
    assert sorted(read_jsonl(out), key=key) == sorted(read_jsonl(reference_out), key=key)
    assert [r["file"] for r in read_jsonl(out)] == [r["file"] for r in read_jsonl(reference_out)]
    assert [r["path"] for r in read_summary(summary)] == [r["path"] for r in read_summary(reference_summary)]


def test_dask_cluster_gives_the_same_results_as_a_local_run(folder, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    local_out, dask_out = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    run_cli(folder, "--out", local_out, "--summary", tmp_path / "l.csv", "--no-cache")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_cli(folder, "--out", dask_out, "--summary", tmp_path / "d.csv", "--no-cache", "--backend", "dask", "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 6, result.output
    assert dask_out.read_text() == local_out.read_text()


FREEZE_PROBE = """
import gc
from joblib import Parallel, delayed
from banclassify.process import freeze_in_worker

def in_worker():
    freeze_in_worker()
    return gc.get_freeze_count()

freeze_in_worker()  # the caller's own process: left alone
print(gc.get_freeze_count(), min(Parallel(n_jobs=2)(delayed(in_worker)() for _ in range(4))))
"""


def test_workers_keep_the_garbage_collector_off_their_imports_but_the_caller_is_left_alone():
    result = subprocess.run([sys.executable, "-c", FREEZE_PROBE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    in_caller, in_workers = map(int, result.stdout.split())
    assert in_caller == 0
    assert in_workers > 1000
