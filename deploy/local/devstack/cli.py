"""``python -m devstack up|down|status|logs|provision|migrate|env`` (what ``make`` calls)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devstack import database
from devstack.demo import DemoSeedFailed, login_note, seed_demo, seed_demo_cases
from devstack.stack import (
    GATEWAY,
    PROMETHEUS,
    SERVICES,
    MigrationFailed,
    Stack,
    StackConfig,
    StackNotReady,
    pid_alive,
)
from devstack.supervisor import format_line, read_state, use_colour


def _stack() -> Stack:
    return Stack(StackConfig.local())


def _supervisor_pid(stack: Stack) -> int | None:
    try:
        pid = int(stack.config.pid_file.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def _rel(path: Path, root: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(root))
    return str(path)


# -- provision / migrate ---------------------------------------------------------------


def cmd_provision(stack: Stack, _args: argparse.Namespace) -> int:
    stack.provision()
    names = ", ".join(d.name for d in stack.databases())
    print(f"provisioned databases and roles: {names}")
    return 0


def cmd_reset(stack: Stack, args: argparse.Namespace) -> int:
    if _supervisor_pid(stack) is not None:
        print("the stack is running: `make down` first", file=sys.stderr)
        return 1
    services = args.service or list(stack.config.services)
    unknown = sorted(set(services) - set(stack.config.services))
    if unknown:
        print(f"unknown services: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if not args.yes:
        print(
            f"this drops the local databases of {', '.join(services)} and all their data; "
            "run again with --yes",
            file=sys.stderr,
        )
        return 2
    stack.check_infrastructure()
    stack.reset(services)
    print(f"recreated empty databases: {', '.join(services)} (`make up` migrates them)")
    return 0


def cmd_migrate(stack: Stack, _args: argparse.Namespace) -> int:
    migrated = stack.migrate()
    skipped = sorted(set(stack.config.services) - set(migrated))
    print(f"migrated to head: {', '.join(migrated) or 'nothing'}")
    if skipped:
        print(f"no migrations yet (skipped): {', '.join(skipped)}")
    return 0


# -- up / supervise / down -------------------------------------------------------------


def cmd_up(stack: Stack, args: argparse.Namespace) -> int:
    root = stack.config.root
    if _supervisor_pid(stack) is not None:
        print(f"already running (supervisor pid {_supervisor_pid(stack)}); waiting until ready")
    else:
        _reap_orphans(stack)
        print("provisioning databases and roles …")
        stack.provision()
        print("migrating …")
        migrated = stack.migrate()
        print(f"  migrated: {', '.join(migrated)}")
        missing = stack.missing_processes()
        if missing:
            print(f"  not started (not in this checkout / not installed): {', '.join(missing)}")
        busy = [
            f"{p.name}:{p.port}"
            for p in stack.processes
            if p.port is not None and not _port_free(p.port, stack.config.host)
        ]
        if busy:
            print(f"ports in use: {', '.join(busy)}; is another stack running?", file=sys.stderr)
            return 1
        if args.foreground:
            return stack.make_supervisor(autorestart=True, echo=True).run_forever(
                stack.config.pid_file
            )
        _rotate(stack.config.log_file)
        _daemonise(stack)
    print(f"waiting for {len(stack.processes)} processes to become ready …")
    try:
        _wait_daemon_ready(stack, args.timeout)
    except StackNotReady as exc:
        print(str(exc), file=sys.stderr)
        print(
            "\nThe stack is still running so you can look: `make status`, `make logs`; "
            "`make down` stops it.",
            file=sys.stderr,
        )
        return 1
    logins = None
    try:
        logins = seed_demo(stack)
    except (DemoSeedFailed, subprocess.TimeoutExpired, ValueError) as exc:
        print(f"warning: demo data not seeded: {exc}", file=sys.stderr)
    with_cases = False
    if logins:
        print("seeding the demo cases (through the gateway) …")
        try:
            added = seed_demo_cases(stack, logins)
            with_cases = True
            print(f"  demo cases: {', '.join(added) if added else 'all there already'}")
        except DemoSeedFailed as exc:
            print(f"warning: demo cases not seeded: {exc}", file=sys.stderr)
    print(_banner(stack, root, logins, with_cases=with_cases))
    return 0


def _port_free(port: int, host: str) -> bool:
    from devstack.stack import port_free

    return port_free(port, host)


def _rotate(log_file: Path) -> None:
    if log_file.exists() and log_file.stat().st_size > 0:
        os.replace(log_file, log_file.with_name(log_file.name + ".1"))


def _daemonise(stack: Stack) -> None:
    """Start ``python -m devstack supervise`` detached (own session, no stdin), nohup-style."""
    run_dir = stack.config.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    stack.config.log_dir.mkdir(parents=True, exist_ok=True)
    out = (stack.config.log_dir / "supervisor.out").open("ab")
    with out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "devstack", "supervise"],
            cwd=stack.config.root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    deadline = time.monotonic() + 15
    pause = threading.Event()
    while time.monotonic() < deadline:
        if _supervisor_pid(stack) == proc.pid:
            return
        if proc.poll() is not None:
            raise SystemExit(
                f"the supervisor exited at once (code {proc.returncode}); "
                f"see {stack.config.log_dir / 'supervisor.out'}"
            )
        pause.wait(0.1)
    raise SystemExit("the supervisor did not write its pid file within 15s")


def _wait_daemon_ready(stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if _supervisor_pid(stack) is None:
            raise StackNotReady("the supervisor is not running\n" + stack.log_tail(lines=30))
        try:
            stack.wait_ready(timeout=min(5.0, max(0.1, deadline - time.monotonic())))
            return
        except StackNotReady:
            if time.monotonic() >= deadline:
                raise


def _banner(
    stack: Stack, root: Path, logins: list[dict[str, Any]] | None, *, with_cases: bool = False
) -> str:
    log = _rel(stack.config.log_file, root)
    lines = [
        "",
        f"InfoCenter is up: {len(stack.processes)} processes ready.",
        "",
        f"  Portal:     {stack.url}",
        f"  API docs:   {stack.url}/docs   (OpenAPI: {stack.url}/openapi.json)",
        f"  Ops:        {stack.url}/ops",
        *_prometheus_lines(stack),
        _clamd_line(),
        f"  Logs:       make logs   ({log})",
        "  Status:     make status",
        "  Stop:       make down",
        "",
        "Login:",
    ]
    lines += login_note(stack, logins, with_cases=with_cases)
    missing = stack.missing_processes()
    if missing:
        lines += ["", f"Not started (not in this checkout, or not installed): {', '.join(missing)}"]
    return "\n".join(lines)


CLAMD = ("127.0.0.1", 3310)
"""Where ``deploy/local/install.sh --clamav`` starts clamd (``CASES_CLAMD_ADDRESS``)."""


def _clamd_line() -> str:
    """Whether the attachment scanner answers: without it, files on notes stay held."""
    try:
        with socket.create_connection(CLAMD, timeout=1.0):
            pass
    except OSError:
        return (
            "  ClamAV:     not running: files on notes stay held (deploy/local/install.sh --clamav)"
        )
    return f"  ClamAV:     clamd on {CLAMD[0]}:{CLAMD[1]} (development signatures: EICAR only)"


def _prometheus_lines(stack: Stack) -> list[str]:
    if not any(p.name == PROMETHEUS for p in stack.processes):
        return ["  Prometheus: not installed (deploy/local/install.sh --observability)"]
    url = stack.prometheus_url
    return [f"  Prometheus: {url}   (alerts: {url}/alerts, targets: {url}/targets)"]


def cmd_supervise(stack: Stack, args: argparse.Namespace) -> int:
    """The daemon body: supervise the stack in the foreground until SIGTERM."""
    return stack.make_supervisor(autorestart=True, echo=args.echo).run_forever(
        stack.config.pid_file
    )


def cmd_down(stack: Stack, args: argparse.Namespace) -> int:
    pid = _supervisor_pid(stack)
    if pid is None:
        reaped = _reap_orphans(stack)
        print("not running" + (f" (stopped {reaped} leftover processes)" if reaped else ""))
        return 0
    print(f"stopping supervisor {pid} (SIGTERM; children get {args.timeout:g}s) …")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + args.timeout + 10
    pause = threading.Event()
    while pid_alive(pid) and time.monotonic() < deadline:
        pause.wait(0.2)
    if pid_alive(pid):
        print("supervisor still alive; SIGKILL", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    reaped = _reap_orphans(stack)
    with contextlib.suppress(FileNotFoundError):
        stack.config.pid_file.unlink()
    print("stopped" + (f" ({reaped} leftover processes killed)" if reaped else ""))
    return 0


def _reap_orphans(stack: Stack) -> int:
    """Kill children a dead supervisor left behind (their pids are in the state file)."""
    state = read_state(stack.config.state_file) or {}
    if pid_alive(state.get("supervisor_pid")):
        return 0
    count = 0
    for name, entry in (state.get("processes") or {}).items():
        pid = entry.get("pid")
        if not isinstance(pid, int) or not pid_alive(pid) or not _is_ours(pid, stack, name):
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
            count += 1
    return count


def _is_ours(pid: int, stack: Stack, name: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        spec = stack.process(name)
    except (OSError, KeyError):
        return False
    return spec.module in cmdline


# -- status / logs / env ---------------------------------------------------------------


def cmd_status(stack: Stack, args: argparse.Namespace) -> int:
    pid = _supervisor_pid(stack)
    state = read_state(stack.config.state_file) or {}
    if pid is None:
        print("InfoCenter is not running (`make up` starts it).")
    else:
        print(f"InfoCenter: supervisor pid {pid}, up since {state.get('started_at')}")
    rows = stack.status()
    print(f"{'PROCESS':<18} {'STATE':<8} {'PID':>7} {'RESTARTS':>8}  {'PORT':>5}  READY  SINCE")
    for r in rows:
        ready = "-" if r.ready is None else ("yes" if r.ready else "NO")
        print(
            f"{r.name:<18} {r.state:<8} {r.pid or '-':>7} {r.restarts:>8}  "
            f"{r.port or '-':>5}  {ready:<5}  {r.started_at or '-'}"
        )
    if pid is None:
        return 3
    bad = [r for r in rows if r.state != "absent" and (r.state != "running" or r.ready is False)]
    return 1 if bad else 0


def cmd_logs(stack: Stack, args: argparse.Namespace) -> int:
    path = stack.config.log_file
    wanted = set(args.process)
    pause = threading.Event()
    while not path.exists():
        if not args.follow:
            print(f"no log yet at {path}")
            return 0
        pause.wait(0.5)
    from devstack.stack import _line_process

    def keep(line: str) -> bool:
        if not wanted:
            return True
        proc = _line_process(line)
        return proc in wanted or proc.split("-", 1)[0] in wanted

    print(stack.log_tail(wanted_expand(stack, wanted), lines=args.lines))
    if not args.follow:
        return 0
    with path.open("r", encoding="utf-8", errors="replace") as f:
        f.seek(0, os.SEEK_END)
        inode = os.fstat(f.fileno()).st_ino
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                line = f.readline()
                if line:
                    if keep(line):
                        sys.stdout.write(line)
                        sys.stdout.flush()
                    continue
                pause.wait(0.2)
                with contextlib.suppress(FileNotFoundError):
                    if os.stat(path).st_ino != inode:  # rotated by the next `up`
                        f.close()
                        return cmd_logs(stack, args)
    return 0


def wanted_expand(stack: Stack, wanted: set[str]) -> set[str]:
    """Process names for the ``logs`` filter: ``cases`` means all three cases processes."""
    names = {p.name for p in stack.all_processes()}
    out = set()
    for w in wanted:
        out |= {n for n in names if n == w or n.split("-", 1)[0] == w} or {w}
    return out


def cmd_exec(stack: Stack, args: argparse.Namespace) -> int:
    """Run a command with one service's environment (and the bus settings the ops tools
    read), e.g. ``exec auth python -m auth.entrypoints.cli totp-code --email …``."""
    argv = list(args.argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print("give a command to run", file=sys.stderr)
        return 2
    if argv[0] == "python":
        argv[0] = sys.executable
    env = {
        **os.environ,
        **stack.service_env(args.service),
        "INFOCENTER_AMQP_URL": stack.config.amqp_url,
        "INFOCENTER_BUS_NAMESPACE": stack.config.bus_namespace,
    }
    sys.stdout.flush()
    os.chdir(stack.config.root)
    os.execvpe(argv[0], argv, env)  # noqa: S606 (the user's own command)


def cmd_env(stack: Stack, args: argparse.Namespace) -> int:
    for key, value in stack.service_env(args.service).items():
        print(f"{key}={value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description="InfoCenter on this machine: every service's API, relay and consumer, "
        "and the gateway, supervised as one stack.",
    )
    sub = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="{up,down,status,logs,provision,migrate,reset,env,exec}",
    )
    up = sub.add_parser("up", help="provision, migrate, start in the background, wait, print URL")
    up.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for ready")
    up.add_argument("--foreground", action="store_true", help="supervise here (Ctrl-C stops)")
    up.set_defaults(func=cmd_up)
    down = sub.add_parser("down", help="stop the stack (SIGTERM, then SIGKILL)")
    down.add_argument("--timeout", type=float, default=10.0, help="grace period per process")
    down.set_defaults(func=cmd_down)
    sub.add_parser("status", help="processes, pids, restarts, readiness").set_defaults(
        func=cmd_status
    )
    logs = sub.add_parser("logs", help="the combined, prefixed log")
    logs.add_argument("process", nargs="*", help="only these processes (or services)")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=100)
    logs.set_defaults(func=cmd_logs)
    sub.add_parser("provision", help="create roles and databases (idempotent)").set_defaults(
        func=cmd_provision
    )
    sub.add_parser("migrate", help="alembic upgrade head for every service").set_defaults(
        func=cmd_migrate
    )
    reset = sub.add_parser("reset", help="drop and recreate local databases (data is lost)")
    reset.add_argument("service", nargs="*", help=f"any of {', '.join(SERVICES)} (default all)")
    reset.add_argument("--yes", action="store_true", help="really drop them")
    reset.set_defaults(func=cmd_reset)
    env = sub.add_parser("env", help="print one service's environment (to run it by hand)")
    env.add_argument("service", choices=[*StackConfig().services, GATEWAY])
    env.set_defaults(func=cmd_env)
    run = sub.add_parser("exec", help="run a command with one service's environment")
    run.add_argument("service", choices=[*StackConfig().services, GATEWAY])
    run.add_argument("argv", nargs=argparse.REMAINDER)
    run.set_defaults(func=cmd_exec)
    supervise = sub.add_parser("supervise")  # what `up` runs in the background
    supervise.add_argument("--echo", action="store_true")
    supervise.set_defaults(func=cmd_supervise)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(_stack(), args)
    except database.InfrastructureUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MigrationFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `devstack status | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


__all__ = ["build_parser", "format_line", "main", "use_colour"]
