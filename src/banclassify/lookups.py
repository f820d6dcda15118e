"""The tables read from spacy-lookups-data, kept in the user's cache directory in a fast format.

spacy-lookups-data ships its English tables as gzipped JSON: parsing them (and, for
spaCy's own ``Table``, hashing every key) is a large part of a one-page scan's
start-up. The tables never change for an installed version of the package, so the
first run writes what banclassify needs from them with ``marshal`` (plain strings,
lists and dicts: loading it runs no code) under ``cache_dir()/tables``, named by the
package's version, and later runs read that. A missing, stale or unreadable file is
rebuilt from the package; an unwritable cache directory only costs the speed.
"""

from __future__ import annotations

import gzip
import json
import marshal
import os
from functools import lru_cache
from typing import Callable

# Bump when what a table holds changes, so that older cache files are not read.
FORMAT = 1


def _package_data() -> tuple[str, str]:
    import spacy_lookups_data

    version = getattr(spacy_lookups_data, "__version__", None)
    if version is None:
        from importlib.metadata import version as installed_version

        version = installed_version("spacy-lookups-data")
    return spacy_lookups_data.__path__[0] + "/data/", version


def _read_json(name: str):
    base, _ = _package_data()
    with gzip.open(base + name, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def cached_table(name: str, build: Callable[[], object]) -> object:
    """The table ``name``, from the cache file when there is a valid one, else built and stored."""
    from .userdirs import cache_dir

    _, version = _package_data()
    path = cache_dir() / "tables" / f"{name}-{version}-{FORMAT}.marshal"
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(table))
        os.replace(temporary, path)
    except OSError:
        pass
    return table


@lru_cache(maxsize=1)
def lemma_lookup() -> dict[str, str]:
    """spaCy's English ``lemma_lookup`` table: word form -> lemma."""
    return cached_table("en_lemma_lookup", lambda: _read_json("en_lemma_lookup.json.gz"))


def _english_words() -> list[str]:
    lookup = _read_json("en_lemma_lookup.json.gz")
    index = _read_json("en_lemma_index.json.gz")
    words = set(lookup) | set(lookup.values())
    for forms in index.values():
        words.update(forms)
    return sorted({w.lower() for w in words})


@lru_cache(maxsize=1)
def english_word_list() -> list[str]:
    """Word forms and lemmas of spacy-lookups-data, lower-cased and sorted."""
    return cached_table("en_words", _english_words)

