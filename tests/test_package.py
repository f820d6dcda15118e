"""The package's shape: which imports stay light, and the shared readers behave as documented."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from banclassify import DataError, InputError
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


# The front door: the names the README's "Python API" section documents.
DOCUMENTED_API = [
    "scan", "classify", "batch", "load_model", "BatchItem", "ReadOptions", "ScanResult", "ClauseResult", "Prediction",
    "BanclassifyError", "InputError", "ModelError", "DataError", "LABELS", "__version__",
]


def test_the_package_exports_exactly_the_documented_api_and_nothing_heavy():
    loaded = modules_after(
        "import banclassify\n"
        f"assert sorted(banclassify.__all__) == sorted({DOCUMENTED_API!r}), banclassify.__all__\n"
        "assert banclassify.ReadOptions().engine == 'pdfplumber'\n"
        "assert banclassify.ScanResult.to_dict\n"
    )
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_every_exported_name_resolves_and_the_functions_keep_their_names():
    import banclassify
    import banclassify.batch  # noqa: F401  (a submodule of the same name must not replace the function)

    for name in DOCUMENTED_API:
        assert getattr(banclassify, name) is not None
    assert callable(banclassify.scan) and callable(banclassify.classify) and callable(banclassify.batch)
    with pytest.raises(AttributeError):
        banclassify.no_such_name


def test_python_api_scans_classifies_and_batches(tmp_path):
    import banclassify

    model = banclassify.load_model()
    result = banclassify.scan(SAMPLE_PDF, model=model)
    assert isinstance(result, banclassify.ScanResult)
    assert result.strongest_label() == "full_ban"
    as_dict = json.loads(json.dumps(result.to_dict()))
    assert as_dict["pages"] == 4 and len(as_dict["clauses_shown"]) == len(result.clauses) == 60
    assert {c["section"] for c in as_dict["clauses_shown"] if c["label"] == "moratorium"} == {"9.64.040"}

    [prediction] = banclassify.classify("No City department shall obtain or use face recognition technology.", model=model)
    assert prediction.label == "full_ban" and prediction.to_dict()["confidence"] == prediction.confidence

    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7 broken")
    items = list(banclassify.batch([SAMPLE_PDF, tmp_path / "bad.pdf", tmp_path / "none.txt"], model=model))
    assert [i.result is not None for i in items] == [True, False, False]
    assert items[0].result.to_dict() == as_dict
    assert items[2].error == "no such file"
    assert items[1].to_dict()["error"].startswith("corrupt or truncated PDF")
    with pytest.raises(banclassify.InputError, match="too large"):
        banclassify.scan(SAMPLE_PDF, model=model, options=banclassify.ReadOptions(max_mb=0.001))


@pytest.mark.parametrize("args", [["info"], ["clear-cache"], ["import", "{rows}", "--to", "{to}"], ["--help"]])
def test_light_commands_do_not_load_scikit_learn_or_spacy(tmp_path, args):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"text": "No department shall use drones.", "label": "full_ban", "p_full_ban": 0.2}) + "\n")
    argv = [a.format(rows=rows, to=tmp_path / "to.jsonl") for a in args]
    loaded = modules_after(
        "from typer.testing import CliRunner\n"
        "from banclassify.cli import app\n"
        f"result = CliRunner().invoke(app, {argv!r})\n"
        "assert result.exit_code == 0, result.output\n"
    )
    assert not loaded & set(HEAVY), (args, loaded & set(HEAVY))


def test_rendering_a_scan_result_does_not_load_the_model_libraries():
    loaded = modules_after(
        "from banclassify.report import render_scan\n"
        "from banclassify.scan import ClauseResult, ScanResult\n"
        "r = ScanResult('x.pdf', 1, [ClauseResult('x.pdf', 1, None, 0, 5, 'none', 0.9, 'Hello', {'none': 0.9})])\n"
        "assert 'x.pdf: 1 page(s), 1 clauses' in render_scan(r, 'table'), render_scan(r, 'table')\n"
    )
    assert not loaded & set(HEAVY)


def test_the_cli_prints_what_the_library_renders(tmp_path):
    """cli.py only parses and prints: a program gets the same rows and text from the library."""
    from typer.testing import CliRunner

    import banclassify
    from banclassify.attributes import AttributeExtractor, default_attribute_files, evaluate_attributes, read_attribute_records
    from banclassify.cli import app
    from banclassify.report import prediction_rows, render_attribute_evaluation, render_predictions

    runner = CliRunner()
    texts = ["No City department shall obtain or use face recognition technology.", "The parking fine is $55."]
    records = [{"text": t} for t in texts]
    for fmt in ("csv", "jsonl", "json"):
        printed = runner.invoke(app, ["classify", "-f", fmt, *texts]).stdout
        assert printed == render_predictions(prediction_rows(records, banclassify.classify(texts)), fmt)
    [first, *_] = default_attribute_files()
    printed = runner.invoke(app, ["evaluate-attributes", str(first)]).stdout
    assert printed == render_attribute_evaluation(first, evaluate_attributes(read_attribute_records(first), AttributeExtractor()), "table")


@pytest.mark.parametrize("module, name", [
    ("banclassify.segment", "Clause"), ("banclassify.segment", "segment"), ("banclassify.train", "train"),
    ("banclassify.documents.types", "PageText"), ("banclassify.documents.types", "ExtractedDocument"),
    ("banclassify.scan", "ClauseResult"), ("banclassify.scan", "ScanResult"), ("banclassify.classify", "Prediction"),
    ("banclassify.batch", "run_batch"),
])
def test_stage_contracts_and_entry_points_are_documented(module, name):
    import importlib

    documented = getattr(importlib.import_module(module), name)
    doc = documented.__doc__ or ""
    # A dataclass without a docstring gets its signature as one: that documents nothing.
    assert doc.strip() and not doc.startswith(f"{name}("), f"{module}.{name} has no docstring"
