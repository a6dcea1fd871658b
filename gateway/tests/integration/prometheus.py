"""A real Prometheus (Debian's ``prometheus``) for the ops pages' tests: own port, own
storage, a scrape configuration and rules the test gives."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
from pathlib import Path

import httpx
import pytest
from servicekit.testing.wait import wait_for

BINARY = "/usr/bin/prometheus"
INSTALL = "sudo apt-get install -y prometheus"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningPrometheus:
    def __init__(self, directory: Path, config: str, rules: str) -> None:
        found = BINARY if Path(BINARY).exists() else shutil.which("prometheus")
        if found is None:
            pytest.fail(f"Prometheus is not installed; install it with: {INSTALL}")
        self.binary = found
        self.directory = directory
        (directory / "prometheus.yml").write_text(config)
        (directory / "rules.yml").write_text(rules)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> RunningPrometheus:
        self.process = await asyncio.create_subprocess_exec(
            self.binary,
            f"--config.file={self.directory / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

        async def ready() -> bool:
            assert self.process is not None
            assert self.process.returncode is None, "Prometheus exited"
            with contextlib.suppress(httpx.HTTPError):
                async with httpx.AsyncClient(timeout=2) as client:
                    return (await client.get(f"{self.url}/-/ready")).status_code == 200
            return False

        await wait_for(ready, what="Prometheus ready", seconds=60, every=0.2)
        return self

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
