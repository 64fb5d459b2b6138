# ROX Warehouse: `make demo` builds the demo warehouse end to end, `make test` runs every check.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CUSTOMERS ?= 5000
SEED ?= 42

# Defaults that work from a fresh clone; override any of them in the environment.
export ROX_WAREHOUSE ?= $(CURDIR)/warehouse/rox.duckdb
export ROX_LANDING_DIR ?= $(CURDIR)/data/landing
export ROX_ARCHIVE_DIR ?= $(CURDIR)/data/archive
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export ROX_DBT_TARGET ?= duckdb
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export OPENBLAS_NUM_THREADS ?= 1
# The venv's tools first: `dg dev` runs `dbt parse` by name; `dg` checks that the project's
# venv is the active one.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)

.PHONY: help install manifest generate materialize demo ui docs test test-spark lint format clean bench faults

help:
	@echo "make demo   - create .venv, install, build the demo warehouse end to end, print a summary"
	@echo "make test   - lint, then the whole test suite"
	@echo "make ui     - Dagster UI on http://127.0.0.1:3000 (asset graph, lineage, runs)"
	@echo "make test-spark - only the test that the dbt models give the same marts on Spark"
	@echo "make clean  - remove the generated data, warehouse, dbt target and local Dagster runs"
	@echo "make bench  - benchmark at 1M customers against the raw-SQL floor (make bench CUSTOMERS=N)"
	@echo "make faults - the fault matrix of issue 26 on a small demo (docs/faults.md)"

# The install stamp changes only when the dependencies do, so a second `make install` is instant.
$(BIN)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

# dbt's manifest, which the Dagster definitions read. Parsed with the run's --target (dagster-dbt
# passes one) and the same environment, so every dbt step of a run reuses this partial parse.
manifest: install
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --target $(ROX_DBT_TARGET)

generate: install
	$(BIN)/python -m demo.generate --customers $(CUSTOMERS) --seed $(SEED)

# The full Dagster log goes to a file; its tail is shown if the run fails.
materialize: manifest
	@mkdir -p logs
	@echo "materialising every asset (log: logs/materialize.log) ..."
	@$(BIN)/python -m demo.run --log logs/materialize.log \
		|| (tail -n 80 logs/materialize.log; exit 1)

demo: generate materialize
	@$(BIN)/python -m demo.summary

ui: manifest
	$(BIN)/dg dev -h 127.0.0.1 -p 3000

# docs/marts.md: every mart's grain and columns, from dbt's manifest (and the warehouse, if built).
docs: manifest
	$(BIN)/python scripts/mart_docs.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint manifest
	$(BIN)/python -m pytest -q

# Only the DuckDB-vs-Spark parity test (also part of `make test`).
test-spark: manifest
	$(BIN)/python -m pytest -q -m spark

# Not part of `make test`. A million customers unless CUSTOMERS is given (the demo's default of
# 5000 does not apply); BENCH_ARGS passes options, e.g. BENCH_ARGS=--no-scaling. See BENCHMARKS.md.
BENCH_CUSTOMERS = $(if $(filter command line environment%,$(origin CUSTOMERS)),$(CUSTOMERS),1000000)
bench: install
	$(BIN)/python -m bench.run --customers $(BENCH_CUSTOMERS) --seed $(SEED) $(BENCH_ARGS)

# Not part of `make test`: each fault against a clean baseline of a small demo (docs/faults.md).
FAULT_CUSTOMERS = $(if $(filter command line environment%,$(origin CUSTOMERS)),$(CUSTOMERS),300)
faults: install manifest
	$(BIN)/python -m bench.faults --customers $(FAULT_CUSTOMERS)

clean:
	rm -rf data warehouse dbt_project/target dbt_project/logs logs spark-warehouse
	find .dagster -mindepth 1 ! -name dagster.yaml -exec rm -rf {} +
