"""Normalise: clause text to lower-cased lemmas with placeholders, using spaCy.

One blank English pipeline with the lookup lemmatizer (spacy-lookups-data) and a
placeholder component built from Matcher patterns: numbers, dates and section
references become ``<num>``, ``<date>`` and ``<secref>`` so that the model learns
"for <num> months" rather than a particular number.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

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
# Token predicates are written with SHAPE and IN sets, not REGEX, where they may
# start a match: the Matcher tests a pattern's first token against every token,
# and regular expressions there cost more than the rest of the pipeline.
_YEAR = {"SHAPE": "dddd"}
_DAY = {"SHAPE": {"IN": ["d", "dd", "dxx", "ddxx"]}}
_MONTH = {"LOWER": {"IN": _MONTHS}}
DATE_PATTERNS = [
    [_MONTH, _DAY, {"TEXT": ",", "OP": "?"}, _YEAR],
    [_DAY, _MONTH, _YEAR],
    [_MONTH, _YEAR],
]
# Only tried after a "§" or "Sec." token has matched, so a regular expression is cheap here.
_SECTION_NUMBER = {"TEXT": {"REGEX": r"^\d+[A-Za-z]?([.\-–]\d+[A-Za-z]?)*(\(.*)?$"}}
SECREF_PATTERNS = [
    [{"TEXT": {"IN": ["§", "§§"]}}, _SECTION_NUMBER],
    [{"LOWER": {"IN": ["sec", "sec.", "section", "sections", "article", "art", "art."]}}, {"TEXT": ".", "OP": "?"}, _SECTION_NUMBER],
]
NUM_PATTERNS = [[{"LIKE_NUM": True}]]
# Single tokens that carry digits: classified once per token by the component.
NUMERIC_TOKEN_KINDS = [
    ("<date>", re.compile(r"^(\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{4}-\d{2}-\d{2})$")),
    ("<secref>", re.compile(r"^\d+[A-Za-z]?((\.\d+[A-Za-z]?)+(\(.*)?|-\d+(\.\d+)*[A-Za-z]?)$")),
    ("<num>", re.compile(r"^\$?\d[\d,.]*%?$")),
]


# Cue families found by Matcher patterns. A clause's label often hangs on how
# cues combine ("shall not" with "until" is a moratorium, with "live" a real-time
# ban, with "consent" a consent rule), which n-grams alone capture poorly, so
# the normaliser emits each cue and each pair of cues as extra tokens.
# A trailing "*" matches any word starting with what precedes it.
CUE_PHRASES: dict[str, list[str]] = {
    "prohibit": [
        "shall not", "may not", "must not", "will not", "cannot", "can not", "shall never", "prohibit*", "unlawful",
        "not be permitted", "not permitted", "not authorized", "not authorised", "forbid*", "ban", "bans", "banned",
        "barred", "bar", "refrain", "no longer", "not be used", "not use", "not acquire", "not deploy", "is not allowed",
    ],
    "temporary": [
        "until", "pending", "for a period", "expire*", "sunset", "moratori*", "suspend*", "pause*", "halt*",
        "temporar*", "interim", "no earlier than", "not before", "through", "repealed on", "while the",
    ],
    "realtime": [
        "real-time", "real time", "realtime", "live", "streaming", "stream", "streams", "continuous*", "ongoing",
        "contemporaneous*", "as it happens", "as events unfold", "simultaneous*", "instant*", "immediate identification",
        "at the time of capture", "while it is being", "in progress", "persistent",
    ],
    "consent": [
        "consent*", "written release", "release", "opt in", "opt-in", "opts in", "agree*", "notice", "notif*",
        "inform*", "acknowledg*", "signage", "sign", "permission",
    ],
    "condition": [
        "unless", "except", "without", "prior to", "before", "approv*", "authoriz*", "authoris*", "warrant*",
        "court order", "subject to", "provided that", "only if", "only after", "only when",
    ],
    "governance": [
        "report*", "audit*", "policy", "policies", "hearing", "oversight", "retain*", "retention", "delete*",
        "destroy*", "train*", "review*", "accuracy", "bias", "log", "logs", "impact", "assessment", "disclose*", "share*",
    ],
    "definition": ["means", "mean", "refers to", "is defined", "includes", "definition*", "as used in", "has the meaning"],
    "recital": ["whereas", "finds", "finding*", "purpose", "intent", "be it", "now, therefore", "recogniz*", "declares"],
    "remedy": [
        "penalt*", "fine", "fined", "misdemeanor", "violat*", "damages", "cause of action", "suppress*",
        "admissible", "inadmissible", "evidence", "injunct*", "relief", "liable", "civil action", "disciplin*", "sanction*",
    ],
    "enactment": [
        "severab*", "effective", "take effect", "takes effect", "invalid", "unconstitutional", "adopted", "passed",
        "enacted", "ordain*", "construed", "nothing in this",
    ],
    "legislature": ["statute", "legislature", "general assembly", "general court", "congress", "parliament", "enacts", "enact"],
    "mandate": ["shall use", "shall install", "shall equip", "shall deploy", "shall purchase", "is directed to", "shall acquire"],
    # Words that make a sentence a rule; a clause without any is a statement of fact,
    # a title or a recital ("No department uses face recognition today").
    "deontic": [
        "shall", "must", "may", "will not", "is prohibited", "are prohibited", "prohibited", "unlawful", "is required",
        "are required", "required to", "is not permitted", "is permitted", "is authorized", "is authorised", "is suspended",
        "are suspended", "is hereby", "are hereby", "needs to", "has to", "cannot", "can not", "not allowed",
        # Motions and resolutions rule in the subjunctive: "AND THAT cameras be set up so that...",
        # "That Council: (a) does not install ...", "resolves that", "directs staff to".
        "resolves", "resolved", "and that", "that council", "that the council", "directs", "instructs", "orders",
        "ordered", "be set up", "be required", "be prohibited", "be configured", "not be", "is not to", "are not to",
    ],
    # The subject matter: a rule that touches none of this is about something else (LABELS.md: none).
    "surveil": [
        "surveil*", "face", "faces", "facial", "faceprint*", "biometric*", "fingerprint*", "iris", "retina*", "voiceprint*",
        "gait", "recognition", "camera*", "cctv", "video*", "footage", "drone*", "unmanned", "plate reader*", "plate readers",
        "alpr", "alprs", "anpr", "license plate*", "licence plate*", "cell-site", "cell site", "imsi", "stingray*",
        "predictive policing", "gunshot", "shotspotter", "social media", "geolocat*", "geofenc*", "wiretap*", "body-worn",
        "bodycam*", "watchlist*", "emotion*", "palm", "thumbprint*", "voice recognition", "live feed", "real-time",
        "tracking device", "location data", "location tracking", "artificial intelligence",
    ],
    "private": ["business*", "employer*", "store*", "retail*", "landlord*", "private entit*", "merchant*", "vendor*", "company", "companies"],
}


def words_with_prefix(stem: str) -> list[str]:
    """Known English words starting with ``stem``, by binary search in the sorted word list."""
    import bisect

    from .layout import sorted_english_words

    words = sorted_english_words()
    return words[bisect.bisect_left(words, stem): bisect.bisect_left(words, stem + "\uffff")]


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


def build_nlp():
    """The one spaCy pipeline of the project: tokenizer, lookup lemmas, placeholders."""
    import spacy
    from spacy.language import Language
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.util import filter_spans

    if "banclassify_placeholders" not in Language.factories:

        @Language.factory("banclassify_placeholders")
        def make_placeholders(nlp, name):
            matcher = Matcher(nlp.vocab)
            matcher.add("<date>", DATE_PATTERNS)
            matcher.add("<secref>", SECREF_PATTERNS)
            matcher.add("<num>", NUM_PATTERNS)
            priority = {name: rank for rank, name in enumerate(PLACEHOLDERS)}
            has_digit: dict[int, bool] = {}  # shape hash -> whether the shape holds a digit

            def digit_tokens(doc) -> list[int]:
                # Shapes as integers, not Token objects: this runs over every token of every clause.
                found = []
                for i, shape in enumerate(doc.to_array("SHAPE").tolist()):
                    if shape not in has_digit:
                        has_digit[shape] = "d" in nlp.vocab.strings[shape]
                    if has_digit[shape]:
                        found.append(i)
                return found

            def mark(doc):
                digits = digit_tokens(doc)
                # Every pattern needs a digit except a number written as a word ("ten days").
                if not digits and not doc.to_array("LIKE_NUM").any():
                    return doc
                matches = matcher(doc)
                labelled = {(s, e): nlp.vocab.strings[m] for m, s, e in matches}
                for i in digits:
                    if labelled.get((i, i + 1), "<num>") == "<num>":
                        kind = next((k for k, rx in NUMERIC_TOKEN_KINDS if rx.match(doc[i].text)), None)
                        if kind:
                            labelled[(i, i + 1)] = kind
                spans = [doc[s:e] for s, e in labelled]
                # Longest match wins; between equal spans a date beats a section beats a number.
                spans.sort(key=lambda sp: priority[labelled[(sp.start, sp.end)]])
                for span in filter_spans(spans):
                    span[0].norm_ = labelled[(span.start, span.end)]
                    for token in span[1:]:
                        token.norm_ = SKIP
                return doc

            return mark

    if "banclassify_cues" not in Language.factories:

        @Language.factory("banclassify_cues")
        def make_cues(nlp, name):
            # Phrases go to a PhraseMatcher (one hash lookup per token); only the two
            # patterns that need structure use the token Matcher.
            phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
            for cue, listed in CUE_PHRASES.items():
                phrases.add(cue, [nlp.make_doc(text) for phrase in listed for text in _expand_phrase(phrase)])
            matcher = Matcher(nlp.vocab)
            matcher.add("prohibit", [[
                {"LOWER": {"IN": ["no", "neither"]}},
                {"IS_PUNCT": False, "OP": "{0,8}"},
                {"LOWER": {"IN": ["shall", "may", "will", "must"]}},
            ]])
            matcher.add("temporary", [[
                {"LIKE_NUM": True}, {"LOWER": {"IN": ["day", "days", "week", "weeks", "month", "months", "year", "years"]}},
            ]])

            def mark(doc):
                found = {nlp.vocab.strings[m] for m, _, _ in matcher(doc)}
                found.update(nlp.vocab.strings[m] for m, _, _ in phrases(doc))
                doc.user_data["cues"] = sorted(found)
                return doc

            return mark

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("banclassify_cues")
    nlp.add_pipe("banclassify_placeholders")
    nlp.initialize()
    return nlp


def cue_tokens(doc) -> list[str]:
    cues = list(doc.user_data.get("cues", []))
    if "deontic" not in cues:
        cues.append("nondeontic")
    if "surveil" not in cues:
        cues.append("nosurveil")
    cues.sort()
    tokens = [f"cue_{c}" for c in cues]
    tokens += [f"cue_{a}_{b}" for i, a in enumerate(cues) for b in cues[i + 1:]]
    return tokens


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


def clause_input(texts: Sequence[str], documents: Sequence[str] | None = None):
    """The model's input: one row per clause, its text and the id of its document.

    The clauses of a document must be in reading order: the model reads the clauses
    around each one. Without ``documents`` every clause stands alone.
    """
    import numpy as np

    texts = list(texts)
    rows = np.empty((len(texts), 2), dtype=object)
    rows[:, 0] = texts
    rows[:, 1] = list(documents) if documents is not None else [f"clause {i}" for i in range(len(texts))]
    return rows


class SpacyNormaliser(BaseEstimator, TransformerMixin):
    """scikit-learn transformer: clauses in (see ``clause_input``), three text columns out.

    Column 0 holds the normalised tokens (lemmas, placeholders, cue tokens);
    column 1 the lower-cased raw text with collapsed whitespace, for character
    n-grams that see what normalisation removes (and survive extraction noise);
    column 2 the clause's document, passed through for the context features.
    A plain list of texts is read as clauses that each stand alone.

    The spaCy pipeline is built on first use and left out of the pickle: it is
    rebuilt from the installed packages rather than frozen into the model file.
    """

    def __init__(self, batch_size: int = 256):
        self.batch_size = batch_size

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        import numpy as np

        rows = X if getattr(X, "ndim", 1) == 2 else clause_input(X)
        raw = [" ".join(str(x).lower().split()) for x in rows[:, 0]]
        columns = np.empty((len(raw), 3), dtype=object)
        for i, doc in enumerate(self.nlp.pipe(raw, batch_size=self.batch_size)):
            columns[i, 0] = " ".join(doc_to_tokens(doc) + cue_tokens(doc))
            columns[i, 1] = raw[i]
        columns[:, 2] = rows[:, 1]
        return columns

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
    """The normalised tokens of each text. For one-off use; long-running code keeps one ``SpacyNormaliser``."""
    return list(SpacyNormaliser().transform(texts)[:, 0])
