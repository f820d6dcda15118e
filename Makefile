# Set-up and everyday tasks. Only Python 3.10+ and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install ocr-deps browser-deps bench-deps demo test screenshots train resave-model bench eval-real sample clean

install: $(STAMP)

# Tesseract reads scanned pages (OCR). It is a system package: installed here when
# apt-get can be used without a password; otherwise the tool still runs and says
# which pages it skipped.
ocr-deps:
	@command -v tesseract >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -q tesseract-ocr >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q tesseract-ocr >/dev/null 2>&1; } || echo "note: could not install tesseract-ocr; OCR of scanned pages is off"; \
	  else echo "note: tesseract is not installed; to read scanned pages: sudo apt-get install tesseract-ocr (or brew install tesseract)"; fi; }

# Headless Chromium renders the HTML reports in the test suite (tests/test_html_report.py);
# without it those browser tests are skipped and say why.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium chromium-driver >/dev/null 2>&1; } || echo "note: could not install chromium; the browser tests of the HTML report will be skipped"; \
	  else echo "note: chromium is not installed; the browser tests of the HTML report will be skipped (sudo apt-get install chromium)"; fi; }

# pdftotext (poppler-utils) is a baseline of the benchmark; without it that row is left out.
bench-deps:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -q poppler-utils >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q poppler-utils >/dev/null 2>&1; } || echo "note: could not install poppler-utils; the benchmark leaves pdftotext out"; \
	  else echo "note: pdftotext is not installed; the benchmark leaves it out (sudo apt-get install poppler-utils)"; fi; }

$(STAMP): pyproject.toml | ocr-deps browser-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/banclassify scan data/raw/sample_agenda_packet.pdf

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Refresh the README's screenshots of the HTML reports (docs/report-*.png) from the
# browser test; a plain test run writes them to bench/screenshots/ and leaves docs/ alone.
screenshots: $(STAMP)
	BANCLASSIFY_REFRESH_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_html_report.py -k screenshots

# Rebuilds the shipped model, its cards and shipped_model.sha256 from data/labeled/ alone.
# (A plain 'banclassify train' writes your own model in your data folder instead.)
train: $(STAMP)
	$(BIN)/banclassify train --replace-shipped

# The shipped model in the current save format (same contents); see scripts/resave_model.py.
resave-model: $(STAMP)
	$(BIN)/python scripts/resave_model.py

bench: $(STAMP) bench-deps
	$(BIN)/python bench/run.py

# The real-world development set (../shared/realdev or $$BANCLASSIFY_REALDEV): evaluation only.
eval-real: $(STAMP)
	$(BIN)/banclassify evaluate --realdev

sample: $(STAMP)
	$(BIN)/python scripts/make_sample.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
