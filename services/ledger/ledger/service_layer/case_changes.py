"""Cases changed in a transaction: their booking state is saved and a balance event
published once per case, with the cause of its last change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from ledger.domain.case_ledger import CaseLedger
from ledger.domain.rates import RateKind
from ledger.service_layer.books import Books
from ledger.service_layer.events import balance_changed
from ledger.service_layer.policy import LedgerPolicy


@dataclass
class Changes:
    """Cases changed in this transaction, with the cause of their last change."""

    ledgers: dict[uuid.UUID, CaseLedger] = field(default_factory=dict)
    causes: dict[uuid.UUID, tuple[str, date]] = field(default_factory=dict)

    def touch(self, ledger: CaseLedger, cause: str, on: date) -> None:
        self.ledgers[ledger.facts.case_id] = ledger
        self.causes[ledger.facts.case_id] = (cause, on)


async def finish(books: Books, changes: Changes, policy: LedgerPolicy) -> None:
    await books.cases.save_state(changes.ledgers.values())
    if not changes.ledgers:
        return
    rates = await books.rates.book(RateKind.FORSINKELSESRENTE)
    for case_id, ledger in changes.ledgers.items():
        cause, on = changes.causes[case_id]
        books.emit(
            balance_changed(
                ledger, cause=cause, effective_date=on, rates=rates, day_count=policy.day_count
            )
        )
