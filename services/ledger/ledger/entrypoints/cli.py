"""Ledger administration from the command line (``python -m ledger.entrypoints.cli``).

- ``verify-chain``: recompute the hash chain of the whole journal, check that every entry
  balances, that the trial balance is zero and that the control accounts agree with the
  cases' accounts; exit status 1 (and each problem on stderr) when anything is off;
- ``seed-rates``: load rows added to the shipped rate files (idempotent; ``_unconfirmed``
  rows stay unconfirmed until an administrator confirms them);
- ``unconfirmed-rates``: list the rows waiting for confirmation;
- ``fee-differences``: the dry run of recomputing fees: every case whose booked fees
  differ from what the rules in force now give, fee by fee (books nothing); with
  ``--apply`` the differences of open cases are booked as journal entries, and what a case
  handler must decide (closed or settled cases, fees removed, reductions of paid fees) is
  listed as left.
- ``restate-cases [--apply] [--case ID ...]``: book every open case's payments again in
  value-date order (cases booked in arrival order before ADR 13); lists each case whose
  balance changes,
  with what it owed before and after. A dry run (nothing kept) unless ``--apply``; with
  ``--apply`` only the cases that change are booked (by reversals and new entries).
- ``rate-recompute --rate ID [--apply]``: after an administrator confirmed or corrected a
  rate row: every open case whose booked money rests on that kind of figure from the row's
  date, recomputed with the rates in force now (fees corrected, payments and interest booked
  again in value-date order, all by journal entries); lists what moved per case and
  component. A dry run (nothing kept) unless ``--apply`` (ADR 0057).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy import text

from ledger.bootstrap import LedgerService, bootstrap
from ledger.domain.journal import Account, ChainedEntry, ChainVerifier
from ledger.domain.money import format_nok
from ledger.domain.rates import RateKind
from ledger.service_layer.fee_review import CaseFeeReview, correct_fees, review_fees
from ledger.service_layer.rate_recompute import affected_cases, recompute_case
from ledger.service_layer.rates import seed_rates
from ledger.service_layer.reallocation import restate_case

_ENTRIES = text(
    """
    SELECT e.seq, e.entry_id, e.kind, e.effective_date, e.recorded_at, e.case_id,
           e.creditor_id, e.natural_key, e.reverses, e.metadata, e.prev_hash, e.hash,
           array_agg(p.account_kind ORDER BY p.id) AS kinds,
           array_agg(p.holder ORDER BY p.id) AS holders,
           array_agg(p.amount_ore ORDER BY p.id) AS amounts,
           array_agg(p.currency ORDER BY p.id) AS currencies
      FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.entry_id
     GROUP BY e.entry_id
     ORDER BY e.seq
    """
)

_CONTROLS = (
    (
        "trial balance",
        "SELECT currency, sum(amount_ore) FROM postings GROUP BY currency"
        " HAVING sum(amount_ore) <> 0",
    ),
    (
        "creditor claims vs the creditor's cases",
        """
        SELECT creditor, sum(total) FROM (
            SELECT c.creditor_id AS creditor, sum(p.amount_ore) AS total
              FROM postings p JOIN ledger_cases c ON c.case_id = p.holder
             WHERE p.account_kind IN ('case.principal', 'case.interest', 'case.reminder_fees')
             GROUP BY c.creditor_id
            UNION ALL
            SELECT holder, sum(amount_ore) FROM postings
             WHERE account_kind = 'creditor.claims' GROUP BY holder
        ) per_creditor GROUP BY creditor HAVING sum(total) <> 0
        """,
    ),
    (
        "agency fee claims vs the cases' fees",
        "SELECT 'agency', sum(amount_ore) FROM postings WHERE account_kind IN"
        " ('agency.fee_claims', 'case.collection_fees', 'case.court_fees')"
        " HAVING sum(amount_ore) <> 0",
    ),
)


async def _chain(service: LedgerService) -> AsyncIterator[tuple[ChainedEntry, bytes, bytes]]:
    async with service.engine.connect() as conn:
        result = await conn.stream(_ENTRIES.execution_options(yield_per=2000))
        async for row in result:
            postings = [
                (Account(kind, holder).code, int(amount), currency)
                for kind, holder, amount, currency in zip(
                    row.kinds, row.holders, row.amounts, row.currencies, strict=True
                )
                if kind is not None
            ]
            entry = ChainedEntry(
                seq=row.seq,
                entry_id=row.entry_id,
                kind=row.kind,
                effective_date=row.effective_date,
                recorded_at=row.recorded_at,
                case_id=row.case_id,
                creditor_id=row.creditor_id,
                natural_key=row.natural_key,
                reverses=row.reverses,
                metadata=row.metadata,
                postings=postings,
            )
            yield entry, bytes(row.prev_hash), bytes(row.hash)


async def verify(service: LedgerService) -> tuple[int, list[str]]:
    """How many entries were checked, and every problem found."""
    verifier = ChainVerifier()
    async for entry, previous, digest in _chain(service):
        verifier.feed(entry, previous, digest)
    found = [f"seq {p.seq}: {p.reason}" for p in verifier.problems]
    async with service.engine.connect() as conn:
        for name, sql in _CONTROLS:
            for row in await conn.execute(text(sql)):
                found.append(f"{name}: {row[0]} is off by {row[1]} øre")
    return verifier.checked, found


async def _verify_chain(service: LedgerService, args: argparse.Namespace) -> int:
    count, problems = await verify(service)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{count} entries checked: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


async def _seed_rates(service: LedgerService, args: argparse.Namespace) -> int:
    async with service.unit_of_work() as uow:
        added = await seed_rates(uow.books)
        await uow.commit()
    print(f"{added} rate row(s) added")
    return 0


async def _unconfirmed(service: LedgerService, args: argparse.Namespace) -> int:
    async with service.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT id, kind, parameter, effective_from, value, unit FROM rates"
                " WHERE status = 'unconfirmed' ORDER BY kind, effective_from"
            )
        )
        for row in rows:
            print(f"{row.id:6} {row.kind:26} {row.parameter:10} {row.effective_from} {row.value}")
    return 0


async def _fee_differences(service: LedgerService, args: argparse.Namespace) -> int:
    """Every case whose fees differ (dry run), or with ``--apply`` the differences booked
    for open cases, a batch of cases per transaction."""
    reviews: list[CaseFeeReview] = []
    async with service.unit_of_work() as uow:
        reviews = [review async for review in review_fees(uow.books)]
    if args.apply:
        applied: list[CaseFeeReview] = []
        for start in range(0, len(reviews), 100):
            async with service.unit_of_work() as uow:
                ids = [r.case_id for r in reviews[start : start + 100]]
                applied.extend(await correct_fees(uow.books, ids, service.policy))
                await uow.commit()
        reviews = applied
    fees = net = 0
    for review in reviews:
        net += review.delta_ore
        left = dict(review.left)
        for d in review.differences:
            fees += 1
            booked = "-" if d.booked_ore is None else format_nok(d.booked_ore)
            now = "-" if d.now_ore is None else format_nok(d.now_ore)
            delta = format_nok(d.delta_ore)
            status = (
                "" if not args.apply else f" left: {left[d.key]}" if d.key in left else " booked"
            )
            print(f"{review.case_id} {d.key} booked {booked} now {now} ({delta}){status}")
    what = "differences booked where not left" if args.apply else "dry run: nothing booked"
    print(f"{len(reviews)} case(s), {fees} fee(s) differ; net {format_nok(net)} NOK ({what})")
    return 0


async def _restate_cases(service: LedgerService, args: argparse.Namespace) -> int:
    async with service.session_factory() as session:
        case_ids = [
            case_id
            for case_id in (
                await session.execute(
                    text("SELECT case_id FROM ledger_cases WHERE closed_on IS NULL ORDER BY 1")
                )
            ).scalars()
            if not args.case or case_id in args.case
        ]
    changed = 0
    for case_id in case_ids:
        async with service.unit_of_work() as uow:
            rates = await uow.books.rates.book(RateKind.FORSINKELSESRENTE)
            found = await restate_case(uow.books, case_id, rates, service.policy)
            if found is None or not found.changed:
                continue  # rolled back: nothing kept
            changed += 1
            before = sum(found.owed_before.values())
            after = sum(found.owed_after.values())
            moved = ", ".join(
                f"{c.value} {found.owed_before[c]} → {found.owed_after[c]}"
                for c in found.owed_before
                if found.owed_before[c] != found.owed_after[c]
            )
            print(
                f"{case_id}: owed {before} → {after} øre ({moved}), overpaid "
                f"{found.overpaid_before} → {found.overpaid_after} øre"
            )
            if args.apply:
                await uow.commit()
    verb = "restated" if args.apply else "would change (dry run, nothing kept)"
    print(f"{len(case_ids)} open case(s) checked; {changed} {verb}")
    return 0


async def _rate_recompute(service: LedgerService, args: argparse.Namespace) -> int:
    async with service.unit_of_work() as uow:
        row = await uow.books.rates.get(args.rate)
        if row is None or row.status != "confirmed":
            what = "no such rate" if row is None else "the rate is not confirmed (confirm it first)"
            print(f"rate {args.rate}: {what}", file=sys.stderr)
            return 2
        case_ids = [
            c for c in await affected_cases(uow.books, row) if not args.case or c in args.case
        ]
    print(
        f"rate {row.id}: {row.kind}{f'[{row.parameter}]' if row.parameter else ''} "
        f"{row.value} from {row.effective_from}"
    )
    moved = 0
    for case_id in case_ids:
        async with service.unit_of_work() as uow:
            found = await recompute_case(uow.books, case_id, service.policy)
            if found is None or not found.changed:
                continue  # rolled back: nothing kept
            moved += 1
            parts = ", ".join(
                f"{c.value} {found.owed_before.get(c, 0)} → {found.owed_after.get(c, 0)}"
                for c in found.moved()
            )
            fees = "; ".join(
                f"{d.key} {'-' if d.booked_ore is None else d.booked_ore} → "
                f"{'-' if d.now_ore is None else d.now_ore}"
                for d in found.fees
            )
            left = "; ".join(f"{key} left: {why}" for key, why in found.left)
            print(
                f"{case_id}: {parts or 'owed unchanged'}; overpaid {found.overpaid_before} → "
                f"{found.overpaid_after} øre"
                + (f"; fees {fees}" if fees else "")
                + (f"; {left}" if left else "")
            )
            if args.apply:
                await uow.commit()
    verb = "recomputed" if args.apply else "would move (dry run, nothing kept)"
    print(f"{len(case_ids)} open case(s) checked; {moved} {verb}")
    return 0


COMMANDS: dict[str, Callable[[LedgerService, argparse.Namespace], Awaitable[int]]] = {
    "verify-chain": _verify_chain,
    "seed-rates": _seed_rates,
    "unconfirmed-rates": _unconfirmed,
    "fee-differences": _fee_differences,
    "restate-cases": _restate_cases,
    "rate-recompute": _rate_recompute,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ledger-cli", description=(__doc__ or "").split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("verify-chain", help="verify the hash chain, balances and control accounts")
    sub.add_parser("seed-rates", help="load rows added to the shipped rate files")
    sub.add_parser("unconfirmed-rates", help="rows waiting for an administrator")
    differences = sub.add_parser(
        "fee-differences", help="cases whose fees the rules now set apart (dry run by default)"
    )
    differences.add_argument(
        "--apply", action="store_true", help="book the differences of open cases (after a dry run)"
    )
    restate = sub.add_parser(
        "restate-cases", help="book open cases' payments again in value-date order (dry run)"
    )
    restate.add_argument("--apply", action="store_true", help="keep the changes")
    restate.add_argument(
        "--case", type=uuid.UUID, action="append", help="only this case (repeatable)"
    )
    recompute = sub.add_parser(
        "rate-recompute",
        help="after a rate row was confirmed or corrected: recompute the cases it moves (dry run)",
    )
    recompute.add_argument("--rate", type=int, required=True, help="the confirmed rate row's id")
    recompute.add_argument("--apply", action="store_true", help="keep the changes")
    recompute.add_argument(
        "--case", type=uuid.UUID, action="append", help="only this case (repeatable)"
    )
    return p


async def run(service: LedgerService, argv: list[str]) -> int:
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
