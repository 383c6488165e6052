# makeline: `make run` opens the product on a demo; `make test` installs everything and passes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PACKAGES := makeline store_db printers terminal sync cloud_api

.PHONY: install browser run cloud test check lint typecheck imports format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/makeline demo

cloud: install
	$(BIN)/makeline cloud --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

imports: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# The storefront's browser tests drive Debian's Chromium; without one they fail (never skip).
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || (apt-get update -qq && apt-get install -y -qq chromium)
	@test -x $(CHROMIUM) || { echo "No browser for the storefront tests: install Debian's chromium ($(CHROMIUM))."; exit 1; }

# The cloud suite runs on Debian's PostgreSQL server package (a throw-away cluster that
# .ci/debian_pg installs if need be, starts, and removes whatever the outcome), every other
# suite on the embedded one, in the same run: both paths proven, the time unchanged.
# Bytecode is kept (in the ignored __pycache__ folders) even where PYTHONDONTWRITEBYTECODE is set:
# the suite starts hundreds of processes, and each compiled every module of ours again.
# One worker more than the cores: the suite's tests wait on servers, subprocesses and a
# browser for much of their time, and the extra worker uses it (on two cores 424 and 464 s
# against 483 and 503 s with two workers).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install browser lint imports typecheck
	env -u PYTHONDONTWRITEBYTECODE .ci/debian_pg $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

check: test

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .makeline .mypy_cache .ruff_cache .pytest_cache
