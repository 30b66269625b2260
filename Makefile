# nhandao: two commands on a fresh machine.
#   make run   install into .venv, load the demo data on SQLite, start on $(PORT)
#   make test  install what the tests need and run the whole suite
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test test-fast install assets lint browser-deps bench-quick clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.installed

install: $(STAMP) node_modules/.installed

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo --url http://127.0.0.1:$(PORT)/
	@# The background-job worker (imports, duplicate searches) runs beside the web server.
	$(PY) manage.py db_worker > var/worker.log 2>&1 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 0.0.0.0:$(PORT)

# The whole suite (browser tests included when Debian chromium is present: see browser-deps).
test: install browser-deps
	$(PY) -m pytest -q -n 2

# A developer's quick loop: no browser tests.
test-fast: install
	$(PY) -m pytest -q -n 2 -m "not browser"

# Debian's chromium and chromedriver for the browser tests (never a downloaded browser).
# A machine whose package lists are missing or stale gets them refreshed once, then installs.
APT_CHROMIUM := apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null
browser-deps:
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && \
	  ($(APT_CHROMIUM) 2>&1 || (apt-get update -qq && $(APT_CHROMIUM)) || \
	   (sudo apt-get update -qq && sudo $(APT_CHROMIUM))))

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy src
	$(PY) manage.py makemigrations --check --dry-run

bench-quick: install
	$(PY) -m bench.tree --quick

clean:
	rm -rf $(VENV) node_modules staticfiles
