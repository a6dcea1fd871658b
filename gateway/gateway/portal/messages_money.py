"""The money rules' words in the portal (key, bokmål, English), joined into
:data:`gateway.portal.messages.MESSAGES` (issue 13: provisional fees, the påkrav date).

Kept apart from the big catalogue so the lead can move them into the gettext catalogues at
merge.
"""

# ruff: noqa: E501

from __future__ import annotations

ENTRIES: list[tuple[str, str, str]] = [
    (
        "money.economy.provisional_fees",
        "Et gebyr er regnet med en sats som ennå ikke er bekreftet for datoen (den forrige bekreftede satsen er brukt). Gebyret kan endres når satsen blir bekreftet.",
        "A fee is computed with a rate not yet confirmed for its date (the previous confirmed rate is used). The fee may change when the rate is confirmed.",
    ),
]
