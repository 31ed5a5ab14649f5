# The two commands of a fresh machine are `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PG_VERSION := $(shell ls /etc/postgresql 2>/dev/null | head -n 1)

.PHONY: run test test-faults check postgres bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/.installed  ## serve Tongjie on SQLite with demo data at http://127.0.0.1:8000 (PORT=N: another port)
	$(VENV)/bin/tongjie serve --demo $(if $(PORT),--port $(PORT))

test: $(VENV)/.installed postgres  ## every test but the fault tests, on SQLite and on the local PostgreSQL
	$(PY) -m pytest -m "not faults"

test-faults: $(VENV)/.installed postgres  ## the fault tests (tests/faults): kills, outages, floods
	$(PY) -m pytest -m faults tests/faults

check: $(VENV)/.installed  ## lint, format, types and the layer contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed postgres  ## every benchmark, then issue 22's table (docs/benchmarks.md); BENCH_ARGS="--quick"
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(PY) -m benchmarks $(BENCH_ARGS)

postgres:  ## start the local PostgreSQL cluster when it is down (needs root; tests skip it otherwise)
	@pg_isready -q -h 127.0.0.1 -p 5432 || { [ -n "$(PG_VERSION)" ] && \
		pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) main start && \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; } || true
