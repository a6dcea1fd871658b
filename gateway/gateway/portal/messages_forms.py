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
    ("settings.password_current_label", "Nåværende passord", "Current password"),
]
ENTRIES += [
    (
        "reason.a_period_cannot_be_settled_before_it_has_ended",
        "Perioden er ikke slutt ennå: velg en dato til og med i dag",
        "The period has not ended yet: choose a date up to and including today",
    ),
]
