"""Normalise: clause text to lower-cased lemmas with placeholders, using spaCy.

One blank English pipeline, one ``Doc`` per clause, with three components:

- ``banclassify_lemmatizer``: spaCy's lookup lemmatizer (spacy-lookups-data), each
  word type looked up once;
- ``banclassify_cues``: PhraseMatcher and Matcher patterns that name the cue families
  a clause holds ("prohibit", "temporary", "consent", ...);
- ``banclassify_placeholders``: numbers, dates and section references become
  ``<num>``, ``<date>`` and ``<secref>`` so that the model learns "for <num> months"
  rather than a particular number.

Most of a scan's clauses pass through here, so the components avoid work per token
in Python: word classes are lexeme flags, and the Matcher, which builds a Python
object for every token it reads, reads only where its patterns can match.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Sequence

import numpy as np

from sklearn.base import BaseEstimator, TransformerMixin

from .lexicon import (
    CUE_PHRASES,
    KEPT_STOP_WORDS,
    MODAL_WORDS,
    MONTH_NUMBERS,
    NO_WORDS,
    SECTION_SIGNS,
    SECTION_WORDS,
    TIME_UNITS,
    words_with_prefix,
)

PLACEHOLDERS = ("<date>", "<secref>", "<num>")
# Marks the tokens after the first of a placeholder span ("January", "1", ",", "2027").
SKIP = "<skip>"

# Word classes that Matcher patterns test, as lexeme flags (``Vocab.add_flag``): a
# flag is computed once per word type and tested in C, while an "IN" set in a
# pattern costs a Python call for every token. Patterns that use them need
# ``Matcher(vocab, validate=False)``: the pattern schema does not know custom flags.
WORD_CLASSES: dict[str, frozenset[str]] = {  # flag attribute -> lower-cased words
    "FLAG20": frozenset(MONTH_NUMBERS),
    "FLAG21": SECTION_SIGNS,
    "FLAG22": SECTION_WORDS,
    "FLAG23": NO_WORDS,
    "FLAG24": MODAL_WORDS,
    "FLAG25": frozenset(TIME_UNITS),
}
MONTH, SECTION_SIGN, SECTION_WORD, NO_OR_NEITHER, MODAL, TIME_UNIT = ({flag: True} for flag in WORD_CLASSES)
NO_OR_NEITHER_FLAG, MODAL_FLAG, TIME_UNIT_FLAG = "FLAG23", "FLAG24", "FLAG25"
ANCHOR_FLAGS = ("FLAG20", "FLAG21", "FLAG22")  # month, "§", section word: where a multi-token placeholder starts
# Word shapes of a day of the month ("12" is "dd", "3rd" is "dxx"), as one more flag.
DAY_SHAPES = frozenset(["d", "dd", "dxx", "ddxx"])
DAY_FLAG = "FLAG26"

_YEAR = {"SHAPE": "dddd"}
_DAY = {DAY_FLAG: True}
DATE_PATTERNS = [
    [MONTH, _DAY, {"TEXT": ",", "OP": "?"}, _YEAR],
    [_DAY, MONTH, _YEAR],
    [MONTH, _YEAR],
]
# Only tried after a "§" or "Sec." token has matched, so a regular expression is cheap here.
_SECTION_NUMBER = {"TEXT": {"REGEX": r"^\d+[A-Za-z]?([.\-–]\d+[A-Za-z]?)*(\(.*)?$"}}
SECREF_PATTERNS = [
    [SECTION_SIGN, _SECTION_NUMBER],
    [SECTION_WORD, {"TEXT": ".", "OP": "?"}, _SECTION_NUMBER],
]
# Single tokens that carry digits: classified once per word by the component; other
# numbers (LIKE_NUM: "ten", "1,000") are "<num>".
NUMERIC_TOKEN_KINDS = [
    ("<date>", re.compile(r"^(\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{4}-\d{2}-\d{2})$")),
    ("<secref>", re.compile(r"^\d+[A-Za-z]?((\.\d+[A-Za-z]?)+(\(.*)?|-\d+(\.\d+)*[A-Za-z]?)$")),
    ("<num>", re.compile(r"^\$?\d[\d,.]*%?$")),
]


def _expand_phrase(phrase: str) -> list[str]:
    """A cue phrase with "*" prefixes spelled out as every known word with that prefix."""
    from itertools import product

    options = []
    for word in phrase.lower().split():
        if word.endswith("*") and len(word) > 1:
            stem = word[:-1]
            options.append(sorted({stem} | set(words_with_prefix(stem))))
        else:
            options.append([word])
    return [" ".join(words) for words in product(*options)]


def _register_components() -> None:
    """Register the project's spaCy components (once per process)."""
    from spacy.language import Language

    if "banclassify_lemmatizer" in Language.factories:
        return
    Language.factory("banclassify_lemmatizer", default_config={"mode": "lookup", "overwrite": False})(_make_lemmatizer)
    Language.factory("banclassify_cues")(_make_cues)
    Language.factory("banclassify_placeholders")(_make_placeholders)


def _make_lemmatizer(nlp, name: str, mode: str, overwrite: bool):
    from spacy.attrs import LEMMA, ORTH
    from spacy.pipeline import Lemmatizer

    class WordTypeLookupLemmatizer(Lemmatizer):
        """spaCy's lookup lemmatizer, each word type looked up once per process.

        The stock component sets lemmas token by token through ``Token`` objects,
        which cost more than tokenizing. This one reads the words as an array, looks
        each new word type up in the same ``lemma_lookup`` table, and writes the
        lemmas back with ``Doc.from_array``.
        """

        def initialize(self, get_examples=None, *, nlp=None, lookups=None):
            if self.mode != "lookup" or lookups is not None:
                return super().initialize(get_examples, nlp=nlp, lookups=lookups)
            from spacy.lookups import Lookups

            from .lookups import lemma_lookup

            # The same lemma_lookup table as a plain dict from banclassify's cache: spaCy's
            # Table would parse the package's JSON and hash its every key at each start.
            self.lemmas = lemma_lookup()
            self.lookups = Lookups()
            self.lookups.add_table("lemma_lookup")

        def __call__(self, doc):
            if self.mode != "lookup" or not len(doc):
                return super().__call__(doc)
            table = getattr(self, "lemmas", None) or self.lookups.get_table("lemma_lookup")
            strings = self.vocab.strings
            lemma_of = self.cache
            columns = doc.to_array([ORTH, LEMMA])
            orths, lemmas = columns[:, 0].tolist(), columns[:, 1]
            for i, orth in enumerate(orths):
                if lemmas[i] and not self.overwrite:
                    continue
                if orth not in lemma_of:
                    text = strings[orth]
                    lemma_of[orth] = strings.add(table.get(text, text))
                lemmas[i] = lemma_of[orth]
            doc.from_array([LEMMA], lemmas.reshape(-1, 1))
            return doc

    return WordTypeLookupLemmatizer(nlp.vocab, None, name, mode=mode, overwrite=overwrite)


def _make_placeholders(nlp, name: str):
    from spacy.attrs import IDS, ORTH
    from spacy.matcher import Matcher

    # Spans of several tokens (dates, section references) come from the Matcher; a
    # number alone is read from its shape and text, which is all a pattern would test.
    matcher = Matcher(nlp.vocab, validate=False)
    matcher.add("<date>", DATE_PATTERNS)
    matcher.add("<secref>", SECREF_PATTERNS)
    anchor_flags = [IDS[flag] for flag in ANCHOR_FLAGS]
    vocab, strings = nlp.vocab, nlp.vocab.strings
    # Per word type, computed once: (holds a digit, placeholder of the word alone, starts a date or section reference).
    word_info: dict[int, tuple[bool, str | None, bool]] = {}

    def info(orth: int) -> tuple[bool, str | None, bool]:
        if orth not in word_info:
            lexeme = vocab[orth]
            digit = "d" in lexeme.shape_
            kind = next((k for k, rx in NUMERIC_TOKEN_KINDS if rx.match(lexeme.orth_)), None) if digit else None
            single = kind or ("<num>" if lexeme.like_num else None)
            word_info[orth] = (digit, single, any(lexeme.check_flag(flag) for flag in anchor_flags))
        return word_info[orth]

    def mark(doc):
        words = [info(orth) for orth in doc.to_array(ORTH).tolist()] if len(doc) else []
        # Every placeholder needs a digit, or a number written as a word ("ten days").
        labelled = {(i, i + 1): single for i, (_, single, _) in enumerate(words) if single}
        if not labelled and not any(digit for digit, _, _ in words):
            return doc
        # A date or section reference has a digit just before its month or section word,
        # or within two tokens after it; without one the Matcher has nothing to find.
        digits = {i for i, (digit, _, _) in enumerate(words) if digit}
        anchors = [i for i, (_, _, anchor) in enumerate(words) if anchor and digits & {i - 1, i + 1, i + 2}]
        if anchors:
            # Every match lies between the token before the first anchor and the fourth
            # after the last: the Matcher reads only that window (offsets are the window's).
            first = max(0, anchors[0] - 1)
            window = doc[first: anchors[-1] + 4]
            labelled.update({(first + s, first + e): strings[m] for m, s, e in matcher(window)})
        # The longest span wins, then the earliest (as spacy.util.filter_spans decides).
        taken: set[int] = set()
        for start, end in sorted(labelled, key=lambda se: (se[1] - se[0], -se[0]), reverse=True):
            if start not in taken and end - 1 not in taken:
                taken.update(range(start, end))
                doc[start].norm_ = labelled[(start, end)]
                for i in range(start + 1, end):
                    doc[i].norm_ = SKIP
        return doc

    return mark


def _make_cues(nlp, name: str):
    from spacy.attrs import IDS, ORTH
    from spacy.matcher import Matcher, PhraseMatcher

    # Phrases go to a PhraseMatcher (one hash lookup per token); only the two
    # patterns that need structure use the token Matcher.
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    for cue, listed in CUE_PHRASES.items():
        phrases.add(cue, [nlp.make_doc(text) for phrase in listed for text in _expand_phrase(phrase)])
    matcher = Matcher(nlp.vocab, validate=False)
    matcher.add("prohibit", [[NO_OR_NEITHER, {"IS_PUNCT": False, "OP": "{0,8}"}, MODAL]])
    matcher.add("temporary", [[{"LIKE_NUM": True}, TIME_UNIT]])
    vocab = nlp.vocab
    flags = [IDS[NO_OR_NEITHER_FLAG], IDS[MODAL_FLAG], IDS[TIME_UNIT_FLAG]]
    # Per word type: (is "no"/"neither", is a modal verb, is a number, is a unit of time).
    word_info: dict[int, tuple[bool, bool, bool, bool]] = {}

    def info(orth: int) -> tuple[bool, bool, bool, bool]:
        if orth not in word_info:
            lexeme = vocab[orth]
            no, modal, unit = (lexeme.check_flag(flag) for flag in flags)
            word_info[orth] = (no, modal, lexeme.like_num, unit)
        return word_info[orth]

    def mark(doc):
        found = {m for m, _, _ in phrases(doc)}
        words = [info(orth) for orth in doc.to_array(ORTH).tolist()] if len(doc) else []
        # The Matcher costs a Python object per token it reads: it reads only the window
        # from the first "no" to the last modal verb after it, and from the first to the
        # last number followed by a unit of time, where every match of its patterns lies.
        no = [i for i, w in enumerate(words) if w[0]]
        modal = [i for i, w in enumerate(words) if w[1] and no and i > no[0]]
        periods = [i for i in range(len(words) - 1) if words[i][2] and words[i + 1][3]]
        starts = ([no[0]] if modal else []) + periods[:1]
        ends = ([modal[-1] + 1] if modal else []) + ([periods[-1] + 2] if periods else [])
        if starts:
            found.update(m for m, _, _ in matcher(doc[min(starts): max(ends)]))
        doc.user_data["cues"] = found  # hashes of the cue families in the clause
        return doc

    return mark


TOKENIZER_CACHE_CHUNKS = 100_000


def build_nlp():
    """The one spaCy pipeline of the project: tokenizer, lookup lemmas, cues, placeholders."""
    import spacy
    from spacy.attrs import IDS
    from spacy.lang.lex_attrs import word_shape

    _register_components()
    nlp = spacy.blank("en")
    # spaCy stops caching how it split a chunk once 10,000 are cached; a batch of many
    # documents passes that early, and every chunk after it is split afresh (the packet
    # normalised 14% slower after the corpus had been read). A cached chunk costs about
    # 200 bytes, so the cache stays under 20 MB.
    nlp.tokenizer.max_cache_size = TOKENIZER_CACHE_CHUNKS
    for flag, words in WORD_CLASSES.items():
        nlp.vocab.add_flag(lambda text, words=words: text.lower() in words, flag_id=IDS[flag])
    nlp.vocab.add_flag(lambda text: word_shape(text) in DAY_SHAPES, flag_id=IDS[DAY_FLAG])
    for text in (*PLACEHOLDERS, SKIP):
        nlp.vocab.strings.add(text)
    nlp.add_pipe("banclassify_lemmatizer")
    nlp.add_pipe("banclassify_cues")
    nlp.add_pipe("banclassify_placeholders")
    nlp.initialize()
    return nlp


def cue_tokens(cues: Iterable[str]) -> list[str]:
    """Each cue family found in a clause, and each pair of them, as tokens."""
    return list(_cue_tokens(frozenset(cues)))


@functools.lru_cache(maxsize=4096)
def _cue_tokens(cues: frozenset[str]) -> tuple[str, ...]:
    cues = set(cues)
    if "deontic" not in cues:
        cues.add("nondeontic")
    if "surveil" not in cues:
        cues.add("nosurveil")
    ordered = sorted(cues)
    tokens = [f"cue_{c}" for c in ordered]
    tokens += [f"cue_{a}_{b}" for i, a in enumerate(ordered) for b in ordered[i + 1:]]
    return tuple(tokens)


def clause_input(
    texts: Sequence[str], documents: Sequence[str] | None = None, headings: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
):
    """The model's input: one row per clause, its text, the id of its document, its headings and its document's title.

    The clauses of a document must be in reading order: the model reads the clauses
    around each one. Without ``documents`` every clause stands alone; without
    ``headings`` or ``titles`` they are empty (as in training records that lack them).
    """
    texts = list(texts)
    rows = np.empty((len(texts), 4), dtype=object)
    rows[:, 0] = texts
    rows[:, 1] = list(documents) if documents is not None else [f"clause {i}" for i in range(len(texts))]
    rows[:, 2] = [str(h or "") for h in headings] if headings is not None else ""
    rows[:, 3] = [str(t or "") for t in titles] if titles is not None else ""
    return rows


class SpacyNormaliser(BaseEstimator, TransformerMixin):
    """scikit-learn transformer: clauses in (see ``clause_input``), text columns out.

    Column 0 holds the normalised tokens (lemmas, placeholders, cue tokens);
    column 1 the lower-cased raw text with collapsed whitespace, for character
    n-grams that see what normalisation removes (and survive extraction noise);
    column 2 the clause's document, passed through for the context features.
    With ``where=True``, columns 3 and 4 pass the clause's headings and its
    document's title through (models trained before they existed read three columns).
    A plain list of texts is read as clauses that each stand alone.

    The spaCy pipeline is built on first use and left out of the pickle: it is
    rebuilt from the installed packages rather than frozen into the model file.
    """

    def __init__(self, batch_size: int = 256, where: bool = False):
        self.batch_size = batch_size
        self.where = where

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        rows = X if getattr(X, "ndim", 1) == 2 else clause_input(X)
        raw = [" ".join(str(x).lower().split()) for x in rows[:, 0]]
        where = getattr(self, "where", False)
        columns = np.empty((len(raw), 5 if where else 3), dtype=object)
        columns[:, 0] = [" ".join(tokens) for tokens in self._tokens(raw)]
        columns[:, 1] = raw
        columns[:, 2] = rows[:, 1]
        if where:
            for column in (2, 3):
                columns[:, column + 1] = rows[:, column] if rows.shape[1] > column else ""
        return columns

    def _tokens(self, raw: list[str]) -> list[list[str]]:
        """The normalised tokens of each clause (``raw``: lower-cased, whitespace collapsed)."""
        from spacy.attrs import LEMMA, NORM, ORTH

        nlp = self.nlp
        strings = nlp.vocab.strings
        out: list[list[str]] = []
        for doc in nlp.pipe(raw, batch_size=self.batch_size):
            words = []
            if len(doc):
                columns = doc.to_array([NORM, ORTH, LEMMA]).tolist()
                for norm, orth, lemma in columns:
                    word = self._placeholder_of.get(norm, _NOT_A_PLACEHOLDER)
                    if word is _NOT_A_PLACEHOLDER:
                        word = self._word(orth, lemma)
                    if word:
                        words.append(word)
            out.append(words + cue_tokens(strings[cue] for cue in doc.user_data["cues"]))
        return out

    def _word(self, orth: int, lemma: int) -> str | None:
        """What a word becomes: its lower-cased lemma, or None for punctuation and stop words."""
        key = (orth, lemma)
        if key not in self._words:
            lexeme = self.nlp.vocab[orth]
            word = None
            if not (lexeme.is_punct or lexeme.is_space):
                word = ((self.nlp.vocab.strings[lemma] if lemma else "") or lexeme.orth_).lower()
                if lexeme.is_stop and word not in KEPT_STOP_WORDS and lexeme.lower_ not in KEPT_STOP_WORDS:
                    word = None
            self._words[key] = word
        return self._words[key]

    @property
    def nlp(self):
        if getattr(self, "_nlp", None) is None:
            self._nlp = build_nlp()
            strings = self._nlp.vocab.strings
            # Norm hash -> what the token becomes: its placeholder, or nothing after a span's first token.
            self._placeholder_of = {strings[p]: p for p in PLACEHOLDERS} | {strings[SKIP]: None}
            self._words: dict[tuple[int, int], str | None] = {}
        return self._nlp

    def __getstate__(self):
        state = self.__dict__.copy()
        for derived in ("_nlp", "_placeholder_of", "_words"):
            state.pop(derived, None)
        return state


_NOT_A_PLACEHOLDER = object()


def normalise(texts: Iterable[str]) -> list[str]:
    """The normalised tokens of each text. For one-off use; long-running code keeps one ``SpacyNormaliser``."""
    return list(SpacyNormaliser().transform(texts)[:, 0])
