"""Where the user's own data lives: the clauses they labelled and the models they trained.

It has one home, whatever the working directory: the folder given with
``--project DIR`` to a command of the retraining loop (annotate, import, train,
evaluate), else the user data directory (``userdirs.data_dir()``:
``$BANCLASSIFY_DATA_DIR``, else ``$XDG_DATA_HOME/banclassify``, else
``~/.local/share/banclassify``). The shipped corpus (``data/labeled/``) is never
written to; ``train`` reads it and the user's additions side by side.

Layout of a project folder (the user data directory has the same)::

    labeled/annotations.jsonl    answers given in ``annotate``
    labeled/corrections.jsonl    labels added by ``import``
    labeled/*.jsonl              any other labelled file put there; ``test*.jsonl`` are held out
    models/banclassify.joblib    the model ``train`` writes, with its cards

The trust file of trained models stays in the user data directory even with
``--project``: a project folder may be shared, and must not decide which pickles
load on this account.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .userdirs import data_dir


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def at(cls, directory: str | Path | None = None) -> "Project":
        """``directory`` (``--project``), else the user data directory."""
        return cls(Path(directory) if directory else data_dir())

    @property
    def labeled(self) -> Path:
        return self.root / "labeled"

    @property
    def annotations(self) -> Path:
        return self.labeled / "annotations.jsonl"

    @property
    def corrections(self) -> Path:
        return self.labeled / "corrections.jsonl"

    @property
    def model(self) -> Path:
        from .classify import MODEL_FILENAME

        return self.root / "models" / MODEL_FILENAME

    def _labelled_files(self) -> list[Path]:
        if not self.labeled.is_dir():
            return []
        return sorted(p for p in self.labeled.glob("*.jsonl") if p.is_file() and not p.name.startswith("."))

    def training_files(self) -> list[Path]:
        from .corpus import is_test_file

        return [p for p in self._labelled_files() if not is_test_file(p)]

    def test_files(self) -> list[Path]:
        from .corpus import is_test_file

        return [p for p in self._labelled_files() if is_test_file(p)]
