# Set-up and everyday tasks. Only Python 3.10+ and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install ocr-deps demo test train bench eval-real sample clean

install: $(STAMP)

# Tesseract reads scanned pages (OCR). It is a system package: installed here when
# apt-get can be used without a password; otherwise the tool still runs and says
# which pages it skipped.
ocr-deps:
	@command -v tesseract >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -q tesseract-ocr >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q tesseract-ocr >/dev/null 2>&1; } || echo "note: could not install tesseract-ocr; OCR of scanned pages is off"; \
	  else echo "note: tesseract is not installed; to read scanned pages: sudo apt-get install tesseract-ocr (or brew install tesseract)"; fi; }

$(STAMP): pyproject.toml | ocr-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/banclassify scan data/raw/sample_agenda_packet.pdf

test: $(STAMP)
	$(BIN)/python -m pytest -q

train: $(STAMP)
	$(BIN)/banclassify train

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The real-world development set (../shared/realdev or $$BANCLASSIFY_REALDEV): evaluation only.
eval-real: $(STAMP)
	$(BIN)/banclassify evaluate --realdev

sample: $(STAMP)
	$(BIN)/python scripts/make_sample.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
