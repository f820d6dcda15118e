"""Quick report on labelled JSONL files while writing clauses.

Usage: python scripts/check_corpus.py data/labeled/*.jsonl
Counts per label, kind of none and split; problems from ``banclassify``'s own
validation; and near-duplicates (word-trigram Jaccard > 0.8) between any two clauses.
"""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # usable without installing

from banclassify.corpus import is_test_file, load_corpus, near_duplicate_pairs
from banclassify.errors import DataError


def main(paths: list[str]) -> int:
    try:
        corpus = load_corpus([Path(p) for p in paths])
    except DataError as exc:
        print(exc)
        print("problems: 1+")
        return 1
    examples = corpus.examples
    problems = corpus.duplicates_dropped
    print("clauses:", len(examples), dict(Counter(e.label for e in examples)))
    print("none kinds:", dict(Counter(e.record.get("none_kind") for e in examples if e.label == "none")))
    split = lambda e: "test" if is_test_file(Path(e.file)) else "train"  # noqa: E731
    print("by split:", dict(Counter((split(e), e.label) for e in examples)))
    print("sources:", len(set(corpus.groups)), "styles:", len({e.record.get("style") for e in examples}))
    for source in {e.group for e in examples if split(e) == "test"} & {e.group for e in examples if split(e) == "train"}:
        print("source in both splits:", source)
        problems += 1
    texts = corpus.texts
    for i, j, score in near_duplicate_pairs(texts, texts):
        if i < j:
            a, b = examples[i], examples[j]
            print(f"near-duplicate ({score}): {a.file}:{a.line} ~ {b.file}:{b.line}")
            problems += 1
    print("problems:", problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
