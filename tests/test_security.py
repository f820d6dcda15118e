"""Model files are code: which ones load, and which are refused. And nothing written is lost."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from banclassify import trust
from banclassify.classify import ClauseClassifier
from banclassify.cli import app
from banclassify.errors import ModelError
from conftest import ROOT, SAMPLE_PDF, SHIPPED_MODEL

runner = CliRunner()
SMALL_CORPUS = ROOT / "data" / "labeled" / "west.jsonl"


class Payload:
    """A pickle that writes a file when loaded: what a malicious model would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


def test_shipped_model_is_verified_against_the_recorded_hash(monkeypatch, tmp_path):
    assert trust.shipped_hash() == trust.sha256_file(SHIPPED_MODEL)
    ClauseClassifier.load()  # loads silently
    fake = tmp_path / "hash"
    fake.write_text("0" * 64 + "  banclassify.joblib\n")
    monkeypatch.setattr(trust, "SHIPPED_HASH_FILE", fake)
    with pytest.raises(ModelError, match="does not match the SHA-256 recorded in the package"):
        ClauseClassifier.load()


def test_a_foreign_model_is_refused_without_trust_model(tmp_path):
    marker = tmp_path / "pwned.txt"
    evil = tmp_path / "shared_model.joblib"
    evil.write_bytes(pickle.dumps(Payload(marker)))
    result = runner.invoke(app, ["scan", str(SAMPLE_PDF), "--model", str(evil)])
    assert result.exit_code == 4
    assert "untrusted model file" in result.stderr and "--trust-model" in result.stderr
    assert not marker.exists()  # refused before unpickling

    copy = tmp_path / "copy.joblib"
    shutil.copy(SHIPPED_MODEL, copy)
    assert runner.invoke(app, ["info", "--model", str(copy)]).exit_code == 4
    assert runner.invoke(app, ["info", "--model", str(copy), "--trust-model"]).exit_code == 0


def test_trained_models_are_trusted_until_they_change(tmp_path, monkeypatch):
    model = tmp_path / "mine.joblib"
    assert runner.invoke(app, ["train", "--data", str(SMALL_CORPUS), "--out", str(model), "--fast"]).exit_code == 0
    entries = [json.loads(line) for line in trust.trust_file().read_text().splitlines()]
    # Recorded under its final name, never the temporary file's (training is deterministic:
    # other tests may have recorded the same bytes under their own paths).
    [entry] = [e for e in entries if e["path"] == str(model.resolve())]
    assert entry["sha256"] == trust.sha256_file(model)
    assert not [e for e in entries if e["path"].endswith(".tmp")]
    assert entry["card_sha256"] == trust.sha256_file(model.with_suffix(".card.json"))
    assert runner.invoke(app, ["info", "--model", str(model)]).exit_code == 0
    # $BANCLASSIFY_MODEL names a trained model as --model does (it is not taken for the shipped one).
    monkeypatch.setenv("BANCLASSIFY_MODEL", str(model))
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0, result.output
    assert f"model: {model}" in result.stdout and "trained on: 472 clauses" in result.stdout
    with open(model, "ab") as handle:
        handle.write(b"\0")
    for args in (["info", "--model", str(model)], ["info"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 4 and "untrusted model file" in result.stderr


def test_banclassify_model_refuses_a_foreign_file_as_untrusted_and_verifies_the_shipped_one(tmp_path, monkeypatch):
    marker = tmp_path / "pwned.txt"
    evil = tmp_path / "evil.joblib"
    evil.write_bytes(pickle.dumps(Payload(marker)))
    monkeypatch.setenv("BANCLASSIFY_MODEL", str(evil))
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 4 and "untrusted model file" in result.stderr and not marker.exists()
    monkeypatch.setenv("BANCLASSIFY_MODEL", str(SHIPPED_MODEL))
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0 and f"model: {SHIPPED_MODEL}" in result.stdout


def trusted_copy_of_the_shipped_model(tmp_path: Path, card_sha256: str | None = None) -> Path:
    """A copy of the shipped model and its card, in the trust file as if 'banclassify train' had written it."""
    model = tmp_path / "mine.joblib"
    shutil.copy(SHIPPED_MODEL, model)
    shutil.copy(SHIPPED_MODEL.with_suffix(".card.json"), model.with_suffix(".card.json"))
    entry = {"sha256": trust.sha256_file(model), "path": str(model.resolve())}
    if card_sha256:
        entry["card_sha256"] = card_sha256
    trust.trust_file().parent.mkdir(parents=True, exist_ok=True)
    with open(trust.trust_file(), "a") as handle:
        handle.write(json.dumps(entry) + "\n")
    return model


def test_a_model_swapped_right_after_its_hash_was_checked_is_never_unpickled(tmp_path, monkeypatch):
    import hashlib

    model = trusted_copy_of_the_shipped_model(tmp_path)
    good = trust.sha256_file(model)
    marker = tmp_path / "pwned.txt"
    evil = tmp_path / "evil.joblib"
    evil.write_bytes(pickle.dumps(Payload(marker)))
    real_sha256 = hashlib.sha256

    class SwapOnceHashed:
        """hashlib.sha256 whose result, the moment it is read for the model, swaps in the attacker's file."""

        def __init__(self, *args):
            self.digest = real_sha256(*args)

        def update(self, data):
            self.digest.update(data)

        def hexdigest(self):
            value = self.digest.hexdigest()
            if value == good and evil.exists():
                os.replace(evil, model)
            return value

    monkeypatch.setattr(hashlib, "sha256", SwapOnceHashed)
    # classify unpickles the model ('info' only reads its card).
    result = runner.invoke(app, ["classify", "--model", str(model), "-f", "jsonl", "No department shall use face recognition."])
    assert not evil.exists(), "the hash of the model was never checked"
    assert not marker.exists(), "the swapped-in pickle ran"
    assert result.exit_code == 0, result.output  # the verified bytes were loaded
    assert '"label": "full_ban"' in result.stdout


def test_a_tampered_model_card_is_not_believed(tmp_path):
    card = SHIPPED_MODEL.with_suffix(".card.json")
    model = trusted_copy_of_the_shipped_model(tmp_path, trust.sha256_file(card))
    result = runner.invoke(app, ["info", "--model", str(model)])
    assert result.exit_code == 0 and "trained on: " in result.stdout
    tampered = json.loads(card.read_text())
    tampered["examples"] = 987654
    tampered["cross_validation"]["macro_f1"] = 0.999
    model.with_suffix(".card.json").write_text(json.dumps(tampered))
    result = runner.invoke(app, ["info", "--model", str(model)])
    assert result.exit_code == 0, result.output  # the model itself is the verified one
    assert "987654" not in result.stdout and "0.999" not in result.stdout
    assert "model card not shown: the model card does not match the SHA-256 recorded with its model" in result.stdout


def test_the_shipped_hash_file_covers_the_model_card():
    recorded = trust.shipped_hashes()
    assert recorded["banclassify.joblib"] == trust.sha256_file(SHIPPED_MODEL)
    assert recorded["banclassify.card.json"] == trust.sha256_file(SHIPPED_MODEL.with_suffix(".card.json"))
    assert ClauseClassifier.load().card_problem is None


def test_concurrent_appends_never_interleave(tmp_path):
    target = tmp_path / "annotations.jsonl"
    script = (
        "import json, sys\n"
        "from banclassify.files import append_locked\n"
        "for i in range(300):\n"
        "    append_locked(sys.argv[1], [json.dumps({'writer': sys.argv[2], 'i': i, 'text': 'x' * 5000})])\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", script, str(target), name]) for name in ("a", "b", "c")]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(rows) == 900
    for name in "abc":
        assert [r["i"] for r in rows if r["writer"] == name] == list(range(300))


def test_killed_annotate_keeps_every_answer(tmp_path):
    target = tmp_path / "answers.jsonl"
    exe = Path(sys.executable).parent / "banclassify"
    process = subprocess.Popen(
        [str(exe), "annotate", str(SAMPLE_PDF), "--to", str(target)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    answered = 0
    prompt = "[q]uit > "
    buffer = ""
    deadline = time.time() + 90
    while answered < 6 and time.time() < deadline:
        buffer += process.stderr.read(1)
        if buffer.endswith(prompt):
            buffer = ""
            process.stdin.write("n\n")
            process.stdin.flush()
            answered += 1
    # Wait for the sixth answer to be written, then kill without warning.
    while time.time() < deadline and not buffer.endswith(prompt):
        buffer += process.stderr.read(1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert answered == 6 and len(rows) == 6
    assert all(r["label"] == "none" for r in rows)
