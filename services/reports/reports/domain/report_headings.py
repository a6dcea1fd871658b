"""The catalogue's reports and columns as a printed report names them (bokmål): the PDF's
title and column headings. The portal has its own words for its pages."""

from __future__ import annotations

TITLES: dict[str, str] = {
    "saksliste": "Saksliste",
    "nye_saker": "Nye saker per måned",
    "aldersfordeling": "Aldersfordeling",
    "innbetalinger": "Innbetalinger",
    "avregninger": "Avregninger",
    "statusrapport": "Åpne saker per status",
    "avsluttede_saker": "Avsluttede saker per avslutningsårsak",
    "losningsgrad": "Løsningsgrad per registreringsmåned",
    "tid_til_forste_innbetaling": "Tid til første innbetaling",
    "avregninger_per_periode": "Avregninger per måned",
}

HEADINGS: dict[str, str] = {
    "saksnummer": "Saksnr.",
    "oppdragsgivers_referanse": "Deres ref.",
    "skyldner": "Skyldner",
    "skyldnertype": "Skyldnertype",
    "status": "Status",
    "registrert": "Registrert",
    "forfall": "Forfall",
    "hovedstol": "Hovedstol",
    "utestaende_hovedstol": "Utestående hovedstol",
    "saldo": "Saldo",
    "avsluttet": "Avsluttet",
    "avslutningsarsak": "Avslutningsårsak",
    "maned": "Måned",
    "antall": "Antall",
    "dager_siden_forfall": "Dager siden forfall",
    "valuteringsdato": "Valuteringsdato",
    "renter": "Renter",
    "gebyrer": "Gebyrer",
    "inkassosalaer": "Inkassosalær",
    "rettsgebyr": "Rettsgebyr",
    "provisjon": "Provisjon",
    "netto": "Netto",
    "avregning": "Avregning",
    "periode_slutt": "Periode slutt",
    "utbetalingsdato": "Utbetalingsdato",
    "linjer": "Linjer",
    "innkrevd": "Innkrevd",
    "kredittopplysninger": "Kredittopplysninger",
    "utbetalt": "Utbetalt",
    "innkrevd_hovedstol": "Innkrevd hovedstol",
    "registreringsmaned": "Registreringsmåned",
    "saker": "Saker",
    "saker_med_innbetaling": "Saker med innbetaling",
    "registrert_hovedstol": "Registrert hovedstol",
    "losningsgrad": "Løsningsgrad (%)",
    "snitt_dager": "Snitt dager",
    "median_dager": "Median dager",
    "avregninger": "Avregninger",
}

FILTER_NAMES: dict[str, str] = {
    "creditor_id": "Oppdragsgiver",
    "period_from": "Fra og med",
    "period_to": "Til og med",
    "status": "Status",
    "debtor_kind": "Skyldnertype",
    "batch_id": "Bunt",
}
