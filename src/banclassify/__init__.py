"""banclassify: find and label surveillance-technology rules in council documents.

The pipeline, one module per stage: ``extract`` -> ``layout`` -> ``segment`` ->
``normalise`` -> ``classify`` -> ``report``; ``scan`` runs them on one file.
This module stays import-light so that ``banclassify --help`` starts fast.
"""

__version__ = "0.1.0"
