"""Words of the shared form errors and of the case handler's tools (issue 16 §2, §5).

Data only, in the shape of :mod:`gateway.portal.messages_credit`; added to ``MESSAGES``
by :mod:`gateway.portal.messages`.
"""

from __future__ import annotations

ENTRIES: list[tuple[str, str, str]] = [
    # -- the shared form errors (§2) ------------------------------------------------------
    ("reason.must_not_be_negative", "Kan ikke være negativt", "Must not be negative"),
    ("form.error_in", "{label}: {message}", "{label}: {message}"),
    (
        "register.national_id_required_hint",
        "11 sifre. Må fylles ut når skyldneren er en person.",
        "11 digits. Required when the debtor is a person.",
    ),
    (
        "register.organisation_number_required_hint",
        "9 sifre. Må fylles ut når skyldneren er en virksomhet.",
        "9 digits. Required when the debtor is a business.",
    ),
    ("register.claim_field", "Krav {n}, {field}", "Claim {n}, {field}"),
]
ENTRIES += [
    (
        "reason.a_period_cannot_be_settled_before_it_has_ended",
        "Perioden er ikke slutt ennå: velg en dato til og med i dag",
        "The period has not ended yet: choose a date up to and including today",
    ),
]

# -- collection letters by hand (§5 a): the cases service's refusal codes ----------------
ENTRIES += [
    ("letters.title", "Inkassobrev", "Collection letters"),
    (
        "letters.intro",
        "Send inkassovarselet eller betalingsoppfordringen nå i stedet for å vente på "
        "planen. Det loven krever, sjekkes før brevet sendes.",
        "Send the collection notice or the demand for payment now instead of waiting for "
        "the schedule. What the law requires is checked before the letter is sent.",
    ),
    ("letters.not_now", "Kan ikke sendes nå:", "Cannot be sent now:"),
    (
        "problem.code.varsel_not_sent",
        "Inkassovarselet er ikke sendt ennå. Betalingsoppfordringen kan først sendes når "
        "inkassovarselets frist på minst 14 dager har løpt ut (inkassoloven § 10).",
        "The collection notice has not been sent yet. The demand for payment may be sent "
        "only when the notice's period of at least 14 days has run out (Debt Collection "
        "Act § 10).",
    ),
    (
        "problem.code.varsel_deadline_running",
        "Inkassovarselets frist løper til og med {until}. Betalingsoppfordringen kan "
        "sendes fra {from} (inkassoloven § 10).",
        "The collection notice's period runs until {until}. The demand for payment may be "
        "sent from {from} (Debt Collection Act § 10).",
    ),
    (
        "problem.code.varsel_already_sent",
        "Inkassovarselet er allerede sendt. Det sendes én gang, på en registrert sak "
        "(inkassoloven § 9).",
        "The collection notice has been sent already. It is sent once, on a registered case "
        "(Debt Collection Act § 9).",
    ),
    (
        "problem.code.demand_still_valid",
        "Betalingsoppfordringen gjelder for rettslige skritt til og med {until}. En ny "
        "trengs først etter det.",
        "The demand for payment is good for legal steps until {until}. A new one is needed "
        "only after that.",
    ),
    (
        "problem.code.time_barred",
        "Et krav i saken ble foreldet {limitation_date}. Det kan ikke sendes inkassobrev på det.",
        "A claim of the case became time-barred on {limitation_date}. No collection letter "
        "may be sent on it.",
    ),
    (
        "problem.code.case_closed",
        "Saken er avsluttet. En avsluttet sak er endelig.",
        "The case is closed. A closed case is final.",
    ),
    (
        "problem.code.not_in_this_state",
        "Ikke mulig nå: saken har status «{case_status}».",
        "Not possible now: the case's status is “{case_status}”.",
    ),
]

# -- the payment plan checked against the debt (§5 b) ------------------------------------
ENTRIES += [
    (
        "plan.missing",
        "Avdragene dekker ikke gjelden: det mangler {missing}. Planen må dekke {total} "
        "(saldo {balance}, renter i planperioden {interest}, gebyr for avdragsordningen "
        "{fees}); avdragene er til sammen {instalments}. Hvert avdrag må være minst "
        "{needed}.",
        "The instalments do not cover the debt: {missing} is missing. The plan must cover "
        "{total} (balance {balance}, interest during the plan {interest}, payment plan fee "
        "{fees}); the instalments add up to {instalments}. Each instalment must be at "
        "least {needed}.",
    ),
    (
        "plan.check_unavailable",
        "Planen kunne ikke sjekkes mot gjelden nå. Prøv igjen om litt.",
        "The plan could not be checked against the debt just now. Try again in a moment.",
    ),
]

# -- unmatched payments: the payer from the bank file (§5 d) -----------------------------
ENTRIES += [
    ("unmatched.col.payer", "Betaler", "Payer"),
    ("unmatched.payer_name", "Navn", "Name"),
    ("unmatched.payer_account", "Fra konto", "From account"),
    ("unmatched.message", "Melding", "Message"),
    ("unmatched.payer_unknown", "Ikke oppgitt i bankfilen", "Not given in the bank file"),
]

# -- withdrawing a case (§5 c) -------------------------------------------------------------
ENTRIES += [
    ("withdraw.reason", "Hvorfor trekker dere saken?", "Why are you withdrawing the case?"),
    (
        "withdraw.reason_hint",
        "For eksempel at skyldneren har betalt direkte til dere, eller at kravet er kreditert.",
        "For example that the debtor paid you directly, or that the claim was credited.",
    ),
    ("withdraw.reason_required", "Skriv hvorfor saken trekkes", "Say why the case is withdrawn"),
    (
        "withdraw.cost",
        "Etter avtalen med byrået belastes dere byråets påløpte salær og gebyrer som "
        "skyldneren ikke har betalt: {fees}. Det dere har til gode i saken og som ikke er "
        "betalt ({given_up}), blir ikke lenger krevd inn.",
        "Under your agreement with the agency you are charged the agency's salær and fees "
        "that the debtor has not paid: {fees}. What you are owed in the case and have not "
        "been paid ({given_up}) is no longer collected.",
    ),
    (
        "withdraw.cost_unknown",
        "Hva det koster å trekke saken, kan ikke vises nå (økonomien er ikke klar). Byråets "
        "påløpte, ubetalte salær og gebyrer belastes dere etter avtalen.",
        "What withdrawing costs cannot be shown just now (the economy is not ready). The "
        "agency's salær and fees the debtor has not paid are charged to you under the "
        "agreement.",
    ),
]
