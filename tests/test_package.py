"""The package's shape: which imports stay light, and the shared readers behave as documented."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from banclassify.errors import DataError, InputError
from banclassify.jsonl import parse_jsonl, read_jsonl
from banclassify.userdirs import cache_dir, data_dir
from conftest import SAMPLE_PDF

HEAVY = ("sklearn", "spacy")


def modules_after(code: str) -> set[str]:
    """Top-level modules loaded by ``code`` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_extract_stage_loads_neither_scikit_learn_nor_spacy():
    loaded = modules_after(
        "import banclassify.documents as d\n"
        f"doc = d.extract({str(SAMPLE_PDF)!r})\n"
        "assert doc.page_count == 4, doc.page_count\n"
    )
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_jsonl_strict_stops_at_the_first_bad_line_naming_it():
    with pytest.raises(DataError) as raised:
        parse_jsonl('{"text": "a"}\n\n[1, 2]\n{oops\n', "f.jsonl", strict=True, error=DataError)
    assert raised.value.one_line() == "f.jsonl:3: not a JSON object"


def test_jsonl_lenient_skips_bad_lines_and_reports_each():
    records, problems = parse_jsonl('{"text": "a"}\n\n[1, 2]\n{oops\n{"text": "b"}', "f.jsonl", strict=False)
    assert records == [(1, {"text": "a"}), (5, {"text": "b"})]
    assert problems[0] == "f.jsonl:3: not a JSON object"
    assert problems[1].startswith("f.jsonl:4: not JSON (")


def test_read_jsonl_missing_file(tmp_path):
    assert read_jsonl(tmp_path / "none.jsonl", strict=False, missing_ok=True) == ([], [])
    with pytest.raises(InputError, match="none.jsonl: no such file"):
        read_jsonl(tmp_path / "none.jsonl", strict=True)
    (tmp_path / "bom.jsonl").write_bytes(b'\xef\xbb\xbf{"text": "x"}\n')
    assert read_jsonl(tmp_path / "bom.jsonl", strict=True) == ([(1, {"text": "x"})], [])


def test_user_directories_follow_xdg_and_our_overrides(monkeypatch, tmp_path):
    for name in ("BANCLASSIFY_CACHE_DIR", "BANCLASSIFY_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    assert (cache_dir(), data_dir()) == (tmp_path / "c" / "banclassify", tmp_path / "d" / "banclassify")
    monkeypatch.setenv("BANCLASSIFY_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "banclassify"
