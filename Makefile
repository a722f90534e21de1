# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1:8000

.PHONY: run test install check-python lint chromium axe messages demo clean screens replica replica-stop loadtest

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "error: Python 3.11 or newer is required; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 | head -n 1)." >&2; \
	  echo "       Install a newer Python or run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }

$(VENV)/.installed: pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Migrate a SQLite database (or DATABASE_URL), load the demo data and serve on http://$(HOST),
# with a background-job worker and the scheduler beside the server; stopping the server stops
# them too.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	@echo "Serving the portal on http://$(HOST)/ with a job worker and the scheduler (Ctrl-C stops them)"
	@$(PY) manage.py run_worker --verbosity 0 & worker=$$!; \
	$(PY) manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

# Debian's Chromium for the browser tests; installed when missing (needs root or sudo).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# A streaming replica of the local PostgreSQL (127.0.0.1:5432) on 127.0.0.1:5433, for the
# read-replica tests: REPLICA_DATABASE_URL=$$(devtools/replica.sh url) DATABASE_URL=... make test
replica:
	devtools/replica.sh start

replica-stop:
	devtools/replica.sh stop

# Requests per second and latency under wrk against gunicorn on PostgreSQL and Redis
# (docs/PERFORMANCE.md, "Load test").
loadtest: install
	devtools/loadtest.sh
# axe-core for the browser tests' accessibility checks, from tests/browser/package-lock.json;
# installed only when missing, so `make test` keeps working offline once it is there.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE):
	@command -v npm >/dev/null || { echo "error: npm is needed once to install axe-core (apt-get install npm)." >&2; exit 1; }
	cd tests/browser && npm ci --no-audit --no-fund --silent
	touch $@

axe: $(AXE)

# Screenshots of the main pages at 1366 and 390 px into docs/screens/ (a demo database), with
# Debian's Noto CJK fonts so that Chinese text is drawn (installed when missing).
screens: install chromium
	@if ! fc-list :lang=zh | grep -q .; then \
	  echo "Installing Debian's fonts-noto-cjk for the screenshots..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	fi
	$(PY) devtools/screens.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install chromium axe
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0
	$(PY) -m pytest

messages: install
	$(PY) manage.py makemessages --locale zh_Hans --no-location --ignore '.venv/*' \
	  --ignore 'var/*' --ignore 'fixtures/*' --ignore 'tests/*' --ignore 'portal/static/*'
	$(PY) manage.py compilemessages --locale zh_Hans --ignore .venv --ignore var

clean:
	rm -rf $(VENV) var .pytest_cache
