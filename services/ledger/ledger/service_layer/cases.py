"""Cases from the cases service: claims registered, workflow steps charged, cases closed.

Every handler is safe to run twice and in any order: a case is registered once (by id), a
step once (by case, step and date), a fee once (by its key), and a step that arrives
before its case is kept and charged when the case arrives.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ledger.domain.case_ledger import CaseFacts, CaseLedger, registration_entry
from ledger.domain.fees import Step, assess_fees
from ledger.domain.rates import RateBook, RateKind
from ledger.service_layer.allocations import interest_refund
from ledger.service_layer.books import Books
from ledger.service_layer.events import balance_changed
from ledger.service_layer.policy import LedgerPolicy

log = logging.getLogger(__name__)

DEFAULT_POLICY = LedgerPolicy()

CLOSED_STEP = "case_closed:"
"""A closing that arrived before its case is kept as a step ``case_closed:<reason>``."""


@dataclass(frozen=True)
class CaseRegistration:
    facts: CaseFacts
    case_number: str
    registered_at: datetime


@dataclass(frozen=True)
class StepTaken:
    case_id: uuid.UUID
    step: Step
    event_id: uuid.UUID


async def charge_fees(
    books: Books, ledgers: Iterable[CaseLedger], rates: RateBook
) -> list[CaseLedger]:
    """Book the fees the cases' steps justify and that are not booked yet; the cases
    whose balance changed."""
    cases = {lg.facts.case_id: lg for lg in ledgers}
    if not cases:
        return []
    steps = await books.cases.steps(cases)
    charged = await books.cases.fees_charged(cases)
    agreements = await books.agreements.get_many(lg.facts.creditor_id for lg in cases.values())
    changed: list[CaseLedger] = []
    recorded = []
    for case_id, ledger in cases.items():
        if not steps[case_id]:
            continue
        agreement = agreements[ledger.facts.creditor_id]
        terms = ledger.facts.terms(
            vat_deductible=agreement.vat_deductible,
            standardkompensasjon=agreement.claims_standardkompensasjon,
        )
        assessment = assess_fees(terms, steps[case_id], rates, charged[case_id])
        for note in assessment.notes:
            log.info("no fee: %s", note, extra={"case_id": str(case_id)})
        new = [c for c in assessment.charges if c.key not in charged[case_id]]
        for charge in new:
            entry = books.journal.add(ledger.charge_fee(charge))
            recorded.append((case_id, charge, entry.entry_id))
        if new:
            changed.append(ledger)
    await books.cases.add_fees(recorded)
    return changed


async def register_cases(
    books: Books, registrations: Sequence[CaseRegistration], policy: LedgerPolicy
) -> list[uuid.UUID]:
    """Book the claims of cases not known yet; the ids of those booked."""
    fresh = await books.cases.register(
        [(r.facts, r.case_number, r.registered_at) for r in registrations]
    )
    ledgers = []
    for facts in fresh:
        ledger = CaseLedger(facts=facts)
        books.journal.add(ledger.apply(registration_entry(facts)))
        ledgers.append(ledger)
    steps = await books.cases.steps(lg.facts.case_id for lg in ledgers)
    early = [lg for lg in ledgers if steps.get(lg.facts.case_id)]
    if early:  # workflow steps that arrived before the case
        await charge_fees(books, early, await books.rates.book())
    interest_rates = await books.rates.book(RateKind.FORSINKELSESRENTE) if ledgers else None
    for ledger in ledgers:
        assert interest_rates is not None
        books.emit(
            balance_changed(
                ledger,
                cause="registered",
                effective_date=ledger.facts.latest_due_date,
                rates=interest_rates,
                day_count=policy.day_count,
            )
        )
    for ledger in early:  # one dated each step's day, which the step's letter prints
        days = {
            s.effective_date
            for s in steps[ledger.facts.case_id]
            if not s.step.startswith(CLOSED_STEP)
        }
        assert interest_rates is not None
        for day in sorted(days):
            books.emit(
                balance_changed(
                    ledger,
                    cause="fee",
                    effective_date=day,
                    rates=interest_rates,
                    day_count=policy.day_count,
                )
            )
    for ledger in early:  # and a closing that did
        closing = next(
            (s for s in steps[ledger.facts.case_id] if s.step.startswith(CLOSED_STEP)), None
        )
        if closing is not None:
            await books.journal.flush()  # the closing reads what is booked
            reason = closing.step.removeprefix(CLOSED_STEP)
            await close_case(books, ledger.facts.case_id, closing.effective_date, reason, policy)
    return [lg.facts.case_id for lg in ledgers]


async def record_steps(
    books: Books, steps: Sequence[StepTaken], policy: LedgerPolicy = DEFAULT_POLICY
) -> list[uuid.UUID]:
    """Keep the workflow steps and charge their fees; the cases charged.

    Every case that took a new step gets a balance event dated the step's day (cause
    ``fee`` when the steps charged one, else ``step``), one per day when a delivery holds
    several of its steps: it states the forsinkelsesrente in force that day and the
    interest through it, which the step's letter prints (the amounts are as booked now).
    """
    touched = await books.cases.record_steps([(s.case_id, s.step, s.event_id) for s in steps])
    if not touched:
        return []
    ledgers = await books.cases.load(touched)  # unknown cases wait for their registration
    rates = await books.rates.book()
    changed = await charge_fees(books, ledgers.values(), rates)
    charged = {lg.facts.case_id for lg in changed}
    days: dict[uuid.UUID, set[date]] = {}
    for s in steps:
        days.setdefault(s.case_id, set()).add(s.step.effective_date)
    for case_id, ledger in ledgers.items():
        for day in sorted(days[case_id]):
            books.emit(
                balance_changed(
                    ledger,
                    cause="fee" if case_id in charged else "step",
                    effective_date=day,
                    rates=rates,
                    day_count=policy.day_count,
                )
            )
    return [lg.facts.case_id for lg in changed]


async def close_case(
    books: Books, case_id: uuid.UUID, on: date, reason: str, policy: LedgerPolicy
) -> bool:
    """Record the closing; a case closed other than paid books its interest to the closing
    date and writes off what is still owed (nobody collects it any more)."""
    if not await books.cases.close(case_id, on, reason):
        if not await books.cases.known([case_id]):  # closed before registered: keep it
            step = Step(f"{CLOSED_STEP}{reason}", on)
            await books.cases.record_steps([(case_id, step, uuid.uuid4())])
        return False
    if reason == "paid":
        return True
    ledger = (await books.cases.load([case_id]))[case_id]
    rates = await books.rates.book()
    interest = ledger.book_interest(rates, on, policy.day_count)
    books.journal.extend(interest.entries)
    if interest.refunded_ore:
        refund = interest_refund(
            ledger, interest.entries[-1], interest.refunded_ore, payment_id=None
        )
        await books.payments.add_allocations([refund])
    write_off = ledger.write_off(on, reason)
    if write_off is not None:
        books.journal.add(write_off)
    await books.cases.save_state([ledger])
    books.emit(
        balance_changed(
            ledger, cause="closed", effective_date=on, rates=rates, day_count=policy.day_count
        )
    )
    return True


class UnknownClaim(LookupError):
    """A claim the ledger has not registered (yet): the event is retried."""


async def claim_time_barred(
    books: Books,
    case_id: uuid.UUID,
    claim_id: uuid.UUID,
    time_barred_on: date | None,
    limitation_date: date,
    policy: LedgerPolicy,
) -> None:
    """The cases service found a claim time-barred (or no longer): interest on it stops
    from ``time_barred_on`` (interest is booked lazily, so what is booked next counts it;
    interest already booked beyond it is given back then), and no fee is charged for a
    step on a barred claim (ADR 0050). The case's balance is published again."""
    if not await books.cases.set_time_barred(case_id, claim_id, time_barred_on):
        raise UnknownClaim(f"claim {claim_id} of case {case_id} is not in the ledger")
    ledger = (await books.cases.load([case_id]))[case_id]
    rates = await books.rates.book()
    books.emit(
        balance_changed(
            ledger,
            cause="time_barred" if time_barred_on is not None else "limitation_renewed",
            effective_date=limitation_date,
            rates=rates,
            day_count=policy.day_count,
        )
    )
