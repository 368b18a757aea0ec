# vidkit: `make demo` and `make test` do all set-up on a fresh machine (Python >= 3.11 needed).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
# The first Python >= 3.11 on PATH.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && { echo $$p; break; }; done)

.PHONY: demo test models lint typecheck unit serve clean help

help:
	@echo "make demo   set up, fetch models, render the example project to var/renders/"
	@echo "make test   set up, fetch models, then lint, type-check and run every test"
	@echo "make serve  run the HTTP API on 127.0.0.1 (see config.toml)"

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: vidkit needs Python 3.11 or newer on PATH" \
		"(Debian: apt-get install python3 python3-venv; macOS: brew install python@3.12)"; exit 1; }
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
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

unit: models
	$(BIN)/pytest

test: lint typecheck unit

serve: $(BIN)/.installed
	$(BIN)/vidkit -c config.toml serve

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
