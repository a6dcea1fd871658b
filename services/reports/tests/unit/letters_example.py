"""A hand-worked example case for the debtor letters (docs/reports.md, «Letters»).

Case 100017 of Nordlys Elektro AS: one invoice of 10 000,00 kr, dated 17.02.2025, due
03.03.2025 (a Monday). Forsinkelsesrente 12,50 % p.a. for the first half of 2025
(forskrift 2024-12-19-3279), simple, actual/365; both letters go in that half-year, so both
state «Forsinkelsesrente: 12,50 % p.a.» (as the ledger's balance event of the day gives it).

Inkassovarsel sent Monday 24.03.2025 (21 days after due: the fee may be charged), deadline
24.03 + 14 days = Monday 07.04.2025 (a business day). The ledger's balance event of 24.03 states:
  interest 03.03 → 24.03 = 21 days: 1 000 000 øre x 12,5 % x 21/365 = 7 191,78 → 7 192 øre
  costs: the inkassovarsel fee 1/20 x inkassosats 700 = 35,00 kr (inkassoforskriften § 1-2)
  total 10 000,00 + 71,92 + 35,00 = 10 106,92 kr.

Betalingsoppfordring sent Monday 14.04.2025 (the varsel's deadline ran out 07.04), deadline
14.04 + 14 days = Monday 28.04.2025. The ledger's balance event of 14.04 states:
  interest 03.03 → 14.04 = 42 days: 1 000 000 x 12,5 % x 42/365 = 14 383,56 → 14 384 øre
  costs: the varsel fee 35,00 + lett inkassosalær for a principal ≤ 10 000 (0,8 x 700 =
  560,00 kr, inkassoforskriften § 2-2) = 595,00 kr
  total 10 000,00 + 143,84 + 595,00 = 10 738,84 kr.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from reports.domain.case_statement import StatementClaim
from reports.domain.letters import Amounts, DebtorLetter, LetterKind, Recipient
from reports.domain.order_confirmation import Party

AGENCY = Party("InfoCenter Inkasso AS", "923609016")
CREDITOR = Party("Nordlys Elektro AS", "974760673")
RECIPIENT = Recipient(
    name="Kari Nordmann",
    address_lines=("Storgata 1",),
    postal_code="0155",
    city="OSLO",
    country="NO",
)
CLAIM = StatementClaim(
    invoice_number="2025-0042",
    invoice_date=date(2025, 2, 17),
    due_date=date(2025, 3, 3),
    principal_ore=1_000_000,
)
INKASSOVARSEL_ISSUED_AT = datetime(2025, 3, 24, 6, 0, tzinfo=UTC)
BETALINGSOPPFORDRING_ISSUED_AT = datetime(2025, 4, 14, 6, 0, tzinfo=UTC)


def example_letter(kind: LetterKind) -> DebtorLetter:
    if kind == "inkassovarsel":
        sent_on, deadline = date(2025, 3, 24), date(2025, 4, 7)
        amounts = Amounts(principal_ore=1_000_000, interest_ore=7_192, costs_ore=3_500)
    else:
        sent_on, deadline = date(2025, 4, 14), date(2025, 4, 28)
        amounts = Amounts(principal_ore=1_000_000, interest_ore=14_384, costs_ore=59_500)
    return DebtorLetter(
        letter_id=uuid.UUID(int=17),
        kind=kind,
        agency=AGENCY,
        creditor=CREDITOR,
        case_number="100017",
        creditor_reference="F-2025-0042",
        kid="1000170",
        pay_to_account="15032080119",
        recipient=RECIPIENT,
        sent_on=sent_on,
        deadline=deadline,
        claims=(CLAIM,),
        amounts=amounts,
        amounts_as_of=sent_on,
        interest_from=CLAIM.due_date,
        interest_rate_percent=Decimal("12.5000"),
    )
