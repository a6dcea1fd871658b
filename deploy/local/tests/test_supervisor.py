"""The supervisor: prefixed log lines, restarts with back-off, kill/start, graceful stop.

The children are tiny Python programs, so these tests need no infrastructure.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from devstack.stack import ProcessSpec
from devstack.supervisor import LogSink, Supervisor, format_line, read_state


def eventually(condition: Callable[[], object], what: str, seconds: float = 15.0) -> None:
    """Poll ``condition`` with a deadline (never a fixed sleep)."""
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        pause.wait(0.05)


def spec(name: str, code: str) -> ProcessSpec:
    return ProcessSpec(
        name=name,
        service=name.split("-", 1)[0],
        kind="relay",
        command=("python", "-c", code),
        env={"PYTHONUNBUFFERED": "1"},
    )


FOREVER = "import time\nprint('hello', flush=True)\nprint('world', flush=True)\ntime.sleep(120)"
CRASH = "print('crashing', flush=True)\nraise SystemExit(3)"
POLITE = (
    "import signal, sys, time\n"
    "def bye(*_):\n    print('bye', flush=True)\n    sys.exit(0)\n"
    "signal.signal(signal.SIGTERM, bye)\nprint('up', flush=True)\ntime.sleep(120)"
)
STUBBORN = (
    "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('up', flush=True)\ntime.sleep(120)"
)


@pytest.fixture
def supervise(tmp_path: Path) -> Iterator[Callable[..., Supervisor]]:
    started: list[Supervisor] = []

    def make(*specs: ProcessSpec, **options: object) -> Supervisor:
        sup = Supervisor(
            list(specs),
            root=tmp_path,
            log_file=tmp_path / "infocenter.log",
            state_file=tmp_path / "run" / "supervisor.json",
            stack_name="t",
            python=sys.executable,
            **options,  # type: ignore[arg-type]
        )
        started.append(sup)
        sup.start()
        return sup

    yield make
    for sup in started:
        if sup.running:
            sup.stop(grace=2)


def log(tmp_path: Path) -> str:
    path = tmp_path / "infocenter.log"
    return path.read_text() if path.exists() else ""


@pytest.mark.unit
def test_lines_are_prefixed_with_the_padded_process_name() -> None:
    assert format_line("cases-api", "hello", 16, colour=False) == "cases-api        | hello"
    coloured = format_line("cases-api", "hello", 16, colour=True)
    assert coloured.startswith("\x1b[33mcases-api       \x1b[0m")
    assert coloured.endswith(" | hello")
    assert format_line("ledger-relay", "x", 16, colour=True) != coloured


def test_the_sink_writes_one_file_and_echoes(tmp_path: Path) -> None:
    class Echo:
        def __init__(self) -> None:
            self.text = ""

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

    echo = Echo()
    sink = LogSink(tmp_path / "a.log", width=10, echo=echo, colour=False)  # type: ignore[arg-type]
    sink.write("auth-api", "one")
    sink.close()
    assert (tmp_path / "a.log").read_text() == "auth-api   | one\n"
    assert echo.text == "auth-api   | one\n"


def test_child_output_lands_prefixed_in_the_log(
    tmp_path: Path, supervise: Callable[..., Supervisor]
) -> None:
    supervise(spec("cases-relay", FOREVER), autorestart=False)
    eventually(lambda: "world" in log(tmp_path), "the child's output")
    lines = [line for line in log(tmp_path).splitlines() if "hello" in line or "world" in line]
    assert [line.split("|", 1)[1] for line in lines] == [" hello", " world"]
    assert all("cases-relay" in line.split("|", 1)[0] for line in lines)


def test_a_crashing_process_is_restarted_with_back_off(
    tmp_path: Path, supervise: Callable[..., Supervisor]
) -> None:
    sup = supervise(spec("ledger-consumer", CRASH), backoff_initial=0.05, backoff_max=0.2)
    eventually(lambda: sup.children["ledger-consumer"].restarts >= 3, "three restarts")
    state = read_state(tmp_path / "run" / "supervisor.json")
    assert state is not None
    eventually(
        lambda: (
            (read_state(tmp_path / "run" / "supervisor.json") or {})["processes"][
                "ledger-consumer"
            ]["restarts"]
            >= 3
        ),
        "restarts in the state file",
    )
    assert "(exit code 3); restarting in 0.05s" in log(tmp_path)
    assert "restarting in 0.1s" in log(tmp_path)


def test_a_killed_process_stays_down_until_started_again(
    tmp_path: Path, supervise: Callable[..., Supervisor]
) -> None:
    sup = supervise(spec("cases-relay", FOREVER), spec("auth-relay", FOREVER))
    eventually(lambda: log(tmp_path).count("world") == 2, "both children up")
    first_pid = sup.children["cases-relay"].pid
    sup.kill("cases-relay")
    assert sup.wait_exit("cases-relay", 10)
    assert sup.children["cases-relay"].state == "stopped"
    assert sup.children["auth-relay"].state == "running"
    sup.start_process("cases-relay")
    assert sup.children["cases-relay"].state == "running"
    assert sup.children["cases-relay"].pid != first_pid
    assert sup.children["cases-relay"].restarts == 1


def test_stop_is_graceful_and_then_forceful(
    tmp_path: Path, supervise: Callable[..., Supervisor]
) -> None:
    sup = supervise(spec("auth-api", POLITE), spec("credit-relay", STUBBORN), grace=1.0)
    eventually(lambda: log(tmp_path).count("| up") == 2, "both children up")
    sup.stop()
    text = log(tmp_path)
    assert "bye" in text  # SIGTERM handled by the polite one
    assert "credit-relay: still running after 1s; SIGKILL" in text
    state = json.loads((tmp_path / "run" / "supervisor.json").read_text())
    assert {p["state"] for p in state["processes"].values()} == {"stopped"}
    assert all(c.proc is not None and c.proc.poll() is not None for c in sup.children.values())


def test_a_crashed_process_is_restarted_and_counted(
    tmp_path: Path, supervise: Callable[..., Supervisor]
) -> None:
    sup = supervise(spec("cases-importer", FOREVER), backoff_initial=0.05)
    eventually(lambda: log(tmp_path).count("world") == 1, "the child up")
    first_pid = sup.children["cases-importer"].pid
    assert sup.crash("cases-importer") == first_pid
    eventually(
        lambda: (
            sup.children["cases-importer"].restarts == 1
            and sup.children["cases-importer"].pid not in (None, first_pid)
        ),
        "the child restarted",
    )
    assert "cases-importer: sending SIGKILL (fault injection)" in log(tmp_path)
    assert "(killed by SIGKILL); restarting in" in log(tmp_path)
