# The two set-up commands of the README: `make run` and `make test`.
# Both work on a fresh machine: they create .venv, install what is needed and go.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := libmariadb-dev pkg-config gettext
MARIADB_URL ?= mysql://root@127.0.0.1:3306/now_portal

.PHONY: run test test-fast test-mariadb screenshots system-deps assets venv-dev venv-prod migrate demo lambda-package clean

# Build tools for mysqlclient (and gettext for the translation checks), when missing.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Please install:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

# The KERN design system, from the npm registry, served as static files.
assets: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv-prod: system-deps $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

venv-dev: system-deps $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

migrate:
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py seed_demo

run: venv-prod assets demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: venv-dev assets
	$(BIN)/pytest -rs

test-mariadb: venv-dev assets
	DATABASE_URL=$(MARIADB_URL) $(BIN)/pytest -rs

# docs/screenshots (shown in the README), refreshed from the browser journeys: the key
# pages at phone and desktop width. Replaced only when every journey has passed.
CHROMIUM_PATH ?= /usr/bin/chromium
SHOTS := build/screenshots-key
screenshots: venv-dev assets
	@test -x $(CHROMIUM_PATH) || { echo "make screenshots needs Chromium at $(CHROMIUM_PATH): apt-get install chromium"; exit 1; }
	rm -rf $(SHOTS)
	SCREENSHOT_SET=key SCREENSHOT_DIR=$(SHOTS) CHROMIUM_PATH=$(CHROMIUM_PATH) $(BIN)/pytest -q -m browser \
	  tests/browser/test_import_and_registration_journey.py tests/browser/test_report_journeys.py
	mkdir -p docs/screenshots
	rm -f docs/screenshots/*.png
	cp $(SHOTS)/*.png docs/screenshots/
	@ls -s docs/screenshots

# Without the slow tests (the Lambda package build, the browser journeys): while working.
test-fast: venv-dev assets
	$(BIN)/pytest -rs -m "not slow and not browser"

# The Lambda package of a stage (docs/deploy.md), without deploying it.
STAGE ?= dev
lambda-package: assets
	$(PYTHON) deploy/lambda_venv.py package $(STAGE) build/now-portal-$(STAGE).zip

clean:
	rm -rf $(VENV) node_modules staticfiles build
