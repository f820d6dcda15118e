"""Write the shipped model again in the current save format (classify.save_model), same contents.

Usage: python scripts/resave_model.py   (or: make resave-model)
Needed once after the save format changes (issue 20: uncompressed joblib); it also
records the new file's hash as the shipped one.
"""

from __future__ import annotations

from banclassify.classify import ClauseClassifier, default_model_path, read_card, save_model


def main() -> None:
    path = default_model_path()
    model = ClauseClassifier.load(path)
    save_model(model.pipeline, path, read_card(path))
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
