"""Attributes of an operative clause: which technology, whom it binds, its
exceptions, how long a moratorium lasts, and when the rule takes effect.

All of it is found by one spaCy component of Matcher and PhraseMatcher patterns
("banclassify_attributes") on the project's blank English pipeline; the code
around it only turns matches into values (dates into ISO, numbers into months).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

from .lexicon import (
    ACTOR_TERMS,
    CONDITION_TERMS,
    CONNECTORS,
    EFFECTIVE_CUES,
    END_CUES,
    EXCEPTION_OPENERS,
    MONTH_NUMBERS,
    NOT_ACTORS,
    NUMBER_WORDS,
    PREPOSITIONS,
    RULE_VERBS,
    TECHNOLOGY_TERMS,
    TIME_UNITS,
)

# Technologies that only the police operate: a rule on them that names no one binds the police.
POLICE_TECHNOLOGIES = {"body_worn_cameras", "alpr", "cell_site_simulators", "gunshot_detection", "predictive_policing"}

CONDITION_WORDS = {
    "statute": "until a statute allows it",
    "governing_body": "until the governing body lifts it",
    "report": "until a report or study is done",
    "policy": "until a policy or rules are adopted",
}

@dataclass
class ClauseAttributes:
    technology: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    duration: dict | None = None  # {"end": ISO} | {"months": n} | {"condition": kind}
    effective: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def compact(self) -> str:
        parts = []
        if self.technology:
            parts.append("tech " + ",".join(self.technology))
        if self.actors:
            parts.append("binds " + ",".join(self.actors))
        if self.duration:
            kind, value = next(iter(self.duration.items()))
            parts.append({"end": f"until {value}", "months": f"for {value} months", "condition": CONDITION_WORDS.get(value, str(value))}[kind])
        if self.effective:
            parts.append(f"from {self.effective}")
        if self.exceptions:
            parts.append(f"{len(self.exceptions)} exception(s)")
        return "; ".join(parts)


def _phrase_docs(nlp, phrases):
    return [nlp.make_doc(p) for p in phrases]


def attach_attributes(nlp):
    """Add the attribute component to the project's pipeline (disabled: the normaliser
    does not need it) and return it. The pipeline is the one the model already built."""
    from spacy.language import Language
    from spacy.matcher import Matcher, PhraseMatcher

    from .normalise import DATE_PATTERNS

    if "banclassify_attributes" not in Language.factories:

        @Language.factory("banclassify_attributes")
        def make_attributes(nlp, name):
            technology = PhraseMatcher(nlp.vocab, attr="LOWER")
            for slug, phrases in TECHNOLOGY_TERMS.items():
                technology.add(slug, _phrase_docs(nlp, phrases))
            actors = PhraseMatcher(nlp.vocab, attr="LOWER")
            for slug, phrases in ACTOR_TERMS.items():
                actors.add(slug, _phrase_docs(nlp, phrases))
            actors.add("not_an_actor", _phrase_docs(nlp, NOT_ACTORS))
            conditions = PhraseMatcher(nlp.vocab, attr="LOWER")
            for slug, phrases in CONDITION_TERMS.items():
                conditions.add(slug, _phrase_docs(nlp, phrases))
            cues = PhraseMatcher(nlp.vocab, attr="LOWER")
            cues.add("exception", _phrase_docs(nlp, EXCEPTION_OPENERS))
            cues.add("end", _phrase_docs(nlp, END_CUES))
            cues.add("effective", _phrase_docs(nlp, EFFECTIVE_CUES))
            cues.add("pending", _phrase_docs(nlp, ["pending", "until", "unless and until", "until such time as"]))
            cues.add("deontic", _phrase_docs(nlp, RULE_VERBS))
            dates = Matcher(nlp.vocab, validate=False)  # DATE_PATTERNS test lexeme flags (see normalise)
            dates.add("date", DATE_PATTERNS)
            dates.add("date", [[{"SHAPE": {"IN": ["dddd-dd-dd", "d/dd/dddd", "dd/dd/dddd", "d/d/dddd", "dd/d/dddd"]}}]])
            dates.add("year_end", [
                [{"LOWER": "end"}, {"LOWER": "of"}, {"LOWER": "the", "OP": "?"}, {"SHAPE": "dddd"}, {"LOWER": {"IN": ["calendar", "fiscal"]}, "OP": "?"}, {"LOWER": "year", "OP": "?"}],
                [{"LOWER": "end"}, {"LOWER": "of"}, {"LOWER": "the", "OP": "?"}, {"LOWER": {"IN": ["calendar", "fiscal"]}}, {"LOWER": "year"}, {"SHAPE": "dddd"}],
            ])
            number = {"LOWER": {"IN": [w for w in NUMBER_WORDS if w not in {"a", "an", "half"}]}}
            digits = {"SHAPE": {"IN": ["d", "dd", "ddd"]}}
            unit = {"LOWER": {"IN": list(TIME_UNITS)}}
            periods = Matcher(nlp.vocab)
            periods.add("period", [
                [number, {"TEXT": "(", "OP": "?"}, {"SHAPE": {"IN": ["d", "dd", "ddd"]}, "OP": "?"}, {"TEXT": ")", "OP": "?"}, {"TEXT": "-", "OP": "?"}, unit],
                [digits, {"TEXT": "-", "OP": "?"}, unit],
                [{"LOWER": {"IN": ["a", "one"]}}, {"LOWER": {"IN": ["full"]}, "OP": "?"}, {"LOWER": {"IN": ["year", "month"]}}],
                [{"LOWER": {"IN": list(NUMBER_WORDS)}}, {"TEXT": "-"}, {"LOWER": {"IN": list(NUMBER_WORDS)}}, {"TEXT": "-", "OP": "?"}, unit],
            ])

            def mark(doc):
                found = doc.user_data
                found["technology"] = [(nlp.vocab.strings[m], s, e) for m, s, e in technology(doc)]
                found["actors"] = [(nlp.vocab.strings[m], s, e) for m, s, e in actors(doc)]
                found["conditions"] = [(nlp.vocab.strings[m], s, e) for m, s, e in conditions(doc)]
                found["cues"] = [(nlp.vocab.strings[m], s, e) for m, s, e in cues(doc)]
                found["dates"] = [(nlp.vocab.strings[m], s, e) for m, s, e in dates(doc)]
                found["periods"] = [(s, e) for _, s, e in periods(doc)]
                return doc

            return mark

    if "banclassify_attributes" not in nlp.component_names:
        nlp.add_pipe("banclassify_attributes")
        nlp.disable_pipe("banclassify_attributes")
    return nlp.get_pipe("banclassify_attributes")


class AttributeExtractor:
    """Turns the attribute component's matches into ``ClauseAttributes``. Build once, reuse.

    ``nlp`` is the project's pipeline (``normalise.build_nlp``); pass the model's own
    so that one Language object serves both stages.
    """

    def __init__(self, nlp=None):
        from .normalise import build_nlp

        self.nlp = nlp if nlp is not None else build_nlp()
        self.component = attach_attributes(self.nlp)

    def extract(self, texts: Sequence[str], labels: Sequence[str]) -> list[ClauseAttributes]:
        results = []
        for text, label in zip(texts, labels):
            if label == "none":
                results.append(ClauseAttributes())
                continue
            doc = self.component(self.nlp.make_doc(text))
            results.append(self._attributes(doc, label))
        return results

    def _attributes(self, doc, label: str) -> ClauseAttributes:
        found = doc.user_data
        exception_spans = _exception_spans(doc, found["cues"])
        excluded = {i for start, stop in exception_spans + _until_phrases(doc, found["cues"]) for i in range(start, stop)}
        technology = _technology(doc, found["technology"])
        actors = _actors(doc, found["actors"], found["cues"], excluded)
        if not actors and set(technology) & POLICE_TECHNOLOGIES:
            # "Recordings from body-worn cameras shall be retained for 90 days" names no one;
            # these tools are operated by the police, so the rule binds them.
            actors = ["police"]
        return ClauseAttributes(
            technology=technology,
            actors=actors,
            exceptions=[doc.text[doc[a].idx: doc[b - 1].idx + len(doc[b - 1])].rstrip(" ,;:") for a, b in exception_spans],
            duration=_duration(doc, found) if label == "moratorium" else None,
            effective=_effective(doc, found),
        )


def _longest(matches):
    """Drop matches inside longer ones ("law enforcement agency" over "agency")."""
    matches = sorted(matches, key=lambda m: (-(m[2] - m[1]), m[1]))
    taken: set[int] = set()
    kept = []
    for slug, start, end in matches:
        if taken.isdisjoint(range(start, end)):
            kept.append((slug, start, end))
            taken.update(range(start, end))
    return sorted(kept, key=lambda m: m[1])


def _technology(doc, matches) -> list[str]:
    kept = _longest(matches)
    slugs = []
    for slug, start, end in kept:
        if slug == "biometric_surveillance" and doc[start].lower_.startswith("biometric") and end < len(doc) and doc[end].lower_ in {"data", "information"} and any(s == "face_recognition" for s, _, _ in kept):
            continue  # "facial recognition ... biometric data" is about faces
        if slug not in slugs:
            slugs.append(slug)
    specific = [s for s in slugs if s != "other"]
    if specific and "other" in slugs:
        slugs.remove("other")  # CCTV that only feeds face recognition is about face recognition
    return sorted(slugs, key=list(TECHNOLOGY_TERMS).index)


def _actors(doc, matches, cues, excluded: set[int]) -> list[str]:
    """Who the rule binds: the subject before its rule verb ("No City department shall..."),
    with the actors coordinated to it ("The Township and its police department"), or
    the agent after "by" in a passive ("shall not be deployed by the Council")."""
    kept = _heads([m for m in _longest(matches) if m[1] not in excluded and m[0] != "not_an_actor"])
    verbs = [(s, e) for kind, s, e in cues if kind == "deontic" and s not in excluded]
    first_verb = verbs[0][0] if verbs else len(doc)
    subject = [m for m in kept if m[1] < first_verb and not _after_preposition(doc, m[1])]
    if not subject and verbs:
        # "It shall be unlawful for any Federal agency to ...": the actor follows "for".
        after_for = [m for m in kept if m[1] >= verbs[0][1] and m[1] > 0 and any(t.lower_ == "for" for t in doc[verbs[0][1]: m[1]])]
        subject = after_for[:1] + [m for m in after_for[1:]]
    if not subject:
        subject = [m for m in kept if m[1] > first_verb and m[1] > 0 and any(t.lower_ == "by" for t in doc[max(first_verb, m[1] - 3): m[1]])]
    if not subject:
        subject = [m for m in kept if not _after_preposition(doc, m[1])] or kept
    if not subject:
        return []
    chosen = [subject[0]]
    for match in subject[1:]:
        if _coordinated(doc, chosen[-1][2], match[1]):
            chosen.append(match)
    slugs: list[str] = []
    for slug, _, _ in chosen:
        if slug not in slugs:
            slugs.append(slug)
    # "No department and no officer or employee of the City": a bare "officer" beside the
    # City's departments is one of its employees, not the police.
    bare = {doc[s:e].text.lower() for slug, s, e in chosen if slug == "police"}
    if "government" in slugs and bare and bare <= {"officer", "officers"}:
        slugs.remove("police")
    return sorted(slugs, key=list(ACTOR_TERMS).index)


def _heads(matches):
    """Keep the head of a compound name: "County Sheriff's Office" binds the Sheriff, not the County."""
    heads = []
    for match in matches:
        if heads and heads[-1][2] == match[1]:
            heads[-1] = match
        else:
            heads.append(match)
    return heads


def _after_preposition(doc, start: int) -> bool:
    """True for "the Town" in "a store within the Town": a place or owner, not the one bound."""
    i = start - 1
    while i >= 0 and doc[i].lower_ in {"the", "a", "an", "its", "this", "that", "any", "such", "each"}:
        i -= 1
    return i >= 0 and doc[i].lower_ in PREPOSITIONS


def _coordinated(doc, end: int, start: int) -> bool:
    words = [t for t in doc[end:start]]
    i = 0
    while i < len(words):
        word = words[i]
        if word.lower_ == "of":
            # "The Township of Marrin and its police department": skip the name after "of".
            i += 1
            while i < len(words) and (words[i].text[:1].isupper() or words[i].lower_ == "the"):
                i += 1
            continue
        if word.lower_ not in CONNECTORS:
            return False
        i += 1
    return any(t.lower_ in {"and", "or", "nor", ","} for t in words)


def _exception_spans(doc, cues) -> list[tuple[int, int]]:
    """Token ranges of exceptions: from "except", "unless"... to the end of the phrase.

    An exception that opens the sentence ends at its comma; one inside it runs to
    the next semicolon, colon or sentence end.
    """
    spans = []
    openers = _longest([(k, s, e) for k, s, e in cues if k == "exception"])
    covered = -1
    first_word = next((t.i for t in doc if t.is_alpha and not _is_marker(t)), 0)
    for _, start, _end in openers:
        if start <= covered:
            continue
        if start <= first_word:
            stop = next((t.i for t in doc[start:] if t.text == ","), len(doc))
        else:
            stop = next((t.i for t in doc[start + 1:] if t.text in {";", ":"} or (t.text == "." and _ends_sentence(doc, t))), len(doc))
        if stop > start:
            spans.append((start, stop))
            covered = stop
    return spans


def _until_phrases(doc, cues) -> list[tuple[int, int]]:
    """"Until the Parish Council determines otherwise, ...": whoever ends a ban is not bound by it."""
    spans = []
    for kind, start, _ in cues:
        if kind == "pending":
            stop = next((t.i for t in doc[start:] if t.text in {",", ";", "."}), len(doc))
            spans.append((start, stop))
    return spans


def _is_marker(token) -> bool:
    return token.text.lower() in {"sec", "section", "article", "art"} or (len(token.text) <= 4 and token.text.isalpha() and token.nbor(1).text in {")", "."} if token.i + 1 < len(token.doc) else False)


def _ends_sentence(doc, token) -> bool:
    return token.i + 1 >= len(doc) or doc[token.i + 1].text[:1].isupper() or doc[token.i + 1].is_space


def _iso(doc, kind: str, start: int, end: int) -> str | None:
    tokens = [t.text for t in doc[start:end]]
    if kind == "year_end":
        return next(f"{t}-12-31" for t in tokens if t.isdigit() and len(t) == 4)
    if len(tokens) == 1:
        text = tokens[0]
        try:
            if "-" in text:
                return dt.date.fromisoformat(text).isoformat()
            month, day, year = (int(x) for x in text.split("/"))
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    month = next((MONTH_NUMBERS[t.lower().rstrip(".")] for t in tokens if t.lower().rstrip(".") in MONTH_NUMBERS), None)
    year = next((int(t) for t in tokens if t.isdigit() and len(t) == 4), None)
    day = next((int("".join(ch for ch in t if ch.isdigit())) for t in tokens if t[:1].isdigit() and len(t) <= 4 and not (t.isdigit() and len(t) == 4)), None)
    if not month or not year:
        return None
    if day is None:
        day = calendar.monthrange(year, month)[1]  # "until June 2027": to the end of June
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _cue_before(doc, cues, kinds: set[str], start: int, window: int = 6) -> str | None:
    near = [(s, k) for k, s, e in cues if k in kinds and start - window <= s < start]
    return max(near)[1] if near else None


def _dates(doc, found) -> list[tuple[str | None, str]]:
    """Each date with the cue that introduces it: "end", "effective" or None."""
    result = []
    for kind, start, end in _longest(found["dates"]):
        iso = _iso(doc, kind, start, end)
        if iso:
            result.append((_cue_before(doc, found["cues"], {"end", "effective", "pending"}, start), iso))
    return result


def _duration(doc, found) -> dict | None:
    dates = _dates(doc, found)
    ends = [iso for cue, iso in dates if cue in {"end", "pending"}]
    if ends:
        return {"end": ends[0]}
    spans = _longest([("period", s, e) for s, e in found["periods"]])
    periods = [months for months in (_months(doc[s:e]) for _, s, e in spans) if months]
    if periods:
        return {"months": periods[0]}
    pending = [s for k, s, _ in found["cues"] if k == "pending"]
    after = pending[0] if pending else 0
    conditions = {k for k, s, e in found["conditions"] if s > after}
    for kind in ("statute", "report", "governing_body", "policy"):
        if kind in conditions:
            return {"condition": kind}
    if any(k == "pending" for k, _, _ in found["cues"]):
        bodies = {doc[s:e].text.lower() for slug, s, e in found["actors"] if slug == "government"}
        return {"condition": "governing_body" if bodies & {"council", "city council", "board"} else "policy"}
    undated = [iso for cue, iso in dates if cue != "effective"]
    return {"end": undated[0]} if undated else None


def _months(span) -> int | None:
    words = [t.lower_ for t in span if t.text not in {"(", ")", "-"}]
    unit = next((w for w in reversed(words) if w in TIME_UNITS), None)
    amount = None
    for word in words:
        if word.isdigit():
            amount = int(word)
            break
        if word in NUMBER_WORDS:
            amount = NUMBER_WORDS[word] if amount is None else amount + NUMBER_WORDS[word]
    if unit is None or amount is None:
        return None
    months = amount * TIME_UNITS[unit]
    return max(1, round(months))


def _effective(doc, found) -> str | None:
    for cue, iso in _dates(doc, found):
        if cue == "effective":
            return iso
    return None


def evaluate_attributes(records: list[dict], extractor: AttributeExtractor) -> dict:
    """Precision, recall and F1 per attribute (set-valued ones), exact match for durations and dates."""
    predicted = extractor.extract([r["text"] for r in records], [r["label"] for r in records])
    report: dict = {}
    for name in ("technology", "actors", "exceptions"):
        tp = fp = fn = 0
        for record, attributes in zip(records, predicted):
            truth, guess = set(record.get(name) or []), set(getattr(attributes, name))
            tp += len(truth & guess)
            fp += len(guess - truth)
            fn += len(truth - guess)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[name] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "support": tp + fn}
    moratoria = [(r, a) for r, a in zip(records, predicted) if r["label"] == "moratorium"]
    exact = sum(r.get("duration") == a.duration for r, a in moratoria)
    report["duration"] = {"exact_match": round(exact / max(1, len(moratoria)), 3), "support": len(moratoria)}
    exact = sum(r.get("effective") == a.effective for r, a in zip(records, predicted))
    with_date = [(r, a) for r, a in zip(records, predicted) if r.get("effective")]
    report["effective"] = {
        "exact_match": round(exact / max(1, len(records)), 3),
        "recall": round(sum(r["effective"] == a.effective for r, a in with_date) / max(1, len(with_date)), 3),
        "support": len(with_date),
    }
    report["mistakes"] = [
        {"text": r["text"], "expected": {k: r.get(k) for k in ("technology", "actors", "duration", "effective")}, "found": {k: getattr(a, k) for k in ("technology", "actors", "duration", "effective")}}
        for r, a in zip(records, predicted)
        if set(r.get("technology") or []) != set(a.technology) or set(r.get("actors") or []) != set(a.actors) or (r["label"] == "moratorium" and r.get("duration") != a.duration)
    ]
    return report


def default_attribute_files() -> list[Path]:
    """The attribute test files of the repository: data/attributes/*.jsonl."""
    return sorted((Path(__file__).resolve().parents[2] / "data" / "attributes").glob("*.jsonl"))


def read_attribute_records(path) -> list[dict]:
    """Labelled attribute records; a bad line is a ``DataError`` naming file and line."""
    from .errors import DataError
    from .jsonl import read_jsonl
    from .labels import OPERATIVE_LABELS

    lines, _ = read_jsonl(path, strict=True, error=DataError)
    for number, record in lines:
        if not isinstance(record.get("text"), str) or record.get("label") not in OPERATIVE_LABELS:
            raise DataError(f"{path}:{number}", "needs a 'text' and an operative 'label'")
    return [record for _, record in lines]
