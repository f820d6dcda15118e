"""What a banclassify process does once with what lives as long as it does."""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Keep CPython's garbage collector off every object alive now, once per process.

    A full collection walks every object still alive: with scikit-learn, spaCy and
    a model loaded that is about 0.1 s on a slow machine, and reading a long PDF
    triggers a few. ``gc.freeze()`` moves the objects alive now (imported code, a
    loaded model) out of the collector's reach for good. Only the first call
    freezes: an object frozen and later dropped is never collected, so a process
    that loads model after model (a test session) must not freeze each one.
    """
    if gc.get_freeze_count() == 0:
        # Only the young generations: a full collection here would cost the 0.1 s
        # that freezing saves, to free a few dozen objects left over from imports.
        gc.collect(1)
        gc.freeze()


def freeze_in_worker() -> None:
    """``freeze_long_lived`` in a worker process (joblib, Dask); a caller's own process is left as it is."""
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        freeze_long_lived()
