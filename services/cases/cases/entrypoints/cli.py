"""Cases administration from the command line (``python -m cases.entrypoints.cli``).

- ``restate-limitation [--apply] [--case ID ...]``: every claim of an open case whose
  limitation date the limitation rules now set apart (cases registered before ADR 0050),
  with its date before and after and why (due date, claim type, interruptions). A dry run
  (nothing kept) unless ``--apply``; with ``--apply`` the new dates are set, the case's
  timeline says so (``limitation_restated``), and the scheduler looks at the case today.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable

from cases.bootstrap import CasesService, bootstrap
from cases.service_layer.limitation_restate import open_cases, restate_case


async def _restate_limitation(service: CasesService, args: argparse.Namespace) -> int:
    today, now = service.clock.today(), service.clock.now()
    rules = service.rule_book.in_force(today)
    async with service.unit_of_work() as uow:
        case_ids = await open_cases(uow, args.case or ())
    moved = claims = 0
    for case_id in case_ids:
        async with service.unit_of_work() as uow:
            found = await restate_case(uow, case_id, rules, today=today, now=now, apply=args.apply)
            for c in found:
                claims += 1
                print(
                    f"{case_id} {c.invoice_number}: due {c.due_date} ({c.claim_type}) "
                    f"limitation {c.before} → {c.after}"
                )
            if found:
                moved += 1
                if args.apply:
                    await uow.commit()
    verb = "restated" if args.apply else "would change (dry run, nothing kept)"
    print(f"{len(case_ids)} open case(s) checked; {claims} claim(s) of {moved} case(s) {verb}")
    return 0


COMMANDS: dict[str, Callable[[CasesService, argparse.Namespace], Awaitable[int]]] = {
    "restate-limitation": _restate_limitation,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cases-cli", description=(__doc__ or "").split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    restate = sub.add_parser(
        "restate-limitation",
        help="limitation dates of cases registered before the limitation rules (dry run)",
    )
    restate.add_argument("--apply", action="store_true", help="keep the changes")
    restate.add_argument(
        "--case", type=uuid.UUID, action="append", help="only this case (repeatable)"
    )
    return p


async def run(service: CasesService, argv: list[str]) -> int:
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
