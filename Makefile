# Respond to a cyber alert. `make run` serves the whole service; `make test` runs every check.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV_PY := .venv/bin/python
MANAGE := $(VENV_PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The address `make run` serves: every link it prints, and the pages' and emails' links (set SITE_URL to override,
# e.g. behind a proxy). Given to each command below rather than exported, so that `make test` keeps its own.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install install-python install-node assets migrate demo-data serve lint typecheck check-deploy chromium clean bench-bulk bench-fanout bench-fanout-kill bench-reports profile-page bench-api fuzz-api bench-groups bench-imports fuzz load-test fault-test

run: install assets migrate demo-data ## Install everything, load demo data and serve web + worker
	@SITE_URL="$(SITE_URL)" scripts/serve.sh $(HOST) $(PORT)

test: install assets chromium lint typecheck ## Install what tests need and run the whole suite
	APP_ENV=test $(VENV_PY) -m pytest

install: install-python install-node

# Compiled at install, as the container image is (UV_COMPILE_BYTECODE): where PYTHONDONTWRITEBYTECODE is set, every
# process would otherwise compile each library it imports, about 1.5 s and 10 MB more for each web or worker process.
install-python: .venv/.installed
.venv/.installed: pyproject.toml uv.lock .python-version
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV) sync --frozen --compile-bytecode
	@touch $@

install-node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: assets/build/css/main.css
assets/build/css/main.css: node_modules/.installed $(wildcard assets/scss/*.scss) $(wildcard assets/js/*.js) $(wildcard assets/css/*.css) scripts/build-assets.mjs
	npm run --silent build

migrate: install-python
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

demo-data: install-python
	SITE_URL="$(SITE_URL)" $(MANAGE) seed_demo

lint: install-python
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	APP_ENV=test $(MANAGE) makemigrations --check --dry-run

typecheck: install-python
	APP_ENV=test .venv/bin/mypy

check-deploy: install-python
	APP_ENV=production SECRET_KEY=$$(printf 'x%.0s' {1..64})-check ALLOWED_HOSTS=cyber-alerts.example.nhs.uk \
		$(MANAGE) check --deploy --fail-level WARNING

ORGS ?= 500
bench-bulk: install-python ## Time one bulk response for ORGS organisations on a throwaway database
	.venv/bin/python scripts/bench_bulk.py --orgs $(ORGS)

bench-api: install-python ## Time the REST API (the alerts list p95, a bulk response for ORGS organisations) and TAXII objects
	$(VENV_PY) scripts/bench_api.py --orgs $(ORGS)

FUZZ_API_EXAMPLES ?= 300
fuzz-api: install-python ## Schemathesis over the whole OpenAPI document, FUZZ_API_EXAMPLES cases per operation
	FUZZ_API_EXAMPLES=$(FUZZ_API_EXAMPLES) APP_ENV=test $(VENV_PY) -m pytest tests/api/test_api_fuzz.py -p no:cacheprovider

RECIPIENTS ?= 10000
bench-fanout: install-python ## Publish one alert to RECIPIENTS people and send every notification through a local Notify
	$(VENV_PY) scripts/bench_fanout.py --recipients $(RECIPIENTS)

bench-fanout-kill: install-python ## The same with a worker killed mid-run: how soon its claimed messages go out
	$(VENV_PY) scripts/bench_fanout.py --kill --recipients 3000

POSTS ?= 2000
MEMBERS ?= 300
bench-groups: install-python ## A closed incident group with POSTS posts and MEMBERS members: queries of its pages, and page time
	$(VENV_PY) scripts/bench_groups.py --posts $(POSTS) --members $(MEMBERS)

SCALE ?= 1
bench-reports: install-python ## Generate a national-scale data set on PostgreSQL (SCALE=0.1 for a tenth) and time the reports and exports
	$(VENV_PY) scripts/bench_reports.py --scale $(SCALE)

PAGE ?= home
profile-page: install-python ## Where a page's time goes on the bench-reports data (PAGE=home|alert|organisation|index|over-time|static, ARGS=--queries|--profile|--again)
	$(VENV_PY) scripts/profile_page.py $(PAGE) $(ARGS)

ROWS ?= 64000
bench-imports: install-python ## Time the mandated-list (XLSX, CSV) and ODS imports of ROWS rows on a throwaway database
	$(VENV_PY) scripts/bench_imports.py --rows $(ROWS)

FUZZ_EXAMPLES ?= 250
FUZZ_WORKERS ?= 2
fuzz: install-python ## The generated-input tests with the long budget (FUZZ_EXAMPLES each, FUZZ_WORKERS processes); last line RESULT cases=…
	@rm -f var/fuzz-ledger.json; mkdir -p var
	@status=0; FUZZ_LEDGER=var/fuzz-ledger.json HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) APP_ENV=test \
		$(VENV_PY) -m pytest tests/fuzz -q -n $(FUZZ_WORKERS) -W ignore::hypothesis.errors.HypothesisWarning || status=$$?; \
		$(VENV_PY) scripts/fuzz_result.py var/fuzz-ledger.json; exit $$status

USERS ?= 100
MINUTES ?= 10
load-test: install-python ## locust, USERS people for MINUTES, against the production process set it starts (PostgreSQL); last line RESULT users=…
	$(VENV_PY) scripts/load_test.py --users $(USERS) --minutes $(MINUTES) --scale $(SCALE) --recipients $(RECIPIENTS)

fault-test: install-python ## Faults mid-fan-out against its own PostgreSQL, Redis, Notify and process set; RESULT lines
	$(VENV_PY) scripts/fault_test.py

chromium: ## Browser tests drive Debian's Chromium; never a downloaded browser
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

clean:
	rm -rf .venv node_modules assets/build var
