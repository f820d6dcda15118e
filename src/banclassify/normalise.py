"""Normalise: clause text to lower-cased lemmas with placeholders, using spaCy.

One blank English pipeline with the lookup lemmatizer (spacy-lookups-data) and a
placeholder component built from Matcher patterns: numbers, dates and section
references become ``<num>``, ``<date>`` and ``<secref>`` so that the model learns
"for <num> months" rather than a particular number.
"""

from __future__ import annotations

from typing import Iterable

from sklearn.base import BaseEstimator, TransformerMixin

PLACEHOLDERS = ("<date>", "<secref>", "<num>")
# Marks the tokens after the first of a placeholder span ("January", "1", ",", "2027").
SKIP = "<skip>"

# Stock stop-word lists drop these, but they decide labels: "shall not", "until",
# "unless", "without consent", "only real-time", "except", "before acquiring".
KEPT_STOP_WORDS = frozenset(
    "not no nor without until unless only except before after shall may must never "
    "neither cannot during while within against n't".split()
)

_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
]
_YEAR = {"TEXT": {"REGEX": r"^(1[89]|20|21)\d\d$"}}
_DAY = {"TEXT": {"REGEX": r"^\d{1,2}(st|nd|rd|th)?$"}}
_MONTH = {"LOWER": {"IN": _MONTHS}}
DATE_PATTERNS = [
    [_MONTH, _DAY, {"TEXT": ",", "OP": "?"}, _YEAR],
    [_DAY, _MONTH, _YEAR],
    [_MONTH, _YEAR],
    [{"TEXT": {"REGEX": r"^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$"}}],
    [{"TEXT": {"REGEX": r"^\d{4}-\d{2}-\d{2}$"}}],
]
_SECTION_NUMBER = {"TEXT": {"REGEX": r"^\d+[A-Za-z]?([.\-–]\d+[A-Za-z]?)*(\(.*)?$"}}
SECREF_PATTERNS = [
    [{"TEXT": {"IN": ["§", "§§"]}}, _SECTION_NUMBER],
    [{"LOWER": {"IN": ["sec", "sec.", "section", "sections", "article", "art", "art."]}}, {"TEXT": ".", "OP": "?"}, _SECTION_NUMBER],
    [{"TEXT": {"REGEX": r"^\d+[A-Za-z]?(\.\d+[A-Za-z]?){1,}(\(.*)?$"}}],
    [{"TEXT": {"REGEX": r"^\d+-\d+(\.\d+)*[A-Za-z]?$"}}],
]
NUM_PATTERNS = [[{"LIKE_NUM": True}], [{"TEXT": {"REGEX": r"^\$?\d[\d,.]*%?$"}}]]


def build_nlp():
    """The one spaCy pipeline of the project: tokenizer, lookup lemmas, placeholders."""
    import spacy
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.util import filter_spans

    if "banclassify_placeholders" not in Language.factories:

        @Language.factory("banclassify_placeholders")
        def make_placeholders(nlp, name):
            matcher = Matcher(nlp.vocab)
            matcher.add("<date>", DATE_PATTERNS)
            matcher.add("<secref>", SECREF_PATTERNS)
            matcher.add("<num>", NUM_PATTERNS)
            priority = {name: rank for rank, name in enumerate(PLACEHOLDERS)}

            def mark(doc):
                matches = matcher(doc)
                spans = [doc[s:e] for _, s, e in matches]
                labelled = {(s, e): nlp.vocab.strings[m] for m, s, e in matches}
                # Longest match wins; between equal spans a date beats a section beats a number.
                spans.sort(key=lambda sp: priority[labelled[(sp.start, sp.end)]])
                for span in filter_spans(spans):
                    span[0].norm_ = labelled[(span.start, span.end)]
                    for token in span[1:]:
                        token.norm_ = SKIP
                return doc

            return mark

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("banclassify_placeholders")
    nlp.initialize()
    return nlp


def doc_to_tokens(doc) -> list[str]:
    tokens = []
    for token in doc:
        norm = token.norm_
        if norm in PLACEHOLDERS:
            tokens.append(norm)
            continue
        if norm == SKIP or token.is_punct or token.is_space:
            continue
        lemma = (token.lemma_ or token.text).lower()
        if token.is_stop and lemma not in KEPT_STOP_WORDS and token.lower_ not in KEPT_STOP_WORDS:
            continue
        tokens.append(lemma)
    return tokens


class SpacyNormaliser(BaseEstimator, TransformerMixin):
    """scikit-learn transformer: raw clause texts in, space-joined normalised tokens out.

    The spaCy pipeline is built on first use and left out of the pickle: it is
    rebuilt from the installed packages rather than frozen into the model file.
    """

    def __init__(self, batch_size: int = 256):
        self.batch_size = batch_size

    def fit(self, X: Iterable[str], y=None):
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        nlp = self.nlp
        texts = (str(x).lower() for x in X)
        return [" ".join(doc_to_tokens(doc)) for doc in nlp.pipe(texts, batch_size=self.batch_size)]

    @property
    def nlp(self):
        if getattr(self, "_nlp", None) is None:
            self._nlp = build_nlp()
        return self._nlp

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_nlp", None)
        return state


def normalise(texts: Iterable[str]) -> list[str]:
    """Convenience for one-off use; long-running code should keep one ``SpacyNormaliser``."""
    return SpacyNormaliser().transform(texts)
