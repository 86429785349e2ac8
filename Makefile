# Two commands set everything up on a fresh machine (Python 3.10+, make, Node.js):
#   make serve   build the site and serve it with live reload on 127.0.0.1:8000
#   make test    lint, every snippet, every code block, the maths, a strict build
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
NODE_STAMP := node_modules/.package-lock.json
CHROMIUM ?= /usr/bin/chromium

export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Builds stamp the last commit's date (sitemap.xml), not today's: reproducible.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: install serve site test lint format bench clean

install: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; $(PYTHON) is " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are needed: KaTeX renders the maths at build time" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium" >&2; exit 1; \
	fi

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# Built next to site/ and moved into place only when the strict build passes,
# so a failing build never leaves a half-written site behind.
site: install
	rm -rf site.partial
	$(BIN)/mkdocs build --strict --site-dir site.partial
	rm -rf site && mv site.partial site

# The Python code, and the GitHub workflows: actionlint (syntax, expressions, the
# shell of each `run:` with shellcheck) and zizmor (security; offline: no GitHub
# API, its configuration in .github/zizmor.yml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck
	$(BIN)/zizmor --offline --no-progress .github

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

# Figures, not pass/fail: build times against the import floor, the make test
# time, reproducibility across two clones, and Lighthouse on every page.
bench: site $(CHROMIUM) tools/bench/node_modules/.package-lock.json
	$(BIN)/python tools/bench/bench.py

tools/bench/node_modules/.package-lock.json: tools/bench/package.json tools/bench/package-lock.json
	cd tools/bench && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf site site.partial .cache .pytest_cache .ruff_cache
