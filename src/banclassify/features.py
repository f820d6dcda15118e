"""Feature transformers of the classifier that scikit-learn does not provide.

``CharNgramCounter``: character n-gram counts computed with numpy. scikit-learn's
``TfidfVectorizer(analyzer="char")`` builds every n-gram of every clause as a Python
string and looks it up in a dictionary: on a scan that took three quarters of the
classification time. ``CharNgramCounter`` counts the same
n-grams with array arithmetic over all clauses at once. Each n-gram is identified
by a 64-bit rolling polynomial hash of its code points (collisions are negligible
at that width), and the vocabulary is chosen at ``fit`` as ``TfidfVectorizer``
chooses it (``min_df``, then the ``max_features`` most frequent), so a
``TfidfTransformer`` after it gives the familiar weights.

``NeighbourContext``: what the clauses around a clause are about. "Staff shall
complete eight hours of training before gaining access" is oversight of
surveillance in a surveillance ordinance and an ordinary personnel rule in a
budget; only the document around the clause tells them apart.

``WhereFeatures``: the headings above a clause and its document's title, the same
question asked of the document's structure rather than of its neighbouring clauses.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

# The hash works modulo 2**64 (numpy's uint64 wraps around on overflow).
_MULTIPLIER = np.uint64(0x100000001B3)
_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)
_END = "\x00"  # ends every text; NULs inside a text are read as spaces
_SLOT_BITS = 20
_SLOT_MASK = np.uint64((1 << _SLOT_BITS) - 1)
_EMPTY_SLOT, _SHARED_SLOT = -1, -2


class CharNgramCounter(BaseEstimator, TransformerMixin):
    """Counts of the character n-grams (lengths in ``ngram_range``, inclusive) of each text."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2, max_features: int | None = None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, X: Iterable[str], y=None):
        rows, hashes, _ = self._ngrams(X)
        order = np.lexsort((rows, hashes))
        rows, hashes = rows[order], hashes[order]
        first_in_document = np.ones(len(hashes), dtype=bool)
        first_in_document[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
        vocabulary, total = np.unique(hashes, return_counts=True)
        _, document_frequency = np.unique(hashes[first_in_document], return_counts=True)
        kept = np.flatnonzero(document_frequency >= self.min_df)
        if self.max_features is not None and len(kept) > self.max_features:
            # The most frequent, ties broken by hash so that fitting is deterministic.
            kept = np.sort(kept[np.lexsort((vocabulary[kept], -total[kept]))[: self.max_features]])
        self.vocabulary_ = vocabulary[kept]
        self._table = None
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:
        rows, hashes, count = self._ngrams(X)
        return count_matrix(rows, self._columns(hashes), count, len(self.vocabulary_))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        # Only hashes are kept, not the n-grams themselves; explanations skip these columns.
        return np.array([f"char_ngram_{h:016x}" for h in self.vocabulary_], dtype=object)

    def _columns(self, hashes: np.ndarray) -> np.ndarray:
        """The vocabulary column of each hash, -1 for unknown n-grams."""
        # A direct-address table on the hash's low bits finds nearly every column in
        # one step; slots that two vocabulary entries share fall back to binary search.
        table = self._slot_table()
        slots = table[(hashes & _SLOT_MASK).astype(np.int64)]
        columns = np.full(len(hashes), -1, dtype=np.int64)
        single = slots >= 0
        match = single.copy()
        match[single] = self.vocabulary_[slots[single]] == hashes[single]
        columns[match] = slots[match]
        shared = np.flatnonzero(slots == _SHARED_SLOT)
        if len(shared):
            found = np.searchsorted(self.vocabulary_, hashes[shared])
            inside = found < len(self.vocabulary_)
            hit = np.zeros(len(shared), dtype=bool)
            hit[inside] = self.vocabulary_[found[inside]] == hashes[shared][inside]
            columns[shared[hit]] = found[hit]
        return columns

    def _slot_table(self) -> np.ndarray:
        # Derived from vocabulary_, so rebuilt after loading rather than saved in the model file.
        if getattr(self, "_table", None) is None:
            slots = (self.vocabulary_ & _SLOT_MASK).astype(np.int64)
            # 32-bit entries: half the memory to read at random, so fewer cache misses.
            table = np.full(1 << _SLOT_BITS, _EMPTY_SLOT, dtype=np.int32)
            table[slots] = np.arange(len(slots))
            used, uses = np.unique(slots, return_counts=True)
            table[used[uses > 1]] = _SHARED_SLOT
            self._table = table
        return self._table

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_table", None)
        return state

    def _ngrams(self, X: Iterable[str]) -> tuple[np.ndarray, np.ndarray, int]:
        """(text index, n-gram hash) of every n-gram occurrence, and the number of texts."""
        texts = [str(x).replace(_END, " ") for x in X]
        low, high = self.ngram_range
        codes = np.frombuffer((_END.join(texts) + _END).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        text_of = np.repeat(np.arange(len(texts)), [len(t) + 1 for t in texts])
        ends_before = np.concatenate(([0], np.cumsum(codes == ord(_END))))
        rows, hashes = [], []
        rolling = codes.copy()
        with np.errstate(over="ignore"):
            for n in range(1, high + 1):
                if n > 1:
                    rolling = rolling[:-1] * _MULTIPLIER + codes[n - 1:]
                if n < low:
                    continue
                starts = np.arange(len(rolling))
                inside = ends_before[starts + n] == ends_before[starts]  # the n-gram crosses no text end
                rows.append(text_of[starts[inside]])
                hashes.append(rolling[inside] ^ (np.uint64(n) * _LENGTH_MIX))
        empty = np.zeros(0, dtype=np.int64)
        return (np.concatenate(rows) if rows else empty), (np.concatenate(hashes) if hashes else empty.astype(np.uint64)), len(texts)


def count_matrix(rows: np.ndarray, columns: np.ndarray, n_rows: int, width: int) -> sparse.csr_matrix:
    """Sparse counts of (row, column) occurrences; occurrences with column -1 are left out."""
    known = columns >= 0
    # Count each (row, column) pair: sort the pairs as one integer key, then run lengths.
    # 32-bit keys when they fit: they sort about twice as fast.
    key_type = np.uint32 if n_rows * width < 2**32 else np.int64
    keys = np.sort(rows[known].astype(key_type) * key_type(width) + columns[known].astype(key_type))
    starts = np.flatnonzero(np.concatenate(([len(keys) > 0], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(starts, len(keys))).astype(np.float64)
    pairs = keys[starts]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(pairs // width, minlength=n_rows))))
    return sparse.csr_matrix((counts, pairs % width, indptr), shape=(n_rows, width))


class WordNgramVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` that counts word n-grams with numpy at ``transform``.

    Fitting, parameters, vocabulary and weights are ``TfidfVectorizer``'s own; only
    the counting differs. The stock ``transform`` joins every n-gram of every clause
    into a string to look it up. Here each word is looked up once, as an integer
    id, and the n-grams are integer keys compared in arrays: the same counts in a
    fraction of the time. Options that change how text is cut (an analyzer other
    than "word", a custom tokenizer or preprocessor, stop words, accents) fall back
    to the stock ``transform``.
    """

    def transform(self, raw_documents) -> sparse.csr_matrix:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "vocabulary_")
        if not self._counts_with_arrays():
            return super().transform(raw_documents)
        if isinstance(raw_documents, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        counts = self._count(raw_documents)
        return self._tfidf.transform(counts, copy=False)

    def _counts_with_arrays(self) -> bool:
        words, _ = self._word_keys()
        return (
            self.analyzer == "word" and self.tokenizer is None and self.preprocessor is None
            and self.stop_words is None and self.strip_accents is None and self.input == "content"
            # n-gram keys must fit in 64 bits
            and (len(words) + 1) ** self.ngram_range[1] < 2**63
        )

    def _count(self, documents) -> sparse.csr_matrix:
        import re
        from itertools import chain, repeat

        words, keys = self._word_keys()
        unknown = len(words)
        texts = [str(d).lower() if self.lowercase else str(d) for d in documents]
        if self.token_pattern == r"\S+":
            tokens = [t.split() for t in texts]
        else:
            findall = re.compile(self.token_pattern).findall
            tokens = [findall(t) for t in texts]
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        ids = np.fromiter(map(words.get, chain.from_iterable(tokens), repeat(unknown)), dtype=np.int64, count=int(lengths.sum()))
        row_of = np.repeat(np.arange(len(texts)), lengths)
        base = unknown + 1
        rows, columns = [], []
        low, high = self.ngram_range
        key = np.zeros(len(ids), dtype=np.int64)
        for n in range(1, high + 1):
            # key of the n-gram starting at each position: its word ids in base ``base``.
            key = key[: len(ids) - n + 1] * base + ids[n - 1:]
            if n < low or n not in keys:
                continue
            starts = np.flatnonzero(row_of[: len(key)] == row_of[n - 1:])  # inside one text
            known_keys, known_columns = keys[n]
            found = np.searchsorted(known_keys, key[starts])
            found[found == len(known_keys)] = 0
            hit = known_keys[found] == key[starts] if len(known_keys) else np.zeros(len(starts), dtype=bool)
            rows.append(row_of[starts[hit]])
            columns.append(known_columns[found[hit]])
        rows_all = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        columns_all = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        counts = count_matrix(rows_all, columns_all, len(texts), len(self.vocabulary_)).astype(self.dtype, copy=False)
        if self.binary:
            counts.data.fill(1)
        return counts

    def _word_keys(self) -> tuple[dict[str, int], dict[int, tuple[np.ndarray, np.ndarray]]]:
        """Word -> id, and per n-gram length the sorted keys of the vocabulary with their columns."""
        # Derived from vocabulary_, so built after fitting or loading rather than saved.
        if getattr(self, "_keys", None) is None:
            words: dict[str, int] = {}
            for ngram in self.vocabulary_:
                for word in ngram.split(" "):
                    words.setdefault(word, len(words))
            base = len(words) + 1
            by_length: dict[int, tuple[list[int], list[int]]] = {}
            for ngram, column in self.vocabulary_.items():
                parts = ngram.split(" ")
                key = 0
                for word in parts:
                    key = key * base + words[word]
                by_length.setdefault(len(parts), ([], []))
                by_length[len(parts)][0].append(key)
                by_length[len(parts)][1].append(column)
            keys = {}
            for n, (n_keys, n_columns) in by_length.items():
                order = np.argsort(n_keys)
                keys[n] = (np.asarray(n_keys, dtype=np.int64)[order], np.asarray(n_columns, dtype=np.int64)[order])
            self._keys = (words, keys)
        return self._keys

    def fit(self, raw_documents, y=None):
        self._keys = None
        return super().fit(raw_documents, y)

    def fit_transform(self, raw_documents, y=None):
        self._keys = None
        return super().fit_transform(raw_documents, y)

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_keys", None)
        return state


class NeighbourContext(BaseEstimator, TransformerMixin):
    """The vectors of the ``window`` clauses on each side of a clause in its document, summed.

    Input: two columns, a clause's text (as ``vectorizer`` reads it) and the id of
    its document, with each document's clauses in reading order. A clause alone in
    its document gets an all-zero row.
    """

    def __init__(self, vectorizer=None, window: int = 5):
        self.vectorizer = vectorizer
        self.window = window

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=object)
        self.vectorizer_ = clone(self.vectorizer).fit(X[:, 0])
        return self

    def transform(self, X) -> sparse.csr_matrix:
        X = np.asarray(X, dtype=object)
        vectors = self.vectorizer_.transform(X[:, 0])
        return normalize(neighbours(X[:, 1], self.window) @ vectors)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array([f"near:{name}" for name in self.vectorizer_.get_feature_names_out()], dtype=object)


def neighbours(documents, window: int) -> sparse.csr_matrix:
    """Square 0/1 matrix: row i marks the clauses within ``window`` places of clause i in the same document."""
    positions: dict[object, list[int]] = {}
    for row, document in enumerate(documents):
        positions.setdefault(document, []).append(row)
    rows, columns = [], []
    for members in positions.values():
        members = np.asarray(members)
        for offset in range(1, min(window, len(members) - 1) + 1):
            rows += [members[:-offset], members[offset:]]
            columns += [members[offset:], members[:-offset]]
    size = len(documents)
    if not rows:
        return sparse.csr_matrix((size, size))
    rows_all, columns_all = np.concatenate(rows), np.concatenate(columns)
    return sparse.csr_matrix((np.ones(len(rows_all)), (rows_all, columns_all)), shape=(size, size))


# Words that tie a text to surveillance technology beyond the named technologies of
# ``attributes.TECHNOLOGY_TERMS``. Measured: broader lists tie too much of a municipal
# code to surveillance. With the normaliser's "surveil" cues added ("recognition",
# "face", "real-time"), the Somerville code's false flags were 15 instead of 6; with
# images, monitoring, location and software, 71.
GENERIC_SURVEILLANCE_TERMS = (
    "surveillance", "surveil", "surveilled", "video", "videos", "footage", "recorded images", "recordings",
    "monitoring system", "camera system", "wiretap", "wiretaps", "eavesdropping", "intercept", "interception",
    "biometric data", "gps", "tracking device", "tracking devices", "location tracking", "live feed", "live feeds",
    # What a plate reader reads, and the lists it checks them against.
    "license plate", "license plates", "licence plate", "licence plates", "number plate", "number plates",
    "hotlist", "hotlists", "hot list", "hot lists",
)


@functools.lru_cache(maxsize=1)
def technology_pattern() -> re.Pattern:
    """One regular expression for every technology term, matched as whole words, case-insensitively."""
    from .attributes import TECHNOLOGY_TERMS

    terms = {t.lower() for terms in TECHNOLOGY_TERMS.values() for t in terms} | set(GENERIC_SURVEILLANCE_TERMS)
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])", re.IGNORECASE)


def mentions_technology(text: str) -> bool:
    return bool(text) and technology_pattern().search(text) is not None


class WhereFeatures(BaseEstimator, TransformerMixin):
    """Where a clause stands: the words of the headings above it and of its document's title.

    Input: two columns, the heading chain and the title (either may be empty).
    Output: word n-grams of the headings, words of the title, and two flags with
    weight ``flag_weight``: headings that name a surveillance technology, a title
    that names one. (No flag for "no headings": most training records have none while
    every scanned clause has some, so it would shift every scanned clause alike.) "Requests for recorded images shall be
    referred to the Watch Commander" is oversight under "Public Safety Video
    Surveillance" and an evidence-room rule under "Property and Evidence".
    """

    def __init__(self, heading_ngrams: tuple[int, int] = (1, 2), min_df: int = 2, flag_weight: float = 1.0):
        self.heading_ngrams = heading_ngrams
        self.min_df = min_df
        self.flag_weight = flag_weight

    def _vectorizer(self, ngrams):
        # Letters only: section numbers ("426.1", "9-25") say nothing across documents.
        return TfidfVectorizer(token_pattern=r"(?u)\b[^\W\d_]{2,}\b", ngram_range=ngrams, min_df=self.min_df, sublinear_tf=True)

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=object).reshape(-1, 2)
        headings, titles = [str(v) for v in X[:, 0]], [str(v) for v in X[:, 1]]
        self.headings_ = self._vectorizer(self.heading_ngrams)
        self.titles_ = self._vectorizer((1, 1))
        # A corpus without any headings (or titles) still fits: the vocabulary is then empty.
        self.headings_ = _fit_or_empty(self.headings_, headings)
        self.titles_ = _fit_or_empty(self.titles_, titles)
        return self

    def transform(self, X) -> sparse.csr_matrix:
        X = np.asarray(X, dtype=object).reshape(-1, 2)
        # A document's clauses share a few headings and one title: each distinct one is read once.
        parts = []
        for column, vectorizer in ((0, self.headings_), (1, self.titles_)):
            distinct, index = np.unique(np.array([str(v) for v in X[:, column]], dtype=object), return_inverse=True)
            parts.append((_transform_or_empty(vectorizer, list(distinct))[index],
                          np.array([mentions_technology(v) for v in distinct], dtype=float)[index]))
        flags = np.column_stack([parts[0][1], parts[1][1]]).reshape(-1, 2) * self.flag_weight
        return sparse.hstack([parts[0][0], parts[1][0], sparse.csr_matrix(flags)]).tocsr()

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        names = [f"heading:{n}" for n in _names_or_empty(self.headings_)] + [f"title:{n}" for n in _names_or_empty(self.titles_)]
        return np.array(names + ["flag:heading_names_technology", "flag:title_names_technology"], dtype=object)


def _fit_or_empty(vectorizer, texts):
    try:
        return vectorizer.fit(texts)
    except ValueError:  # empty vocabulary: no record has this field
        return None


def _transform_or_empty(vectorizer, texts) -> sparse.csr_matrix:
    if vectorizer is None:
        return sparse.csr_matrix((len(texts), 0))
    return vectorizer.transform(texts)


def _names_or_empty(vectorizer) -> list[str]:
    return [] if vectorizer is None else list(vectorizer.get_feature_names_out())


class TechnologyTie(BaseEstimator, TransformerMixin):
    """One 0/1 column: does anything tie the clause to a surveillance technology?

    Input: the clause's raw text and its document id, optionally followed by its
    headings and its document's title. A clause is tied when it, its headings, its
    title or one of the ``window`` clauses on either side in its document names a
    technology (``mentions_technology``), or when at least ``document_share`` of its
    document's clauses name one (a camera policy that says "the system" for pages on
    end is still about cameras). "The City Manager shall return with a report on
    parking meters within 90 days" in an agenda is tied to nothing.

    A clause alone in its document, without headings or title, counts as tied: its own
    words are all there is to read, and the model reads them already. (Measured: the
    tie as a hard rule on lone clauses cut the own test split's macro-F1 from 0.93 to 0.85.)
    """

    def __init__(self, window: int = 1, document_share: float | None = 0.2):
        self.window = window
        self.document_share = document_share

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> sparse.csr_matrix:
        X = np.asarray(X, dtype=object)
        own = np.array([mentions_technology(str(t)) for t in X[:, 0]], dtype=bool)
        tied = own.copy()
        for column in range(2, X.shape[1]):
            distinct, index = np.unique(np.array([str(v) for v in X[:, column]], dtype=object), return_inverse=True)
            tied |= np.array([mentions_technology(v) for v in distinct], dtype=bool)[index]
        if self.window > 0:
            near = neighbours(X[:, 1], self.window) @ own.astype(float)
            tied |= near > 0
        if len(X):
            documents, index = np.unique(X[:, 1].astype(str), return_inverse=True)
            size = np.bincount(index)
            share = getattr(self, "document_share", None)
            if share is not None:
                tied |= (np.bincount(index, weights=own.astype(float)) / size)[index] >= share
            placed = np.zeros(len(X), dtype=bool)
            for column in range(2, X.shape[1]):
                placed |= np.array([bool(str(v).strip()) for v in X[:, column]], dtype=bool)
            tied |= (size[index] == 1) & ~placed
        return sparse.csr_matrix(tied.astype(float).reshape(-1, 1))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(["technology_tie"], dtype=object)
