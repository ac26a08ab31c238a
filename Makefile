# Liquidity Watch. `make site` builds the whole site offline; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test prerequisites serve update check golden fixtures bench clean

$(VENV)/.runtime: pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.txt -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -c requirements.txt -e '.[test]'
	touch $@

# What `make test` needs beyond Python and make, checked first so a missing one is one line,
# not a failure ten minutes in (.ci/run installs both on Debian).
prerequisites:
	@command -v npm >/dev/null || { echo "make test needs npm (for the chart libraries, axe-core and Lighthouse): apt-get install npm"; exit 2; }
	@test -x /usr/bin/chromium || { echo "make test needs Debian's Chromium at /usr/bin/chromium (the browser tests download none): apt-get install chromium"; exit 2; }

# The site's chart libraries (vega, vega-lite, vega-embed: copied into the site by `build`),
# axe-core (browser tests) and Lighthouse (bench), at the versions package-lock.json pins.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

## site: check the config, then build the whole site from the snapshot into public/ (offline);
## every built page then gets its Content-Security-Policy (`generator csp`, after the theme)
site: $(VENV)/.runtime node_modules/.package-lock.json
	$(BIN)/python -m generator check
	$(BIN)/python -m generator build
	rm -rf public.new public.old
	$(BIN)/mkdocs build --strict --quiet --site-dir public.new
	$(BIN)/python -m generator csp public.new
	if [ -d public ]; then mv public public.old; fi
	mv public.new public
	rm -rf public.old
	@echo ""
	@echo "Built public/. View it with:  make serve   (or: python3 -m http.server -d public 8000)"

## test: install what the tests need; lint, format check, type check, every test (browser too).
## Python may keep bytecode here even where the environment says not to: the suite starts a
## dozen interpreters (workers, the early build, the nested pytest), each ~1 s faster with it.
test: prerequisites $(VENV)/.test node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check generator tests bench tools
	$(BIN)/mypy
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n auto --dist loadgroup

## serve: preview locally on http://127.0.0.1:8000 with live reload
serve: $(VENV)/.runtime node_modules/.package-lock.json
	$(BIN)/python -m generator build
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

## update: fetch new observations (needs FRED_API_KEY)
update: $(VENV)/.runtime
	$(BIN)/python -m generator update

## check: validate indicators.yml, events.yml and the snapshot together
check: $(VENV)/.runtime
	$(BIN)/python -m generator check

## golden: regenerate golden files (rendered Markdown, chart specs); review the diff
golden: $(VENV)/.test
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q -m golden

## fixtures: refresh the frozen copy the tests read (tests/fixtures/project/) from indicators.yml,
## events.yml and data/ cut at a fixed date; then `make golden` and review both diffs
fixtures: $(VENV)/.runtime
	$(BIN)/python tools/freeze_fixtures.py

## bench: build cost, scale, page weight, time to charts, determinism, first view (gzip), Lighthouse
bench: $(VENV)/.test node_modules/.package-lock.json
	$(BIN)/python bench/run.py

clean:
	rm -rf public site/index.md site/data-status.md site/revisions.md site/indicators site/charts site/data site/api site/downloads site/embed site/feed_*.xml site/feed_*.json
