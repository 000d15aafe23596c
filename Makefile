# Boiduong: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
DEV_ENV := BOIDUONG_ENV=development
STAMP := $(VENV)/.installed-stamp
CATALOGS := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test install db legal courses demo check-courses import-courses translations \
        extract-messages lint bench clean fuzz

run: install translations db legal courses demo  ## set up everything and serve http://127.0.0.1:5000
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port 5000

# The suite runs on PYTEST_WORKERS processes (pytest-xdist; `make test PYTEST_WORKERS=0` for one).
PYTEST_WORKERS ?= auto
test: install translations  ## the whole suite (lint included)
	$(BIN)/ruff check app tests bench wsgi.py gunicorn.conf.py
	$(BIN)/pytest -n $(PYTEST_WORKERS) --maxprocesses 4 --dist worksteal $(PYTEST_ARGS)

fuzz: install translations  ## the fuzz tests with many more examples and a random seed
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -m fuzz $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: $(COMPILED)

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po | install
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -l $*

extract-messages: install  ## refresh the catalogues after changing user-facing text
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_plural:1,2 --no-location --sort-output \
	    --project boiduong -o app/translations/messages.pot app templates
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

db: install
	$(DEV_ENV) $(FLASK) db upgrade

legal: install  ## the register of legal documents courses cite (app/courses/legal_documents.yaml)
	$(DEV_ENV) $(FLASK) legal load

courses: install legal
	$(DEV_ENV) $(FLASK) courses import

demo: install
	$(DEV_ENV) $(FLASK) demo accounts
	$(DEV_ENV) $(FLASK) profiles load-defaults
	$(DEV_ENV) $(FLASK) demo profiles

check-courses: install
	$(DEV_ENV) $(FLASK) courses check --strict

import-courses: courses

lint: install
	$(BIN)/ruff check app tests bench wsgi.py gunicorn.conf.py

bench: install translations  ## benchmarks (BENCH_DATABASE_URL for PostgreSQL; it is emptied)
	$(BIN)/python bench/lesson_page.py
	$(BIN)/python bench/item_analysis.py
	$(BIN)/python bench/eligibility.py
	$(BIN)/python bench/city.py
	$(BIN)/python bench/certificate_pdf.py

clean:
	rm -rf $(VENV) instance/*.sqlite3* app/translations/*/LC_MESSAGES/*.mo
