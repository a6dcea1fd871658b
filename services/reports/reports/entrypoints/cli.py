"""Reports administration from the command line (``python -m reports.entrypoints.cli``).

- ``purge [--today YYYY-MM-DD]``: delete documents and read-model rows past retention (5
  years from the end of the accounting year, bokføringsloven § 13); each deleted document
  is written to ``document_purges``. ``--today`` moves the purge's clock (default: today
  in Europe/Oslo); a day in the future is refused, so the purge can never run early.
- ``rebuild``: empty the read model and ask the producers (auth, cases, ledger) to replay
  the events it is built from (``reports.replay.requested.v1``); the consumer applies the
  replay from its ``reports.replay`` queue. Documents stay as issued. The request goes out
  through the outbox: the relay must be running.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from reports.bootstrap import PROJECTED, ReportsService, bootstrap
from reports.domain.retention import OSLO
from reports.service_layer.purge import purge
from reports.service_layer.rebuild import request_rebuild


def _today() -> date:
    return datetime.now(OSLO).date()


async def _purge(service: ReportsService, args: argparse.Namespace) -> int:
    today = args.today or _today()
    if today > _today():
        print("--today may not be in the future", file=sys.stderr)
        return 2
    result = await purge(service.session_factory, today)
    rows = ", ".join(f"{table} {count}" for table, count in result.rows.items())
    print(f"purged on {today}: {result.documents} document(s); {rows}")
    return 0


async def _rebuild(service: ReportsService, args: argparse.Namespace) -> int:
    replay_id = await request_rebuild(service.unit_of_work(), PROJECTED)
    print(f"read model emptied; replay {replay_id} requested from the producers")
    return 0


COMMANDS: dict[str, Callable[[ReportsService, argparse.Namespace], Awaitable[int]]] = {
    "purge": _purge,
    "rebuild": _rebuild,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="reports-cli", description=(__doc__ or "").split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    purge_cmd = sub.add_parser("purge", help="delete documents and rows past retention")
    purge_cmd.add_argument("--today", type=date.fromisoformat, help="the purge's day (Oslo)")
    sub.add_parser("rebuild", help="empty the read model and ask the producers to replay")
    return p


async def run(service: ReportsService, argv: list[str]) -> int:
    """Run one command on ``service``; its exit status."""
    args = parser().parse_args(argv)
    return await COMMANDS[args.command](service, args)


def main(argv: list[str] | None = None) -> int:
    service = bootstrap()

    async def go() -> int:
        try:
            return await run(service, argv if argv is not None else sys.argv[1:])
        finally:
            await service.close()

    return asyncio.run(go())


if __name__ == "__main__":
    sys.exit(main())
