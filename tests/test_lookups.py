"""The lookup tables from spacy-lookups-data, read at start-up from the user's cache."""

from __future__ import annotations

import pytest

from banclassify import lookups
from banclassify.normalise import build_nlp


@pytest.fixture
def fresh_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("BANCLASSIFY_CACHE_DIR", str(tmp_path / "cache"))
    lookups.lemma_lookup.cache_clear()
    lookups.english_word_list.cache_clear()
    yield tmp_path / "cache" / "tables"
    lookups.lemma_lookup.cache_clear()
    lookups.english_word_list.cache_clear()


def test_lemmas_are_spacys_lookup_lemmas(fresh_tables):
    import spacy

    stock = spacy.blank("en")
    stock.add_pipe("lemmatizer", config={"mode": "lookup"})
    stock.initialize()
    text = "The departments were using cameras and drones; officers shall not have retained recordings of meetings."
    ours = build_nlp()
    assert [t.lemma_ for t in ours(text)] == [t.lemma_ for t in stock(text)]
    assert any(t.lemma_ != t.text for t in ours(text))


def test_first_run_writes_the_tables_and_later_runs_read_them(fresh_tables):
    words = lookups.english_word_list()
    assert "surveillance" in words and words == sorted(words)
    files = sorted(p.name for p in fresh_tables.iterdir())
    assert len(files) == 1 and files[0].startswith("en_words-")
    # Later runs read the file, not the package: a changed file shows through.
    (fresh_tables / files[0]).write_bytes(__import__("marshal").dumps(["only", "these"]))
    lookups.english_word_list.cache_clear()
    assert lookups.english_word_list() == ["only", "these"]


def test_an_unreadable_table_file_is_rebuilt(fresh_tables):
    lookups.lemma_lookup()
    (path,) = fresh_tables.iterdir()
    path.write_bytes(b"not marshal data")
    lookups.lemma_lookup.cache_clear()
    assert lookups.lemma_lookup()["cameras"] == "camera"
    lookups.lemma_lookup.cache_clear()
    assert lookups.lemma_lookup()["cameras"] == "camera"  # read back from the rewritten file


def test_an_unwritable_cache_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would be")
    monkeypatch.setenv("BANCLASSIFY_CACHE_DIR", str(blocker))
    lookups.lemma_lookup.cache_clear()
    try:
        assert lookups.lemma_lookup()["drones"] == "drone"
    finally:
        lookups.lemma_lookup.cache_clear()


def test_models_are_saved_uncompressed(tmp_path, classifier):
    from banclassify.classify import load_model, save_model

    path = tmp_path / "model.joblib"
    save_model(classifier.pipeline, path, {"note": "test"})
    with open(path, "rb") as handle:
        head = handle.read(2)
    assert head[:1] == b"\x80"  # a plain pickle stream, not zlib (0x78)
    pipeline, card, card_problem = load_model(path)
    assert card == {"note": "test"} and card_problem is None and list(pipeline.classes_) == classifier.labels
