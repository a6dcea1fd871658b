"""Test helpers: cases, steps and payments booked straight through the service layer, and
callers of each role for the API."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ledger.adapters.bankfiles.kid import mod10_check_digit
from ledger.bootstrap import LedgerService
from ledger.domain.case_ledger import CaseFacts, Claim
from ledger.domain.fees import Step
from ledger.service_layer.cases import CaseRegistration, StepTaken, record_steps, register_cases
from ledger.service_layer.payments import PaymentIn, PaymentSummary, receive_payments
from ledger.views.economy import Economy, case_economy
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner


def new_kid() -> str:
    base = "9" + "".join(str(secrets.randbelow(10)) for _ in range(13))
    return base + mod10_check_digit(base)


@dataclass
class Ledger:
    service: LedgerService
    signer: TestSigner
    creditor_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def headers(self, *roles: str, organisation: uuid.UUID | None = None) -> dict[str, str]:
        return self.signer.headers(organisation_id=organisation or uuid.uuid4(), roles=roles)

    @property
    def admin(self) -> dict[str, str]:
        return self.headers(Roles.AGENCY_ADMIN)

    @property
    def handler(self) -> dict[str, str]:
        return self.headers(Roles.CASE_HANDLER)

    def creditor(self, creditor_id: uuid.UUID | None = None) -> dict[str, str]:
        return self.headers(Roles.CREDITOR, organisation=creditor_id or self.creditor_id)

    async def case(
        self,
        *claims: tuple[int, date] | tuple[int, date, int],
        creditor_id: uuid.UUID | None = None,
        kid: str | None = None,
        debtor_kind: str = "person",
    ) -> CaseFacts:
        """A case with claims ``(principal øre, due date[, reminder fee øre])``, booked."""
        facts = CaseFacts(
            case_id=uuid.uuid4(),
            creditor_id=creditor_id or self.creditor_id,
            kid=kid or new_kid(),
            debtor_kind=debtor_kind,  # type: ignore[arg-type]
            currency="NOK",
            claims=tuple(
                Claim(uuid.uuid4(), c[1], c[0], c[2] if len(c) > 2 else 0)  # type: ignore[misc]
                for c in claims
            ),
        )
        async with self.service.unit_of_work() as uow:
            await register_cases(
                uow.books,
                [CaseRegistration(facts, f"S-{secrets.token_hex(4)}", datetime.now(UTC))],
                self.service.policy,
            )
            await uow.commit()
        return facts

    async def steps(self, case_id: uuid.UUID, *steps: tuple[str, date] | Step) -> None:
        taken = [s if isinstance(s, Step) else Step(*s) for s in steps]
        async with self.service.unit_of_work() as uow:
            await record_steps(uow.books, [StepTaken(case_id, s, uuid.uuid4()) for s in taken])
            await uow.commit()

    async def pay(
        self, kid: str, amount_ore: int, value_date: date, **extra: Any
    ) -> PaymentSummary:
        async with self.service.unit_of_work() as uow:
            summary = await receive_payments(
                uow.books,
                [
                    PaymentIn(
                        transaction_id=extra.pop("transaction_id", f"test:{uuid.uuid4()}"),
                        kid=kid,
                        amount_ore=amount_ore,
                        value_date=value_date,
                        source="manual",
                        **extra,
                    )
                ],
                self.service.policy,
            )
            await uow.commit()
        return summary

    async def economy(self, case_id: uuid.UUID, as_of: date) -> Economy:
        async with self.service.session_factory() as session:
            found = await case_economy(
                session, case_id, as_of, day_count=self.service.policy.day_count
            )
        assert found is not None
        return found
