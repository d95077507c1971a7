# The README's two commands: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_OUT := reports/demo

.PHONY: install system demo test test-fast lint format bench data clean screenshots loadtest hub-test

# Debian packages the browser tests need: Chromium (driven by Playwright, no browser download)
# and a small CJK font so Chinese labels render.
SYSTEM_PACKAGES := chromium fonts-wqy-microhei

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (run: sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

demo: install
	mkdir -p $(DEMO_OUT)
	$(VENV)/bin/workbook validate params/jining-2020.yaml
	$(VENV)/bin/workbook status params/jining-2020.yaml --as-of 2020-06-30 | tee $(DEMO_OUT)/status.txt
	$(VENV)/bin/workbook status params/jining-2020.yaml --as-of 2020-06-30 --json > $(DEMO_OUT)/status.json
	@echo "status written to $(abspath $(DEMO_OUT))/status.txt and status.json"
	$(VENV)/bin/workbook status params/jining-2020.yaml --as-of 2020-05-10 --campaign 百日攻坚（春季）
	$(VENV)/bin/workbook review params/jining-2020.yaml --quarter 2020Q2 --out $(DEMO_OUT)/jining-2020Q2

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The suite on two worker processes (pytest-xdist): this machine has two cores and many tests
# wait on subprocesses, kernels or the browser. `--dist loadfile`: a file's tests run on one
# worker (its app server or other module fixture is built once), and tests/conftest.py keeps
# the browser files on one worker too. `make test TEST_JOBS=0` runs it in one process.
TEST_JOBS ?= 2
XDIST := -n $(TEST_JOBS) --dist loadfile

test: lint system
	$(PY) -m pytest $(XDIST)

# The quick lane: no browser, notebook, wheel, load or hub test (markers in pyproject.toml); the
# long versions stay in `make test` and `make loadtest`.
FAST_MARKERS := not browser and not notebook and not wheel and not load and not hub

test-fast: install
	$(PY) -m pytest $(XDIST) -q -p no:cacheprovider -m "$(FAST_MARKERS)"

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The README's pictures (docs/*.png) from the sample zone, through the browser test's machinery.
screenshots: install system
	$(PY) docs/screenshots.py

# The long load test: 10 planners for 2 minutes against one `workbook app` (the suite runs 3 for 20 s).
loadtest: install system
	WORKBOOK_LOADTEST=full $(PY) -m pytest -s -p no:cacheprovider tests/planners/test_app_load.py

# The JupyterHub recipe (deploy/jupyterhub) on this machine: a real hub, a dummy login, the
# local spawner, the planner page through the hub's proxy. Needs Node.js for the proxy.
CHP := node_modules/.bin/configurable-http-proxy

$(CHP):
	npm install --no-save --no-audit --no-fund configurable-http-proxy

hub-test: install $(CHP)
	$(PY) -m pip install --quiet -e '.[test,hub]'
	WORKBOOK_HUB_PROXY_COMMAND=$(abspath $(CHP)) $(PY) -m pytest -p no:cacheprovider -m hub tests/test_jupyterhub.py

bench: install
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

data: install
	$(PY) data/generate.py
	$(PY) data/generate_zoucheng.py

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .mypy_cache node_modules
