"""The rate tables' human names in bokmål and English (data only).

Every kind the ledger's seed files hold (``services/ledger/ledger/data/*.csv``) and every
named parameter has a name here, so that no internal key (``salaer_lett``,
``legal_step_forliksklage``) reaches a page; a unit test holds the files to it. Kept apart
from :mod:`gateway.portal.messages` (which adds them to ``MESSAGES``).
"""

from __future__ import annotations

ENTRIES: list[tuple[str, str, str]] = [
    # -- kinds --------------------------------------------------------------------------
    ("rate.kind.inkassosats", "Inkassosats", "Collection rate"),
    ("rate.kind.purregebyr", "Purregebyr", "Reminder fee"),
    (
        "rate.kind.purregebyr_fraction",
        "Purregebyr (andel av inkassosatsen)",
        "Reminder fee (share of the collection rate)",
    ),
    ("rate.kind.forsinkelsesrente", "Forsinkelsesrente", "Late-payment interest"),
    (
        "rate.kind.standardkompensasjon",
        "Standardkompensasjon (næringsdrivende)",
        "Standard compensation (business debtors)",
    ),
    ("rate.kind.rettsgebyr", "Rettsgebyr (R)", "Court fee (R)"),
    (
        "rate.kind.rettsgebyr_multiple",
        "Rettslige skritt (ganger R)",
        "Legal steps (times R)",
    ),
    ("rate.kind.salaer_lett", "Salær, lett inkasso", "Collection fee, simple collection"),
    ("rate.kind.salaer_tungt", "Salær, tung inkasso", "Collection fee, heavy collection"),
    (
        "rate.kind.salaer_business_factor",
        "Salær mot næringsdrivende (faktor)",
        "Collection fee, business debtors (factor)",
    ),
    (
        "rate.kind.salaer_tungt_min_days",
        "Dager over betalingsfristen før tungt salær",
        "Days past the payment deadline before the heavy fee",
    ),
    (
        "rate.kind.inkassovarsel_fee_min_days",
        "Dager fra inkassovarsel til salær",
        "Days from the collection notice to a fee",
    ),
    (
        "rate.kind.avdragsgebyr_multiple",
        "Avdragsgebyr (ganger inkassosatsen)",
        "Instalment surcharge (times the collection rate)",
    ),
    (
        "rate.kind.avdragsgebyr_min_instalments",
        "Avdrag før avdragsgebyr (flere enn)",
        "Instalments before the surcharge (more than)",
    ),
    ("rate.kind.mva", "Merverdiavgift", "Value added tax"),
    (
        "rate.kind.betalingsoppfordring_egeninkasso_gebyr",
        "Gebyr for betalingsoppfordring (egeninkasso)",
        "Fee for a demand for payment (own collection)",
    ),
    # -- parameters -------------------------------------------------------------------
    ("rate.parameter.legal_step_forliksklage", "Forliksklage", "Claim to the conciliation board"),
    ("rate.parameter.legal_step_utlegg", "Begjæring om utlegg", "Petition for attachment"),
    ("rate.parameter.legal_step_konkurs", "Konkursbegjæring", "Bankruptcy petition"),
    (
        "rate.parameter.legal_step_forkynnelse_konkursvarsel",
        "Forkynnelse av konkursvarsel",
        "Service of a bankruptcy warning",
    ),
    (
        "rate.parameter.legal_step_tvangsdekning",
        "Begjæring om tvangsdekning",
        "Petition for forced recovery",
    ),
    (
        "rate.parameter.legal_step_tvangsdekning_gjennomfort",
        "Tvangsdekning gjennomført",
        "Forced recovery carried out",
    ),
    (
        "rate.parameter.legal_step_tvangsdekning_pengekrav",
        "Tvangsdekning i pengekrav",
        "Forced recovery of a money claim",
    ),
    ("rate.bracket.up_to", "Krav til og med {amount}", "Claims up to and including {amount}"),
    ("rate.bracket.over", "Krav over {amount}", "Claims over {amount}"),
    ("rate.bracket.over_any", "Krav over høyeste grense", "Claims over the highest limit"),
    ("rate.unknown_kind", "Annen sats ({name})", "Other rate ({name})"),
]
