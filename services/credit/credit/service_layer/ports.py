"""The bureau port: what the credit service needs of a credit bureau, whoever it is.

An adapter (``credit.adapters.experian`` first; Creditsafe- or D&B-style APIs fit the same
port) orders a report under our reference, finds one again by that reference, and tells
apart what went wrong in the four ways that matter for money and copy letters:

- :class:`BureauRefused`: the bureau answered no (no match, a kredittsperre, a product
  outside the contract): nothing was bought;
- :class:`BureauUnavailable`: the bureau did not take the order (429, 503, a connection
  refused, the circuit breaker open): nothing was bought, try later;
- :class:`BureauFailed`: the bureau answered that it failed (5xx, refused credentials):
  nothing was bought;
- :class:`BureauInDoubt`: the order may have reached the bureau and no usable answer came
  back (a timeout, a reset, a broken body): reconcile by the reference, never order again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from credit.domain.reports import CreditReport
from credit.domain.subjects import Subject


@dataclass(frozen=True, slots=True)
class BureauOrder:
    reference: uuid.UUID
    """Our order id: the bureau keeps it, so an order in doubt can be found again."""
    product_code: str
    subject: Subject
    purpose_code: str
    end_user_name: str
    end_user_organisation_number: str | None
    """The creditor: the orderer the bureau names in the copy letter."""


@dataclass(frozen=True, slots=True)
class BureauReport:
    bureau_reference: str
    report: CreditReport
    payload: bytes
    """The bureau's answer as received (sealed in storage, never logged)."""


@dataclass(frozen=True, slots=True)
class CompanyCandidate:
    """A company a name search found: enough to choose it and order its report."""

    organisation_number: str
    name: str
    organisation_form: str
    status: str
    city: str


class BureauRefused(Exception):
    def __init__(self, code: str, allowed_purposes: tuple[str, ...] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.allowed_purposes = allowed_purposes


class BureauUnavailable(Exception):
    def __init__(self, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class BureauFailed(Exception):
    pass


class BureauInDoubt(Exception):
    pass


class Bureau(Protocol):
    name: str

    async def order_report(self, order: BureauOrder) -> BureauReport: ...

    async def search_companies(self, name: str) -> list[CompanyCandidate]:
        """Companies whose name matches (free at the bureau: no report, no copy letter).

        Raises :class:`BureauUnavailable` or :class:`BureauFailed` when it cannot answer."""
        ...

    async def find_report(self, reference: uuid.UUID, product_code: str) -> BureauReport | None:
        """The report ordered under ``reference``, or ``None`` if the bureau has none.

        Raises :class:`BureauUnavailable` when the bureau cannot say."""
        ...
