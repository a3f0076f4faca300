# Accord: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
CHROMIUM ?= /usr/bin/chromium
# `make test` only: a fixed key, so tests never touch a real one.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-not-secret} DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: pango nginx run test install install-test serve demo migrate lint format messages clean bench-live bench-indicators bench-report bench-history

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip uv

# WeasyPrint (the report's PDF) draws text with Pango and fonts from the system.
PANGO_CHECK := ldconfig -p | grep -q libpangoft2-1.0.so.0 && fc-list | grep -q .

pango:
	@$(PANGO_CHECK) || { \
		echo "Installing Pango and fonts for the PDF reports"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python pango
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python pango
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[test]"
	touch $(VENV)/.installed $@

# tests/test_deploy.py runs Debian's nginx in front of gunicorn and uvicorn, with its own
# configuration, ports, logs and temporary files. Installed only where missing, and without
# starting the package's own service (the policy-rc.d that Debian's maintainer scripts ask
# says no, and on systemd the unit is disabled), so nothing is left listening on port 80.
NGINX ?= /usr/sbin/nginx

nginx:
	@test -x $(NGINX) || { \
		echo "Installing Debian's nginx for the deployment test (its service is not started)"; \
		policy=/usr/sbin/policy-rc.d; \
		if test ! -e $$policy; then \
			printf '#!/bin/sh\nexit 101\n' > $$policy && chmod 755 $$policy; \
			trap 'rm -f '$$policy EXIT; \
		fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx && \
		if test -d /run/systemd/system; then systemctl disable --quiet nginx; fi; }

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test node_modules/axe-core/axe.min.js nginx
	@test -x $(CHROMIUM) || { \
		echo "Installing Debian's Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

migrate: install
	$(BIN)/python manage.py migrate --verbosity 0

demo: migrate
	$(BIN)/python manage.py seed_demo

# HOST and PORT reach Django too: without SITE_URL, links in emails follow them.
RUN_ENV := HOST=$(HOST) PORT=$(PORT)

# The scheduler (digests, idle meetings, closing check-ins, clean-ups) runs beside uvicorn
# and stops with it: when uvicorn exits, or on Ctrl-C or SIGTERM.
run: demo
	@echo
	@echo "  Accord is at $$($(RUN_ENV) $(BIN)/python -c 'from accord.env import site_url; print(site_url())')/"
	@echo "  Sign in as the demo coordinator: dana@harvest-food.example / accord-demo"
	@echo
	$(RUN_ENV) $(BIN)/python manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(RUN_ENV) $(BIN)/uvicorn accord.asgi:application --host $(HOST) --port $(PORT) --no-access-log

test: install-test
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# 300 participants over two uvicorn processes, Redis and PostgreSQL (both must be running):
# see docs/performance.md. BENCH_ARGS="--help" lists the options.
bench-live: install
	$(BIN)/python -m bench.live_meeting $(BENCH_ARGS)

# The indicator pages beside a minimal Django page, served by gunicorn against PostgreSQL
# (which must be running): see docs/performance.md.
bench-indicators: install
	$(BIN)/python -m bench.indicators $(BENCH_ARGS)

# The demo review's PDF beside a one-page PDF, in one process: see docs/performance.md.
bench-report: install
	$(BIN)/python -m bench.report_pdf $(BENCH_ARGS)

# 200 alliances, one with ten years of history: every page its member opens beside a signed-in
# minimal page, the report's PDF, the export and import, a day of the scheduler; served by
# gunicorn against PostgreSQL and Redis (both must be running): see docs/performance.md.
# BENCH_ARGS="--quick" for a short run, "--help" for the options.
bench-history: install
	$(BIN)/python -m bench.history $(BENCH_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djlint templates --lint

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# After changing user-facing text: update every language's catalogue, translate, then compile.
# LOCALE=fr starts (or updates only) one language's catalogue: see CONTRIBUTING.md.
messages: install
	$(BIN)/python manage.py makemessages $(if $(LOCALE),-l $(LOCALE),--all) \
		--ignore=.venv --ignore=node_modules --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) node_modules staticfiles
