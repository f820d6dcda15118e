"""Shared fixtures: documents the tests build themselves, and the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdfgen import Layout, write_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PDF = ROOT / "data" / "raw" / "sample_agenda_packet.pdf"
SHIPPED_MODEL = ROOT / "src" / "banclassify" / "models" / "banclassify.joblib"
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path_factory, monkeypatch):
    """Keep the trust file and the extraction cache of every test out of the user's home."""
    monkeypatch.setenv("BANCLASSIFY_DATA_DIR", str(tmp_path_factory.getbasetemp() / "user-data"))
    monkeypatch.setenv("BANCLASSIFY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "user-cache"))


@pytest.fixture
def make_pdf(tmp_path):
    """make_pdf(paragraphs, **layout) -> path of a PDF written with scripts/pdfgen.py."""
    counter = iter(range(1000))

    def build(paragraphs, name=None, **layout):
        path = tmp_path / (name or f"doc{next(counter)}.pdf")
        return write_pdf(path, list(paragraphs), Layout(**layout))

    return build


@pytest.fixture(scope="session")
def classifier():
    import banclassify

    return banclassify.load_model(SHIPPED_MODEL)
