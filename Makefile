# InfoCenter: `make up` runs the whole stack on this machine, `make test` checks everything.
# `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

export PATH := $(HOME)/.local/bin:$(PATH)
export UV_PYTHON_DOWNLOADS := never
# Every process loads compiled bytecode: uv sync compiles the venv's packages, `make
# bytecode` the workspace's own code. A test run starts hundreds of processes (37 per
# stack); from source each would spend ~3 s more CPU compiling the same modules, and two
# stacks starting at once then took over two minutes on two cores.
export UV_COMPILE_BYTECODE := 1

UV ?= uv
RUN := $(UV) run --no-sync
DEVSTACK := $(RUN) python -m devstack

empty :=
space := $(empty) $(empty)
SERVICES := $(notdir $(wildcard services/*))
SERVICE_PACKAGES := $(wildcard $(foreach s,$(SERVICES),services/$(s)/$(s)))
# mypy resolves first-party imports from the workspace sources (strict mode: root pyproject)
MYPY_BASES := $(wildcard libs/*) $(wildcard services/*) gateway deploy/local
MYPY_TARGETS := $(wildcard libs/*/) $(SERVICE_PACKAGES) gateway/gateway deploy/local/devstack \
                deploy/k8s/tools
PYTEST_PATHS := libs services gateway tests deploy
PYTEST := $(RUN) pytest -q
# `make test` runs the non-disruptive tests in this many processes (pytest-xdist), a test
# module whole in one of them (its module fixtures, such as a stack of its own, and its
# order stay as written); most of a test's time is waiting for a stack or the broker
PYTEST_WORKERS ?= 2
BENCH_ARGS ?=

define INFRA_HINT
PostgreSQL (127.0.0.1:5432) and RabbitMQ (127.0.0.1:5672) must be running. Start them with:
  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
  rabbitmq-server -detached
or `make infra` (installs both from Debian's packages when missing, then starts them).
endef
export INFRA_HINT

.PHONY: help up down status logs infra sync bytecode totp migrate provision reset lint format types imports i18n \
        unit integration e2e browser schemas bench chaos test check-infra rules

help: ## this list
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

# -- running it ------------------------------------------------------------------------

up: ## install what is missing, then provision, migrate, start everything and print the URL
	deploy/local/install.sh
	$(MAKE) sync
	$(DEVSTACK) up

down: ## stop the stack (SIGTERM, then SIGKILL after a grace period)
	$(DEVSTACK) down

status: ## every process: state, pid, restarts, port, readiness
	@$(DEVSTACK) status || true

logs: ## follow the combined log, one prefixed line per process output line
	@mkdir -p var/log && touch var/log/infocenter.log
	tail -n 200 -F var/log/infocenter.log

infra: ## install (apt-get, if missing) and start PostgreSQL and RabbitMQ
	deploy/local/install.sh --infra

sync: ## install the workspace into .venv (from the lock when it is there)
	@if [ -f uv.lock ]; then \
	  $(UV) sync --all-packages --frozen || $(UV) sync --all-packages; \
	else \
	  $(UV) sync --all-packages; \
	fi
	$(MAKE) bytecode

bytecode: ## compile the workspace's own code (uv sync compiles the installed packages)
	$(RUN) python -m compileall -q -j 0 libs services gateway deploy/local tests bench > /dev/null

totp: ## current authenticator code of a (demo) user: make totp EMAIL=kari@nordlys.example
	@test -n "$(EMAIL)" || { echo "usage: make totp EMAIL=<e-mail>" >&2; exit 2; }
	@$(DEVSTACK) exec auth python -m auth.entrypoints.cli totp-code --email "$(EMAIL)"

provision: ## one role and database per service (idempotent)
	$(DEVSTACK) provision

reset: ## drop and recreate the local databases (SERVICES="auth cases"; default all) — data is lost
	$(DEVSTACK) reset --yes $(SERVICES)

migrate: ## alembic upgrade head for every service
	$(DEVSTACK) migrate

# -- checking it -----------------------------------------------------------------------

lint: ## ruff check and ruff format --check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: ## ruff format and the safe fixes
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

types: ## mypy (strict) on the libraries, services, gateway and runner
	MYPYPATH=$(subst $(space),:,$(strip $(MYPY_BASES))) $(RUN) mypy $(MYPY_TARGETS)

imports: ## import-linter architecture contracts (.importlinter)
	$(RUN) lint-imports

unit: ## tests without infrastructure
	$(PYTEST) -m "not integration and not e2e and not disruptive" $(PYTEST_PATHS)

integration: check-infra ## tests against the real PostgreSQL and RabbitMQ (and clamd)
	deploy/local/install.sh --clamav
	$(PYTEST) -m "integration and not disruptive" $(PYTEST_PATHS)
	$(PYTEST) -m "integration and disruptive" $(PYTEST_PATHS) || [ $$? -eq 5 ]

e2e: check-infra ## the whole stack as processes, through the gateway (and the browser)
	deploy/local/install.sh --browser
	deploy/local/install.sh --observability
	deploy/local/install.sh --clamav
	$(PYTEST) -m e2e $(PYTEST_PATHS)

browser: check-infra ## the portal in headless Chromium on a test stack (screenshots: var/artifacts/browser)
	deploy/local/install.sh --browser
	deploy/local/install.sh --clamav
	$(PYTEST) -m e2e tests/e2e/browser

rules: ## promtool: check the Prometheus rules and run their unit tests (also part of make test)
	deploy/local/install.sh --observability
	$(PYTEST) deploy/local/tests/test_observability.py

i18n: ## extract the portal's message keys (templates and code) and add new ones to the nb/en catalogs
	mkdir -p var/i18n
	cd gateway && $(UV) run --no-sync pybabel extract --no-default-keywords -k t -F babel.cfg \
		--omit-header --no-location -o ../var/i18n/messages.pot .
	$(UV) run --no-sync python gateway/tools/fold_messages.py --template var/i18n/messages.pot

schemas: ## regenerate the JSON Schema snapshots of the event contracts
	$(RUN) contracts-schemas

bench: check-infra ## messaging throughput benchmark (bench/; BENCH_ARGS="--events 20000")
	$(RUN) python bench/messaging.py $(BENCH_ARGS)

chaos: check-infra ## whole-stack fault run alone: kills every process, restarts RabbitMQ and PostgreSQL
	$(PYTEST) -m disruptive tests/chaos

check-infra:
	@for port in 5432 5672; do \
	  if ! (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null; then \
	    echo "error: nothing listens on 127.0.0.1:$$port" >&2; \
	    echo "$$INFRA_HINT" >&2; \
	    exit 1; \
	  fi; \
	done

test: ## everything CI checks: infrastructure, sync, lint, types, imports, all tests
	@# a stopped PostgreSQL or RabbitMQ is started (installed first when missing); if that
	@# fails, check-infra fails loudly with the commands that start them
	$(MAKE) check-infra 2>/dev/null || deploy/local/install.sh --infra || true
	$(MAKE) check-infra
	deploy/local/install.sh --broker
	deploy/local/install.sh --uv
	deploy/local/install.sh --documents
	deploy/local/install.sh --browser
	deploy/local/install.sh --observability
	deploy/local/install.sh --clamav
	$(UV) sync --all-packages
	$(MAKE) bytecode
	@# test namespaces idle now and still idle after the static checks are left-overs of
	@# killed runs: swept, so that they do not pile up in the broker
	$(RUN) python -m devstack.bussweep mark
	$(MAKE) lint
	$(MAKE) types
	$(MAKE) imports
	$(RUN) python -m devstack.bussweep sweep
	@echo "== tests (all but disruptive)"
	$(PYTEST) -m "not disruptive" -n $(PYTEST_WORKERS) --dist loadfile --durations=30 $(PYTEST_PATHS)
	@echo "== disruptive tests (they restart the broker and PostgreSQL), last"
	$(PYTEST) -m disruptive $(PYTEST_PATHS) || [ $$? -eq 5 ]
