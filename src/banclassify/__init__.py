"""banclassify: find and label surveillance-technology rules in council documents.

The Python API (documented in the README, "Python API")::

    import banclassify
    result = banclassify.scan("packet.pdf")            # -> ScanResult
    banclassify.classify(["No department shall ..."])  # -> list[Prediction]

Names are imported on first use (module ``__getattr__``), so that ``import
banclassify`` and ``banclassify --help`` stay fast and light: neither
scikit-learn nor spaCy is loaded until a model is.

The pipeline, one module per stage: ``documents`` (extract) -> ``segment`` ->
``normalise`` -> ``classify`` -> ``report``; ``scan`` runs them on one file.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Exported name -> the module that defines it.
_EXPORTS = {
    "scan": "api",
    "classify": "api",
    "batch": "api",
    "load_model": "api",
    "BatchItem": "api",
    "ReadOptions": "documents.options",
    "ScanResult": "scan",
    "ClauseResult": "scan",
    "Prediction": "classify",
    "BanclassifyError": "errors",
    "InputError": "errors",
    "ModelError": "errors",
    "DataError": "errors",
    "LABELS": "labels",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'banclassify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package module, with one rule: an API function keeps its name.

    Importing a submodule sets it as an attribute of its package, and three
    submodules share a name with the functions of the API (``scan``,
    ``classify``, ``batch``): ``banclassify.scan`` must stay the function.
    The submodules stay importable as usual (``from banclassify.scan import ...``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == "api":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # for type checkers and editors; never run
    from .api import BatchItem, batch, classify, load_model, scan
    from .classify import Prediction
    from .documents.options import ReadOptions
    from .errors import BanclassifyError, DataError, InputError, ModelError
    from .labels import LABELS
    from .scan import ClauseResult, ScanResult
