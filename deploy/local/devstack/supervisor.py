"""Run the processes of a stack as children: one prefixed log, restarts, graceful stop.

Every output line of every child goes, prefixed with its padded and coloured process
name (``cases-api        | …``), into one log file and, when asked, to stdout. A child
that crashes is restarted with exponential back-off (reset once it has stayed up for a
while); a child killed on request stays down until started again. SIGTERM (or SIGINT)
stops every child gracefully: SIGTERM to its process group, SIGKILL after a grace period.
A JSON state file (pids, restarts, start times) lets ``devstack status`` report on a
supervisor running in the background.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from devstack.stack import ProcessSpec

RESET = "\x1b[0m"
PALETTE: Mapping[str, str] = {
    "auth": "\x1b[36m",  # cyan
    "cases": "\x1b[33m",  # yellow
    "ledger": "\x1b[32m",  # green
    "reports": "\x1b[35m",  # magenta
    "credit": "\x1b[34m",  # blue
    "webhooks": "\x1b[94m",  # bright blue
    "gateway": "\x1b[1;37m",  # bold white
    "mail": "\x1b[90m",  # grey: simulators of external systems
    "devstack": "\x1b[1;31m",  # bold red: the supervisor itself
}
SELF = "devstack"


def use_colour() -> bool:
    """Colour unless ``NO_COLOR`` is set (https://no-color.org)."""
    return "NO_COLOR" not in os.environ


def colour_of(name: str) -> str:
    return PALETTE.get(name.split("-", 1)[0], "\x1b[37m")


def format_line(name: str, text: str, width: int, *, colour: bool) -> str:
    """``cases-api        | text`` with the name padded to ``width`` (and coloured)."""
    padded = name.ljust(width)
    if colour:
        padded = f"{colour_of(name)}{padded}{RESET}"
    return f"{padded} | {text}"


class LogSink:
    """Writes prefixed lines to one log file and optionally a stream, thread-safe."""

    def __init__(
        self,
        log_file: Path | None,
        *,
        width: int,
        echo: TextIO | None = None,
        colour: bool | None = None,
    ) -> None:
        self.width = width
        self.echo = echo
        self.colour = use_colour() if colour is None else colour
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        if log_file is not None:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            self._file = log_file.open("a", encoding="utf-8", buffering=1)

    def write(self, name: str, text: str) -> None:
        line = format_line(name, text, self.width, colour=self.colour) + "\n"
        with self._lock:
            if self._file is not None:
                # a full disk must not stop the pump: the child would block on its pipe
                with contextlib.suppress(OSError, ValueError):
                    self._file.write(line)
            if self.echo is not None:
                with contextlib.suppress(OSError, ValueError):
                    self.echo.write(line)
                    self.echo.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Child:
    """One supervised process and what happened to it."""

    spec: ProcessSpec
    proc: subprocess.Popen[bytes] | None = None
    state: str = "stopped"
    """``running``, ``backoff`` (restart pending), ``stopped`` (on request) or ``exited``."""
    restarts: int = 0
    failures: int = 0
    started_at: float | None = None
    started_at_iso: str | None = None
    exit_code: int | None = None
    next_start: float | None = None
    held: bool = False
    reader: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.state == "running" else None

    def snapshot(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "state": self.state,
            "restarts": self.restarts,
            "started_at": self.started_at_iso,
            "exit_code": self.exit_code,
            "port": self.spec.port,
            "service": self.spec.service,
            "kind": self.spec.kind,
        }


class Supervisor:
    """Starts, watches, restarts and stops the processes of one stack."""

    def __init__(
        self,
        specs: Sequence[ProcessSpec],
        *,
        root: Path,
        log_file: Path | None,
        state_file: Path | None = None,
        stack_name: str = "local",
        autorestart: bool = True,
        echo: TextIO | None = None,
        grace: float = 10.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 30.0,
        stable_after: float = 30.0,
        python: str | None = None,
    ) -> None:
        self.children = {s.name: Child(s) for s in specs}
        self.root = root
        self.state_file = state_file
        self.stack_name = stack_name
        self.autorestart = autorestart
        self.grace = grace
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.python = python or sys.executable
        width = max([len(SELF), *(len(n) for n in self.children)])
        self.sink = LogSink(log_file, width=width, echo=echo)
        self.started_at = now_iso()
        self._lock = threading.RLock()
        self._state_lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._monitor: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._monitor is not None and not self._stopping.is_set()

    def say(self, text: str) -> None:
        self.sink.write(SELF, text)

    # -- starting ----------------------------------------------------------------------

    def start(self) -> None:
        """Start every child and the watcher thread; returns at once."""
        self.say(f"starting stack {self.stack_name!r}: {len(self.children)} processes")
        with self._lock:
            for child in self.children.values():
                self._spawn(child)
        self._write_state()
        self._monitor = threading.Thread(target=self._watch, name="devstack-watch", daemon=True)
        self._monitor.start()

    def _spawn(self, child: Child) -> None:
        spec = child.spec
        try:
            proc = subprocess.Popen(  # noqa: S603 (argv from the process table)
                spec.argv(self.python),
                cwd=self.root,
                env={**os.environ, **spec.env},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: signals reach it and only it
            )
        except OSError as exc:
            self.say(f"{spec.name}: cannot start: {exc}")
            child.state = "exited"
            child.exit_code = -1
            self._schedule_restart(child)
            return
        child.proc = proc
        child.state = "running"
        child.exit_code = None
        child.next_start = None
        child.started_at = time.monotonic()
        child.started_at_iso = now_iso()
        child.reader = threading.Thread(
            target=self._pump, args=(spec.name, proc), name=f"log-{spec.name}", daemon=True
        )
        child.reader.start()
        self.say(f"{spec.name}: started (pid {proc.pid})")

    def _pump(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            self.sink.write(name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        proc.stdout.close()

    # -- watching ----------------------------------------------------------------------

    def _watch(self) -> None:
        last_state_write = time.monotonic()
        while not self._stopping.is_set():
            changed = False
            with self._lock:
                for child in self.children.values():
                    try:
                        changed |= self._check(child)
                    except Exception as exc:  # keep watching the others
                        self.say(f"{child.spec.name}: supervisor error: {exc!r}")
            if changed or time.monotonic() - last_state_write > 5:
                self._write_state()
                last_state_write = time.monotonic()
            self._wake.wait(0.2)
            self._wake.clear()

    def _check(self, child: Child) -> bool:
        if self._stopping.is_set():
            return False
        if child.state == "running" and child.proc is not None:
            code = child.proc.poll()
            if code is None:
                return False
            child.exit_code = code
            uptime = time.monotonic() - (child.started_at or 0.0)
            if child.held:
                child.state = "stopped"
                self.say(f"{child.spec.name}: stopped on request ({_describe(code)})")
                return True
            child.state = "exited"
            child.failures = 1 if uptime >= self.stable_after else child.failures + 1
            self._schedule_restart(child)
            return True
        if (
            child.state == "backoff"
            and child.next_start is not None
            and time.monotonic() >= child.next_start
        ):
            child.restarts += 1
            self._spawn(child)
            return True
        return False

    def _schedule_restart(self, child: Child) -> None:
        name, code = child.spec.name, child.exit_code
        if not self.autorestart or child.held:
            self.say(f"{name}: exited ({_describe(code)}); not restarted")
            return
        delay = min(self.backoff_initial * 2 ** max(0, child.failures - 1), self.backoff_max)
        child.state = "backoff"
        child.next_start = time.monotonic() + delay
        self.say(f"{name}: exited ({_describe(code)}); restarting in {delay:g}s")

    # -- on request --------------------------------------------------------------------

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal one child's process group; it stays down until :meth:`start_process`."""
        with self._lock:
            child = self.children[name]
            child.held = True
            if child.state == "backoff":
                child.state = "stopped"
            if child.proc is not None and child.state == "running":
                self.say(f"{name}: sending {signal.Signals(sig).name} on request")
                _signal_group(child.proc, sig)
        self._wake.set()

    def crash(self, name: str, sig: int = signal.SIGKILL) -> int | None:
        """Signal one running child's process group as a fault would, without marking it
        held: the watcher sees it die and restarts it (with back-off) when ``autorestart``
        is on. The pid signalled, or ``None`` when the child was not running."""
        with self._lock:
            child = self.children[name]
            if child.proc is None or child.state != "running":
                return None
            self.say(f"{name}: sending {signal.Signals(sig).name} (fault injection)")
            _signal_group(child.proc, sig)
            return child.proc.pid

    def wait_exit(self, name: str, timeout: float = 10.0) -> bool:
        """Wait until a child's process has exited (after :meth:`kill`)."""
        child = self.children[name]
        if child.proc is None:
            return True
        try:
            child.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        with self._lock:
            self._check(child)
        self._write_state()
        return True

    def start_process(self, name: str) -> None:
        """Start a child that is not running (killed, crashed or never started)."""
        with self._lock:
            child = self.children[name]
            child.held = False
            if child.proc is not None and child.proc.poll() is None:
                return
            if child.state == "running":  # exited but not yet noticed by the watcher
                child.exit_code = child.proc.returncode if child.proc is not None else None
            child.failures = 0
            child.restarts += 1
            self._spawn(child)
        self._write_state()

    # -- stopping ----------------------------------------------------------------------

    def stop(self, grace: float | None = None) -> None:
        """SIGTERM every child, SIGKILL what still runs after ``grace`` seconds."""
        grace = self.grace if grace is None else grace
        self._stopping.set()
        self._wake.set()
        if self._monitor is not None:
            self._monitor.join(timeout=5)
        with self._lock:
            alive = [
                c for c in self.children.values() if c.proc is not None and c.proc.poll() is None
            ]
            if alive:
                self.say(f"stopping {len(alive)} processes (SIGTERM, SIGKILL after {grace:g}s)")
            for child in alive:
                assert child.proc is not None
                _signal_group(child.proc, signal.SIGTERM)
            deadline = time.monotonic() + grace
            for child in alive:
                assert child.proc is not None
                try:
                    child.proc.wait(max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.say(f"{child.spec.name}: still running after {grace:g}s; SIGKILL")
                    _signal_group(child.proc, signal.SIGKILL)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        child.proc.wait(5)
            for child in self.children.values():
                if child.proc is not None:
                    _signal_group(child.proc, signal.SIGKILL)  # stray grandchildren
                    child.exit_code = child.proc.poll()
                if child.state in {"running", "backoff"}:
                    child.state = "stopped"
                if child.reader is not None:
                    child.reader.join(timeout=2)
        self.say("stopped")
        self._write_state()
        self.sink.close()

    def run_forever(self, pid_file: Path | None = None) -> int:
        """Foreground supervision until SIGTERM/SIGINT (the ``make up`` daemon)."""
        stop = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            self.say(f"received {signal.Signals(signum).name}")
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        with contextlib.suppress(AttributeError, ValueError):
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if pid_file is not None:
            pid_file.parent.mkdir(parents=True, exist_ok=True)
            pid_file.write_text(f"{os.getpid()}\n", encoding="ascii")
        try:
            self.start()
            while not stop.wait(1.0):
                pass
        finally:
            self.stop()
            if pid_file is not None:
                with contextlib.suppress(FileNotFoundError):
                    if pid_file.read_text(encoding="ascii").strip() == str(os.getpid()):
                        pid_file.unlink()
        return 0

    # -- state -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {name: c.snapshot() for name, c in self.children.items()}

    def _write_state(self) -> None:
        if self.state_file is None:
            return
        state = {
            "stack": self.stack_name,
            "supervisor_pid": os.getpid(),
            "started_at": self.started_at,
            "updated_at": now_iso(),
            "stopping": self._stopping.is_set(),
            "processes": self.snapshot(),
        }
        with self._state_lock:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
            os.replace(tmp, self.state_file)


def read_state(path: Path) -> dict[str, Any] | None:
    """The state file a supervisor wrote, if any."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _describe(code: int | None) -> str:
    if code is None:
        return "unknown status"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"
