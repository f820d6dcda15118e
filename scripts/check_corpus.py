"""Quick corpus sanity check used while writing clauses.

Usage: python3 scripts/check_corpus.py data/labeled/*.jsonl
Reports per-label counts, none kinds, empty/duplicate texts, unknown labels,
and near-duplicates (word-trigram Jaccard > 0.8) between any two clauses, and
flags any text shared by a train file and a test file.
"""
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

LABELS = {"full_ban", "realtime_ban", "moratorium", "consent_requirement", "oversight_policy", "none"}


def trigrams(text):
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def main(paths):
    rows = []
    problems = 0
    for p in paths:
        split = "test" if Path(p).name.startswith("test") else "train"
        for n, line in enumerate(open(p, encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{p}:{n}: not JSON ({e})"); problems += 1; continue
            if not str(r.get("text", "")).strip():
                print(f"{p}:{n}: empty text"); problems += 1; continue
            if r.get("label") not in LABELS:
                print(f"{p}:{n}: unknown label {r.get('label')!r}"); problems += 1
            for f in ("source", "style"):
                if not r.get(f):
                    print(f"{p}:{n}: missing {f}"); problems += 1
            rows.append((p, n, split, r))
    labels = Counter(r["label"] for *_, r in rows)
    kinds = Counter(r.get("none_kind") for *_, r in rows if r["label"] == "none")
    print("clauses:", len(rows), dict(labels))
    print("none kinds:", dict(kinds))
    print("by split:", dict(Counter((s, r["label"]) for _, _, s, r in rows)))
    print("sources:", len({r["source"] for *_, r in rows}), "styles:", len({r["style"] for *_, r in rows}))
    lengths = [len(r["text"].split()) for *_, r in rows]
    if lengths:
        print("words: min", min(lengths), "max", max(lengths))
    src_split = defaultdict(set)
    for _, _, s, r in rows:
        src_split[r["source"]].add(s)
    for src, ss in src_split.items():
        if len(ss) > 1:
            print("source in both splits:", src); problems += 1
    seen = {}
    for p, n, s, r in rows:
        key = " ".join(r["text"].lower().split())
        if key in seen:
            print(f"duplicate text: {p}:{n} and {seen[key][0]}:{seen[key][1]}"); problems += 1
        else:
            seen[key] = (p, n)
    grams = [trigrams(r["text"]) for *_, r in rows]
    index = defaultdict(list)
    for i, g in enumerate(grams):
        for t in g:
            index[t].append(i)
    for i, g in enumerate(grams):
        if not g:
            continue
        overlap = Counter()
        for t in g:
            for j in index[t]:
                if j > i:
                    overlap[j] += 1
        for j, c in overlap.items():
            jac = c / len(g | grams[j])
            if jac > 0.8:
                a, b = rows[i], rows[j]
                where = "ACROSS SPLITS " if a[2] != b[2] else ""
                print(f"{where}near-duplicate ({jac:.2f}): {a[0]}:{a[1]} ~ {b[0]}:{b[1]}"); problems += 1
    print("problems:", problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
