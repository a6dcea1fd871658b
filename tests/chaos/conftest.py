"""The fault run's own stack (restarting what dies, as ``make up`` does) and its report,
printed in the terminal summary whether or not output is captured (``-s``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from devstack.stack import Stack, StackConfig

from ..conftest import TEST_STACK_ENV

REPORTS = pytest.StashKey[list[str]]()

CHAOS_STACK_ENV = {
    **TEST_STACK_ENV,
    # The workflow scheduler sweeps the due cases as it starts, then once an hour: every
    # case registered is due for its inkassovarsel at once, and 10,000 letters are 10,000
    # PDFs for the reports consumer (a throughput question: bench/reports_documents.py),
    # which would hold the run's events behind them for many minutes on a small machine.
    "CASES_SCHEDULER_PERIOD_SECONDS": "3600",
}


@pytest.fixture(scope="module")
def supervised_stack(infrastructure: None) -> Iterator[Stack]:
    """A whole stack whose supervisor restarts a process that dies (with back-off)."""
    config = StackConfig.for_tests(name=f"chaos-{os.getpid()}")
    stack = Stack(replace(config, extra_env=CHAOS_STACK_ENV))
    stack.provision()
    stack.migrate()
    stack.start(autorestart=True)
    try:
        stack.wait_ready(timeout=180)
    except Exception:
        print(stack.log_tail(lines=80))
        stack.teardown(force=True)
        raise
    yield stack
    stack.teardown()


@pytest.fixture
def fault_report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """``publish(text)``: the run's report, shown at the end of the session."""
    return request.config.stash.setdefault(REPORTS, []).append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for text in terminalreporter.config.stash.get(REPORTS, []):
        if text:
            terminalreporter.write_sep("=", "whole-stack fault run")
            terminalreporter.write_line(text)
