"""Test-only: makes a reader process misbehave on a document that asks for it.

Tests put this folder on PYTHONPATH of a ``banclassify`` subprocess and set
BANCLASSIFY_TEST_HOOKS=1; every process of that run (the CLI, the fork server,
its workers) then reads text documents through ``misbehaving_read``. A document
whose text contains ``KILL-ME:SIGKILL`` or ``KILL-ME:SIGABRT`` kills the process
reading it with that signal, ``SLEEP-ME:N`` sleeps N seconds first, and ``HANG-ME``
hangs as a loop in C code does: with the alarm signal blocked, so that only a
kill from outside ends it.
"""

import os

if os.environ.get("BANCLASSIFY_TEST_HOOKS") == "1":
    import re
    import signal
    import time

    import importlib

    # Not "from banclassify.documents import extract": that name is the package's function.
    _extract = importlib.import_module("banclassify.documents.extract")
    from banclassify.documents import text as _text
    from banclassify.documents import units as _units

    _original = _text.read_text_file

    def misbehaving_read(path):
        content = open(path, "rb").read().decode("utf-8", "replace")
        asked = re.search(r"SLEEP-ME:(\d+(?:\.\d+)?)", content)
        if asked:
            time.sleep(float(asked.group(1)))
        if "HANG-ME" in content:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            while True:
                time.sleep(3600)
        if "KILL-ME:SIGKILL" in content:
            os.kill(os.getpid(), signal.SIGKILL)
        if "KILL-ME:SIGABRT" in content:
            os.abort()
        return _original(path)

    _text.read_text_file = _units.read_text_file = _extract.read_text_file = misbehaving_read
