# facegate: `make run` serves the API on the embedded store; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast bench fuzz docs lint clean axe

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

.cache/test_images/obama.jpg: | $(STAMP)
	$(PY) scripts/fetch_test_images.py

# The demo photos for README "Try it" come with `make run`; PORT=8001 picks another port.
run: $(STAMP) .cache/test_images/obama.jpg
	$(VENV)/bin/facegate serve $(if $(PORT),--port $(PORT))

# axe-core from npm checks every person-facing page in the browser tests (issue 16); kept out of git.
AXE_VERSION := 4.10.3
AXE := .cache/node/node_modules/axe-core/axe.min.js
$(AXE):
	# saved in .cache/node/package.json: an unsaved package is pruned by the next npm install there
	npm install --prefix .cache/node --save-exact --no-audit --no-fund --silent axe-core@$(AXE_VERSION)
axe: $(AXE)

# The static checks: import-linter's layer contracts, then mypy --strict with the pydantic plugin
# (configuration in pyproject.toml). `make test` runs them before the suite.
lint: $(STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy src

# The suite on TEST_WORKERS pytest-xdist processes (worksteal: a few tests take a minute, most a fraction of a
# second). Much of the suite waits on browsers, servers and subprocesses, so two workers keep both cores busy.
# Each worker has its own PostgreSQL databases, Redis databases (tests/conftest.py) and tmp_path; TEST_WORKERS=0 runs
# it in one process.
TEST_WORKERS ?= 2
test: lint .cache/test_images/obama.jpg $(AXE)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not browser and not slow" $(PYTEST_ARGS)

# face_recognition 1.3.0 is the yardstick for the engine benchmark. --no-deps: its dlib
# requirement would compile dlib from source; dlib-bin already provides the module.
bench: $(STAMP)
	$(PY) -m pip install -q --no-deps face_recognition==1.3.0
	$(PY) bench/run_all.py --out docs/benchmarks.md

fuzz: $(STAMP)
	FACEGATE_FUZZ_RUNS=20000 FACEGATE_FUZZ_MAX_SECONDS=300 $(PY) -m pytest -q tests/fuzz

docs: $(STAMP)
	$(PY) -m facegate.governance.docs > docs/rules.md
	$(PY) -m facegate.settings > docs/settings.md

clean:
	rm -rf $(VENV) .cache .pytest_cache .hypothesis .mypy_cache
