"""The classifier's own feature transformers: character n-grams and the context of a clause."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import make_pipeline

from banclassify.features import CharNgramCounter, NeighbourContext, WordNgramVectorizer, neighbours

TEXTS = [
    "no department shall use face recognition technology.",
    "the council approved the sewer contract with acme pipes.",
    "no officer shall access live video feeds for identification.",
    "the police department shall not use drones until june 30, 2027.",
    "une caméra ne peut être utilisée qu'avec l'accord écrit — ünïcödé.",
    "the clerk shall publish the annual surveillance report.",
    "",
]


def test_char_ngrams_give_the_same_tfidf_as_scikit_learn():
    reference = TfidfVectorizer(analyzer="char", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    ours = make_pipeline(CharNgramCounter(ngram_range=(2, 5), min_df=2), TfidfTransformer(sublinear_tf=True))
    expected = reference.fit(TEXTS).transform(TEXTS[::-1])
    got = ours.fit(TEXTS).transform(TEXTS[::-1])
    assert got.shape == expected.shape
    # Columns come in another order (hashes, not strings): compare what the model sees.
    np.testing.assert_allclose((got @ got.T).toarray(), (expected @ expected.T).toarray(), atol=1e-12)
    for row in range(got.shape[0]):
        assert sorted(got.getrow(row).data.round(12)) == sorted(expected.getrow(row).data.round(12))


@pytest.mark.parametrize("options", [
    {"token_pattern": r"\S+", "ngram_range": (1, 3)},  # normalised tokens
    {"ngram_range": (1, 3)},  # scikit-learn's own word pattern, on raw text
    {"token_pattern": r"\S+", "ngram_range": (2, 2), "lowercase": False},
    {"ngram_range": (1, 2), "binary": True, "dtype": np.float32},
])
def test_word_ngrams_give_the_same_tfidf_as_scikit_learn(options):
    documents = TEXTS + ["No department shall use <num> drones.", "the the the the", "shall not shall not shall not"]
    reference = TfidfVectorizer(min_df=2, sublinear_tf=True, **options).fit(documents)
    ours = WordNgramVectorizer(min_df=2, sublinear_tf=True, **options).fit(documents)
    assert ours.vocabulary_ == reference.vocabulary_
    # The last two: an n-gram must not run from one clause into the next.
    unseen = documents[::-1] + ["zzz department shall use face zzz", "face recognition face recognition", "a new department", "shall meet"]
    expected, got = reference.transform(unseen), ours.transform(unseen)
    assert got.shape == expected.shape and got.nnz == expected.nnz > 0 and got.dtype == expected.dtype
    tolerance = 1e-6 if got.dtype == np.float32 else 1e-12
    assert abs(got - expected).max() < tolerance
    restored = pickle.loads(pickle.dumps(ours))
    assert "_keys" not in restored.__dict__
    assert abs(restored.transform(unseen) - expected).max() < 1e-12


def test_word_ngram_vectorizer_falls_back_for_options_it_does_not_count():
    documents = TEXTS + ["the department shall use drones"]
    options = {"min_df": 1, "stop_words": ["the"], "ngram_range": (1, 2)}
    expected = TfidfVectorizer(**options).fit(documents).transform(documents)
    got = WordNgramVectorizer(**options).fit(documents).transform(documents)
    assert abs(got - expected).max() < 1e-12 and "the" not in WordNgramVectorizer(**options).fit(documents).vocabulary_


def test_max_features_keeps_the_most_frequent_ngrams():
    every = CharNgramCounter(ngram_range=(2, 3), min_df=1).fit(TEXTS)
    totals = dict(zip(every.vocabulary_, np.asarray(every.transform(TEXTS).sum(axis=0)).ravel()))
    limited = CharNgramCounter(ngram_range=(2, 3), min_df=1, max_features=25).fit(TEXTS)
    kept = set(limited.vocabulary_)
    assert len(kept) == 25
    assert min(totals[h] for h in kept) >= max(totals[h] for h in totals if h not in kept)


def test_char_ngram_counter_pickles_without_its_lookup_table():
    counter = CharNgramCounter(ngram_range=(3, 4)).fit(TEXTS)
    before = counter.transform(TEXTS)
    restored = pickle.loads(pickle.dumps(counter))
    assert "_table" not in restored.__dict__
    assert (restored.transform(TEXTS) != before).nnz == 0
    assert before[1].sum() > 0 and restored.transform(["zzzz qqqq"]).nnz == 0


def test_neighbours_stay_inside_a_document_and_the_window():
    documents = ["a", "a", "a", "a", "b", "b", "c"]
    matrix = neighbours(documents, window=2).toarray()
    assert matrix[0].tolist() == [0, 1, 1, 0, 0, 0, 0]
    assert matrix[3].tolist() == [0, 1, 1, 0, 0, 0, 0]
    assert matrix[4].tolist() == [0, 0, 0, 0, 0, 1, 0]
    assert not matrix[6].any()  # alone in its document
    assert (matrix == matrix.T).all()


def test_neighbour_context_reads_the_clauses_around():
    rows = np.array([
        ["camera footage retention", "ordinance"],
        ["staff training", "ordinance"],
        ["camera audit report", "ordinance"],
        ["staff training", "budget"],
        ["pool chlorine schedule", "budget"],
        ["staff training", "alone"],
    ], dtype=object)
    context = NeighbourContext(TfidfVectorizer(), window=1).fit(rows)
    names = list(context.get_feature_names_out())
    matrix = context.transform(rows).toarray()
    assert matrix[1, names.index("near:camera")] > 0
    assert matrix[3, names.index("near:camera")] == 0 and matrix[3, names.index("near:pool")] > 0
    assert not matrix[5].any()


def test_the_same_clause_reads_differently_in_a_surveillance_ordinance(classifier):
    clause = "Staff assigned to the unit shall complete eight hours of training before they are given access, and a refresher course every year."
    surveillance = [
        "Sec. 4. Definitions. \"Automated license plate reader\" means a camera system that captures and stores plate numbers.",
        "Sec. 5. Use policy. The Police Department shall adopt a use policy for the plate reader system before its first use.",
        clause,
        "Sec. 7. Retention. Plate reads that match no hotlist shall be deleted after 30 days.",
        "Sec. 8. Annual report. The Chief shall report to the Council each year on the number of plate reads and hotlist matches.",
    ]
    pools = [
        "Sec. 4. Hours. The municipal pool is open from 6 a.m. to 9 p.m. from Memorial Day to Labor Day.",
        "Sec. 5. Fees. Daily admission is four dollars for adults and two dollars for children.",
        clause,
        "Sec. 7. Chlorine. The water shall be tested for chlorine every two hours while the pool is open.",
        "Sec. 8. Lifeguards. At least two certified lifeguards shall be on duty whenever the pool is open.",
    ]
    texts = surveillance + pools
    predictions = classifier.predict(texts, ["alpr"] * 5 + ["pool"] * 5)
    in_ordinance, in_pool_rules = predictions[2], predictions[7]
    assert in_ordinance.probabilities["oversight_policy"] > in_pool_rules.probabilities["oversight_policy"] + 0.2
    assert in_pool_rules.label == "none"


def test_where_features_read_headings_and_titles():
    from banclassify.features import WhereFeatures

    rows = np.array([
        ["Policy 377 Public Safety Video Surveillance > 377.4 Release", "Police Manual"],
        ["Policy 802 Property and Evidence > 802.4 Release", "Police Manual"],
        ["Policy 377 Public Safety Video Surveillance > 377.5 Retention", "Police Manual"],
        ["", ""],  # a training record without either field
    ], dtype=object)
    where = WhereFeatures(min_df=1).fit(rows)
    names = list(where.get_feature_names_out())
    matrix = where.transform(rows).toarray()
    tech = names.index("flag:heading_names_technology")
    assert matrix[:, tech].tolist() == [1, 0, 1, 0]
    assert matrix[1, names.index("heading:evidence")] > 0 and matrix[0, names.index("heading:evidence")] == 0
    assert not matrix[3].any()
    # Numbers of sections say nothing across documents.
    assert not any(any(ch.isdigit() for ch in name) for name in names)


def test_where_features_fit_a_corpus_without_headings():
    from banclassify.features import WhereFeatures

    rows = np.array([["", ""], ["", ""]], dtype=object)
    matrix = WhereFeatures().fit(rows).transform(np.array([["Video Surveillance", "Camera policy"]], dtype=object))
    assert matrix.toarray().tolist() == [[1.0, 1.0]]  # only the two flags: no vocabulary was learnt


def test_technology_tie_looks_at_the_clause_its_headings_and_its_neighbours():
    from banclassify.features import TechnologyTie

    rows = np.array([
        ["The City Manager shall return with a report on parking meters within 90 days.", "agenda", "", ""],
        ["Staff shall report on the new library roof.", "agenda", "", ""],
        ["Recorded images shall be kept for 30 days.", "policy", "", ""],
        ["Requests shall be referred to the Watch Commander.", "policy", "", ""],
        ["Requests shall be referred to the Watch Commander.", "manual", "Public Safety Video Surveillance", ""],
        ["Requests shall be referred to the Watch Commander.", "manual2", "Property and Evidence", "Police Manual"],
    ], dtype=object)
    tie = TechnologyTie(window=1, document_share=None).fit(rows).transform(rows).toarray().ravel().tolist()
    assert tie == [0, 0, 1, 1, 1, 0]
    alone = TechnologyTie(window=0, document_share=None).fit(rows).transform(rows).toarray().ravel().tolist()
    assert alone == [0, 0, 1, 0, 1, 0]
    # A lone clause without headings has only its own words, which the model reads already: tied.
    lone = np.array([["The City Manager shall report on parking meters.", "alone", "", ""]], dtype=object)
    assert TechnologyTie().fit(lone).transform(lone).toarray().ravel().tolist() == [1]
    # Half the clauses of the policy name a technology: the whole policy is about it.
    assert TechnologyTie(window=0, document_share=0.5).fit(rows).transform(rows).toarray().ravel().tolist() == [0, 0, 1, 1, 1, 0]


def test_temperature_scaling_softens_overconfident_probabilities():
    from banclassify.classify import fit_temperature, temper

    # Always 0.95 sure, right only 70% of the time: the fitted temperature spreads the mass.
    probabilities = np.array([[0.95, 0.05]] * 10)
    truth = ["a"] * 7 + ["b"] * 3
    temperature = fit_temperature(probabilities, truth, ["a", "b"])
    assert temperature > 1
    assert temper(probabilities, temperature)[0, 0] == pytest.approx(0.7, abs=0.03)
    assert np.allclose(temper(probabilities, 1.0), probabilities)
