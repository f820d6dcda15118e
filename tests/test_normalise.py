"""Normalisation: lower-cased lemmas, placeholders, and the stop words that decide labels kept."""

from banclassify.normalise import SpacyNormaliser, normalise


def test_lemmas_placeholders_and_kept_stop_words():
    [out] = normalise(["The Departments shall not obtain any systems until January 1, 2027 under Sec. 9.64.045(b), except 12 units."])
    tokens = out.split()
    assert tokens[:4] == ["department", "shall", "not", "obtain"]
    assert "system" in tokens and "until" in tokens and "except" in tokens
    assert "<date>" in tokens and "<secref>" in tokens and "<num>" in tokens
    assert "2027" not in out and "january" not in out and "the" not in tokens


def test_section_sign_and_code_numbers_are_section_references():
    [out] = normalise(["As provided in § 2.99.030 and Section 14-18, without consent."])
    assert out.split().count("<secref>") == 2
    assert "without" in out and "consent" in out


def test_normaliser_is_a_transformer_that_pickles_without_spacy():
    import pickle

    normaliser = SpacyNormaliser()
    normaliser.fit_transform(["warm up"])
    restored = pickle.loads(pickle.dumps(normaliser))
    assert "_nlp" not in restored.__dict__
    [[tokens, raw, document]] = restored.transform(["Cameras were  installed."]).tolist()
    assert tokens.split()[:2] == ["camera", "install"]
    assert raw == "cameras were installed."
    assert document == "clause 0"  # a plain list of texts: each clause stands alone


def test_clauses_keep_their_document_through_the_normaliser():
    from banclassify.normalise import clause_input

    rows = SpacyNormaliser().transform(clause_input(["No drones.", "The Clerk shall file it.", "Adjourn."], ["a.pdf", "a.pdf", "b.pdf"]))
    assert rows[:, 2].tolist() == ["a.pdf", "a.pdf", "b.pdf"]
    assert rows[1, 1] == "the clerk shall file it."


def test_cue_tokens_mark_how_a_rule_is_built():
    [moratorium, realtime] = normalise([
        "No agency shall use face recognition until the General Assembly enacts a statute.",
        "The police shall not identify people in live video streams.",
    ])
    assert "cue_prohibit" in moratorium.split() and "cue_prohibit_temporary" in moratorium.split()
    assert "cue_legislature" in moratorium.split()
    assert "cue_prohibit_realtime" in realtime.split() and "cue_temporary" not in realtime.split()


def test_structured_cues_need_their_words_in_order():
    [rule, not_rule, period] = normalise([
        "The board may meet. No person in the city shall use drones.",  # a modal before "no" and one after
        "The clerk may file the minutes, and no report is due.",  # "no" after the only modal
        "The order lasts ten years from adoption.",
    ])
    assert "cue_prohibit" in rule.split()
    assert "cue_prohibit" not in not_rule.split() and "cue_temporary" not in not_rule.split()
    assert "cue_temporary" in period.split()


def test_placeholders_anywhere_in_a_clause():
    [mixed, day_first] = normalise([
        "Section 4 of the code, adopted on 5 March 2024 by the council, applies for 30 days.",
        "1 January 2027 is the date on which the ban ends, under § 9.64.020.",
    ])
    assert mixed.split()[:4] == ["<secref>", "code", "adopt", "<date>"]
    assert "<num>" in mixed.split() and "cue_temporary" in mixed.split()
    assert day_first.split()[0] == "<date>" and day_first.split().count("<secref>") == 1
    assert "january" not in day_first and "2027" not in day_first


def test_the_tokenizer_keeps_caching_past_spacys_default_of_ten_thousand_chunks():
    # A batch of many documents sees far more than 10,000 distinct chunks; past spaCy's
    # default every new chunk would be split afresh.
    normaliser = SpacyNormaliser()
    assert normaliser.nlp.tokenizer.max_cache_size >= 100_000
