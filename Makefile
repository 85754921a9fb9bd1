# `make run` starts the demo portal, `make test` runs the checks and the tests (README.md).
# Needs only Python 3.11+; everything else goes into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test lint clean

$(BIN)/python: | .env
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed ($(PYTHON) is missing or older); try make PYTHON=python3.11 …" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# This checkout's secret key for development, so that `manage.py` works by hand (settings.py).
.env:
	@$(PYTHON) -c 'import secrets; print("DJANGO_SECRET_KEY=" + secrets.token_urlsafe(50))' > $@

# Stamps: reinstall only when a requirements file changes.
$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	@echo "Installing requirements.txt into $(VENV) …"
	@$(PIP) -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	@echo "Installing requirements-dev.txt into $(VENV) …"
	@$(PIP) -r requirements-dev.txt
	@touch $@

# The demo: demo mode unless already set, DEBUG off (the portal's own error pages; DJANGO_DEBUG=true
# for Django's debug pages); DATABASE_URL / REDIS_URL pass through. Another port:
# make run PORTAL_DEV_ADDRESS=127.0.0.1:9000 (the links in its emails follow, settings.SITE_URL).
# The demo accounts are connected to the simulated platforms, which devrun serves on the portal's
# port + 100 … + 105, and a first sync is queued (README, "Capturing the platforms").
run: $(VENV)/.installed-run
	@export DJANGO_DEBUG="$${DJANGO_DEBUG:-false}" PORTAL_DEMO="$${PORTAL_DEMO:-true}" \
		&& $(BIN)/python manage.py migrate --noinput \
		&& $(BIN)/python manage.py seed_demo \
		&& $(BIN)/python manage.py connect_demo_accounts \
		&& exec $(BIN)/python -m devtools.devrun

# make test ARGS="-k heartbeat -x"
# ruff's rules include the security scan; import-linter checks which app may import which (README,
# "How the code is laid out"); (S, flake8-bandit: pyproject.toml); then Django's deploy
# check with a production environment and nothing else (README, "Running it safely").
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@env -i PATH="$$PATH" LANG=C.UTF-8 PORTAL_VAR_DIR="$(CURDIR)/var" DJANGO_ALLOWED_HOSTS=some.falkoping.se \
		DATABASE_URL=postgres://some@127.0.0.1/falkoping_some REDIS_URL=redis://127.0.0.1:6379/0 \
		DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		PORTAL_CAPTURE_KEYS="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python -m devtools.testenv $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

clean:
	rm -rf var $(VENV)

# wrk, the load client of `make load` and `make bench` (bench/README.md): installed when it is missing
# and this is root with apt-get (Debian, as on the project's machines). Elsewhere, or if apt-get
# fails, the benchmarks measure with their Python client (bench/httpload.py) and say so. Nothing is
# installed when BENCH_WRK names another binary (BENCH_WRK=none: the Python client).
.PHONY: wrk
wrk:
	@if [ "$${BENCH_WRK:-wrk}" = wrk ] && ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing wrk (apt-get) …"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -q wrk >/dev/null 2>&1 \
				|| { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wrk >/dev/null 2>&1; } \
				|| echo "apt-get could not install wrk: the Python client measures instead."; \
		else \
			echo "wrk is missing (sudo apt-get install -y wrk): the Python client measures instead."; \
		fi; \
	fi

# The load test: gunicorn with the production settings, wrk on loopback (bench/README.md).
.PHONY: load
load: $(VENV)/.installed-run wrk
	$(BIN)/python bench/load.py

# The performance benchmarks at N = 1,000, 10,000 and 100,000 accounts (bench/README.md):
# make bench, or make bench BENCH_ARGS="--sizes 1000,10000 --only checks"
.PHONY: bench
# The portal's benchmarks, then the capture's (bench/README.md), each against its limits.
bench: $(VENV)/.installed-dev wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/capture_bench.py $(CAPTURE_ARGS)

# The capture benchmarks (issue 18, bench/README.md "Capture"): ingest, two workers, archive and search.
# make bench-capture, or make bench-capture CAPTURE_ARGS="--only ingest --items 20000"
# (BENCH_CAPTURE_ITEMS, _CONNECTIONS, _ARCHIVE_ITEMS and _SEARCH_ITEMS set the sizes of a quick run).
.PHONY: bench-capture
bench-capture: $(VENV)/.installed-dev
	$(BIN)/python bench/capture_bench.py $(CAPTURE_ARGS)
