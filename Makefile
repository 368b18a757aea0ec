# vidkit: `make demo` and `make test` do all set-up on a fresh machine (Python >= 3.11 needed).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
# The first Python >= 3.11 on PATH.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && { echo $$p; break; }; done)

# Wheels of packages that compile from source (llama-cpp-python: about 11 minutes on 2 cores)
# are kept here, so another clone or a new venv on the same machine does not rebuild them.
WHEELS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/vidkit/wheels
LLAMA_CPP := llama-cpp-python==0.3.36
PIP := $(BIN)/python -m pip --disable-pip-version-check
# Root installs Debian packages directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test models lint typecheck unit notebooks chromium serve studio clean help

help:
	@echo "make demo   set up, fetch models, render the example project to var/renders/"
	@echo "make test   set up, fetch models, then lint, type-check and run every test"
	@echo "make serve  run the HTTP API on 127.0.0.1 (see config.toml)"
	@echo "make studio run the studio web app (Voila) on 127.0.0.1"

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: vidkit needs Python 3.11 or newer on PATH" \
		"(Debian: apt-get install python3 python3-venv; macOS: brew install python@3.12)"; exit 1; }
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@mkdir -p "$(WHEELS)"
	@ls "$(WHEELS)"/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || echo "building" \
		"$(LLAMA_CPP) once (about 11 minutes on 2 cores); the wheel is kept in $(WHEELS)"
	CMAKE_ARGS="$${CMAKE_ARGS:--DGGML_NATIVE=OFF}" $(PIP) wheel --quiet --no-deps \
		--find-links "$(WHEELS)" --wheel-dir "$(WHEELS)" '$(LLAMA_CPP)'
	$(PIP) install --quiet --find-links "$(WHEELS)" -e '.[dev]'
	@touch $@

models: $(BIN)/.installed
	$(BIN)/vidkit -c config.toml models fetch

demo: models
	$(BIN)/vidkit -c config.toml projects import data/example/project.toml --replace
	$(BIN)/vidkit -c config.toml render list-comprehensions
	@echo
	@echo "Your video: $(CURDIR)/var/renders/list-comprehensions.mp4"
	@echo "Captions and chapters are next to it (.srt, .vtt, .chapters.txt)."
	@echo "Edit a scene (vidkit scenes update ...) and run make demo again: only that scene re-renders."

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

# Browser tests drive Chromium: Debian's package where apt exists, else Playwright's own build.
chromium: $(BIN)/.installed
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else $(BIN)/playwright install chromium; fi

# Test processes in parallel (pytest-xdist); each loads its own models, about 2 GB.
TEST_WORKERS ?= 2

unit: models chromium
	$(BIN)/pytest -n $(TEST_WORKERS)

notebooks: models
	$(BIN)/pytest --nbval notebooks

test: lint typecheck unit notebooks

serve: $(BIN)/.installed
	$(BIN)/vidkit -c config.toml serve

studio: models
	$(BIN)/python -m widgets.serve --config config.toml

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
