"""The money rules' words in the portal (key, bokmål, English), joined into
:data:`gateway.portal.messages.MESSAGES` (issue 13: provisional fees, the påkrav date).

Kept apart from the big catalogue so the lead can move them into the gettext catalogues at
merge.
"""

# ruff: noqa: E501

from __future__ import annotations

ENTRIES: list[tuple[str, str, str]] = [
    (
        "money.agreement.standardkompensasjon",
        "Standardkompensasjon på krav mot næringsdrivende",
        "Standard compensation on claims against businesses",
    ),
    (
        "money.agreement.standardkompensasjon_hint",
        "Forsinkelsesrenteloven § 3a: 40 euro i kroner per faktura, oppdragsgiverens. Den trekkes fra inkassokostnadene, så skyldneren betaler aldri begge.",
        "Late Payment Interest Act § 3a: 40 euro in kroner per invoice, the creditor's. It comes off the collection costs, so the debtor never pays both.",
    ),
    ("money.agreement.standardkompensasjon_yes", "Ja, krev den", "Yes, claim it"),
    ("money.agreement.standardkompensasjon_no", "Nei", "No"),
    (
        "reason.does_not_add_up_to_the_reminders",
        "Stemmer ikke med summen av purregebyrene",
        "Does not add up to the reminders' fees",
    ),
    ("money.register.demand_sent_on", "Påkrav sendt (valgfritt)", "Demand sent (optional)"),
    (
        "money.register.demand_sent_on_hint",
        "Bare når det ikke var avtalt forfallsdato på forhånd: datoen du sendte skriftlig påkrav (dd.mm.åååå). Forsinkelsesrenten løper da fra 30 dager etter påkravet.",
        "Only when no due date was agreed in advance: the date you sent the written demand (dd.mm.yyyy). Late-payment interest then runs from 30 days after the demand.",
    ),
    (
        "money.economy.provisional_fees",
        "Et gebyr er regnet med en sats som ennå ikke er bekreftet for datoen (den forrige bekreftede satsen er brukt). Gebyret kan endres når satsen blir bekreftet.",
        "A fee is computed with a rate not yet confirmed for its date (the previous confirmed rate is used). The fee may change when the rate is confirmed.",
    ),
]
