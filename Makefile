# casework: the two commands of the README are `make run` and `make test`.
# Everything else here is what they need; each step is skipped when already done.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MO     := casework/translations/lv/LC_MESSAGES/messages.mo
PO     := casework/translations/lv/LC_MESSAGES/messages.po
export FLASK_APP := casework

.PHONY: run test setup lint messages browser clean bench oidc

## make run: set everything up and start the app with demo data on SQLite at http://127.0.0.1:5000
run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@echo "casework: open http://127.0.0.1:5000 and log in as case_manager@parauga-novads.lv / parauga-parole-2026"
	CASEWORK_COOKIE_SECURE=0 $(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: set everything up and run the whole test suite (PostgreSQL when
## CASEWORK_TEST_DATABASE_URL is set, SQLite otherwise)
test: setup oidc
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## the OpenID Connect provider the single sign-on tests start (npm's oidc-provider); without
## npm those tests are skipped outside CI
oidc:
	@if command -v npm >/dev/null && [ ! -d tests/auth/oidc/node_modules ]; then \
		npm ci --prefix tests/auth/oidc --no-audit --no-fund; fi

setup: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "casework needs $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(MO): $(PO) $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d casework/translations -D messages

## make messages: extract new UI texts into the Latvian catalog (then translate them)
messages: $(STAMP)
	$(BIN)/pybabel extract -F casework/translations/babel.cfg -k lazy_gettext -k _l -k deferred -k N_ -k L_:1c,2 \
		--no-location -o /tmp/casework-messages.pot .
	$(BIN)/pybabel update -i /tmp/casework-messages.pot -d casework/translations -l lv \
		--no-fuzzy-matching

## make bench: the national-scale benchmark on PostgreSQL (README, "Benchmark");
## e.g. make bench BENCH_ARGS="--cases 100000 --url postgresql://postgres@127.0.0.1/cw_bench"
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

## make browser: install Debian's Chromium for the browser tests (needs root)
browser:
	command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }

clean:
	rm -rf $(VENV) instance .pytest_cache $(MO)
