# lossbook: the entry points. `make book` and `make test` are all a newcomer needs;
# each creates .venv on first use and refreshes it when requirements.txt changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB_FLAGS := -W -n --keep-going

.PHONY: help check book test portable notebooks lab serve bench clean

help:  ## list the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# Where torch comes from. Empty: the package index pip is configured with. On Linux, PyPI's
# torch wheel is the multi-GB CUDA build; PyTorch's CPU-only wheels are on its own index:
#   make book TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=
TORCH_PIN := $(shell grep -E '^torch==' requirements.txt)

# The environment: made once, remade only when the pins or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ needed, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(TORCH_INDEX),$(BIN)/python -m pip install --quiet --index-url $(TORCH_INDEX) "$(TORCH_PIN)")
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

check: $(STAMP)  ## lint and format check, then the package's tests and doctests (seconds, no book)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest tests lossbook -m "not slow and not browser" -q

book: $(STAMP)  ## build the HTML book into _build/html (warnings are errors)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "Open _build/html/index.html, or run 'make serve'."

test: check book  ## check, build the book, then every test: the CPU-path matrix, package, strict nbval, built site
	$(BIN)/python tools/portable.py $(MATRIX)
	$(BIN)/python -m pytest

# The CPU-path matrix inside `make test`: the configurations that simulate other CPUs
# (the native one is the plain nbval run of pytest). `make portable` runs all four.
MATRIX := --config avx2 --config compatible --config avx512

portable: $(STAMP)  ## strict nbval on every chapter under each simulated CPU path; prints a table
	$(BIN)/python tools/portable.py

notebooks: $(STAMP)  ## re-execute every chapter in place, top to bottom in a fresh kernel
	$(BIN)/python tools/run_notebooks.py book/*.ipynb

lab: $(STAMP)  ## open the chapters in JupyterLab (installs it on first use)
	test -x $(BIN)/jupyter-lab || $(BIN)/python -m pip install --quiet jupyterlab
	$(BIN)/jupyter-lab book/

serve:  ## serve the built book on http://localhost:8000
	test -f _build/html/index.html || $(MAKE) book
	$(PYTHON) -m http.server --directory _build/html --bind 127.0.0.1 8000

bench: $(STAMP)  ## print the benchmark tables
	$(BIN)/python benchmarks/run.py

clean:  ## remove the built book and caches (keeps .venv)
	rm -rf _build .pytest_cache .hypothesis test-artifacts
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
