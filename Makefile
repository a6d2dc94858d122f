# Two commands for a new machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
MANAGE := $(BIN)/python manage.py
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# The real-worker tests (tests/outbox/test_worker.py) use this Redis db as their broker.
CELERY_TEST_BROKER_URL ?= redis://127.0.0.1:6379/14
# Where `make run` and `make serve` listen: `make run PORT=8103` when 8000 is taken.
PORT ?= 8000

.PHONY: run serve worker beat test test-postgres browser-test lint install install-dev chromium wrk bench bench-pages loadtest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Create the venv, install, migrate, seed 1,500 demo therapists on an empty database (about 15 s), serve.
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --if-empty --therapists 1500 --reviews 15000
	$(MANAGE) runserver 127.0.0.1:$(PORT)

serve: install
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# A Celery worker and the beat scheduler (outbox sweep, daily jobs). Both need a broker: REDIS_URL
# or CELERY_BROKER_URL. Without one, `make run` sends emails in-process and needs neither.
worker: install
	@[ -n "$$CELERY_BROKER_URL$$REDIS_URL" ] || { echo "make worker needs REDIS_URL or CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0" >&2; exit 2; }
	$(BIN)/celery -A directory worker --loglevel INFO

beat: install
	@[ -n "$$CELERY_BROKER_URL$$REDIS_URL" ] || { echo "make beat needs REDIS_URL or CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0" >&2; exit 2; }
	@mkdir -p var
	$(BIN)/celery -A directory beat --loglevel INFO --schedule var/celerybeat-schedule

# The whole suite on the zero-configuration SQLite database (browser tests have their own target).
test: install-dev
	$(BIN)/pytest -q || { status=$$?; [ $$status -ne 5 ] || echo "pytest ran no test" >&2; exit $$status; }

# The same suite against the machine's PostgreSQL (CI runs this too).
# With REDIS_URL, so the rate limits are tested against the shared cache they use in production.
test-postgres: install-dev
	DATABASE_URL=$(POSTGRES_URL) REDIS_URL=$(REDIS_TEST_URL) CELERY_TEST_BROKER_URL=$(CELERY_TEST_BROKER_URL) \
	  REQUIRE_WORKER_TESTS=1 $(BIN)/pytest -q || \
	  { status=$$?; [ $$status -ne 5 ] || echo "pytest ran no test" >&2; exit $$status; }

# Debian's Chromium, never a downloaded browser build.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

browser-test: install-dev chromium
	$(BIN)/pytest -q -m browser || { status=$$?; [ $$status -ne 5 ] || echo "pytest ran no test" >&2; exit $$status; }

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(MANAGE) makemigrations --check --dry-run

# Debian's wrk, the loopback load generator of the benchmark (see bench/README.md).
wrk:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)

# Traffic like a live site's (thousands of searches and profiles, logged in, with writes) on PostgreSQL
# 100k therapists / 1M reviews (DATABASE_URL or .../bench); BENCH_ARGS=--smoke for a few seconds on SQLite.
bench: install-dev wrk
	$(BIN)/python bench/traffic.py $(BENCH_ARGS)

# One URL per page, again and again: query counts, plans, and the cache-hit ceiling of each page.
bench-pages: install-dev wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)

loadtest: install-dev
	$(BIN)/python bench/load_faults.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
