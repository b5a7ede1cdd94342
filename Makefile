# KubeViz has two commands for people: `make run` and `make test`.
# Everything else here is a file target they depend on.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the tests need: a browser for Playwright, its driver, Firefox for
# tests/browser/test_firefox.py, Redis and PostgreSQL for tests/multiprocess/ (a
# throwaway server each, as docs/deploy.md runs several processes), and a font,
# which Chromium only recommends, so that screenshots show text.
SYSTEM_PACKAGES := chromium chromium-driver firefox-esr redis-server postgresql \
	fonts-liberation

.PHONY: run test

run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo
	@echo "KubeViz is running at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo
	$(BIN)/daphne -b $(HOST) -p $(PORT) kubeviz.asgi:application

test: $(VENV)/.installed-test
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/bin/chromedriver || missing="$$missing chromium-driver"; \
	test -x /usr/bin/firefox-esr || missing="$$missing firefox-esr"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing the Debian packages the tests need:$$missing"; \
			apt-get update && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES) || exit 1; \
		else \
			echo "make test needs these Debian packages:$$missing"; \
			echo "Install them as root, then run make test again:"; \
			echo "    sudo apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	KUBEVIZ_NO_SKIP=1 $(BIN)/pytest

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: apt-get install python3"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { \
		rm -rf $(VENV); \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); \
		else \
			echo "Creating a virtual environment failed: install python3-venv"; \
			echo "    sudo apt-get install -y python3-venv"; \
			exit 1; \
		fi; \
	}

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	@touch $@ $(VENV)/.installed-run
