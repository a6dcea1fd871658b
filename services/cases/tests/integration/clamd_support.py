"""A real clamd (Debian's clamav-daemon) for the tests, on a free port and a tiny signature DB.

The official signature database cannot be downloaded here (freshclam has no route out), so
the tests' clamd loads one signature in ClamAV's own extended format (``.ndb``): the EICAR
test string, anywhere in any file. ``deploy/local/install.sh --clamav`` installs clamd.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from pathlib import Path

from cases.adapters.clamd import ClamdScanner
from servicekit.testing.wait import wait_for

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
"""The EICAR anti-virus test file (harmless; every scanner reports it)."""
SIGNATURE_LINE = f"Eicar-Test-Signature:0:*:{EICAR.hex()}\n"


def clamd_binary() -> str:
    found = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if found is None:
        raise RuntimeError("clamd is not installed: run deploy/local/install.sh --clamav")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalClamd:
    """One clamd process the test starts and stops (``scanner down`` is :meth:`stop`)."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        database = directory / "db"
        database.mkdir(parents=True, exist_ok=True)
        (database / "infocenter-test.ndb").write_text(SIGNATURE_LINE)
        self.config = directory / "clamd.conf"
        self.config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"TCPSocket {self.port}",
                    "TCPAddr 127.0.0.1",
                    f"DatabaseDirectory {database}",
                    f"LogFile {directory / 'clamd.log'}",
                    "StreamMaxLength 32M",
                    "SelfCheck 3600",
                    "",
                ]
            )
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [clamd_binary(), "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def start(self) -> None:
        self.process = await asyncio.to_thread(self._spawn)
        probe = ClamdScanner(self.address, timeout_seconds=2.0)

        def alive() -> None:
            if self.process is not None and self.process.poll() is not None:
                log = (self.directory / "clamd.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"clamd exited ({self.process.returncode}): {log}")

        await wait_for(probe.ping, what="clamd answers PONG", seconds=60, every=0.2, alive=alive)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
