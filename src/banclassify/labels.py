"""The label set of ../shared/LABELS.md and its document-level precedence."""

from __future__ import annotations

# Order of strength for a document's summary (LABELS.md, "Document level").
LABELS_BY_STRENGTH: tuple[str, ...] = (
    "full_ban",
    "moratorium",
    "realtime_ban",
    "consent_requirement",
    "oversight_policy",
    "none",
)
LABELS: tuple[str, ...] = tuple(sorted(LABELS_BY_STRENGTH))
OPERATIVE_LABELS: tuple[str, ...] = tuple(label for label in LABELS_BY_STRENGTH if label != "none")

# A rule the model gives less than this confidence is reported as none. Chosen on the
# real-world development documents (``banclassify evaluate --realdev``), not on the
# project's own test split: see the README's model section.
DEFAULT_MIN_CONFIDENCE = 0.5


def is_label(value: object) -> bool:
    return isinstance(value, str) and value in LABELS_BY_STRENGTH


def strongest(labels: set[str] | list[str]) -> str:
    """The strongest of ``labels`` in the LABELS.md order; ``none`` when empty."""
    present = set(labels)
    for label in LABELS_BY_STRENGTH:
        if label in present:
            return label
    return "none"
