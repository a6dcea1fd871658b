"""The «Integrasjoner» page's words (key, bokmål, English), joined into
:data:`gateway.portal.messages.MESSAGES`, with the integrations service's codes (sync
outcomes, the ERP's refusals) and the field codes of the cases service's rules.
"""

# ruff: noqa: E501

from __future__ import annotations

ENTRIES: list[tuple[str, str, str]] = [
    (
        "case.tl.paid_directly",
        "Innbetalt direkte til oppdragsgiver: {amount} (faktura {invoice}, ifølge Tripletex)",
        "Paid directly to the creditor: {amount} (invoice {invoice}, according to Tripletex)",
    ),
    (
        "case.tl.credited_directly",
        "Kreditnota fra oppdragsgiver: {amount} (faktura {invoice}, ifølge Tripletex)",
        "Credit note from the creditor: {amount} (invoice {invoice}, according to Tripletex)",
    ),
    ("nav.integrations", "Integrasjoner", "Integrations"),
    ("integrations.title", "Integrasjoner", "Integrations"),
    (
        "integrations.intro",
        "Koble organisasjonens regnskapssystem til InfoCenter: forfalte fakturaer blir saker automatisk, og direkte innbetalinger og kreditnotaer i regnskapet kommer med på sakene.",
        "Connect your organisation's accounting system to InfoCenter: overdue invoices become cases automatically, and direct payments and credit notes in your books reach the cases.",
    ),
    ("integrations.tripletex", "Tripletex", "Tripletex"),
    ("integrations.status", "Status", "Status"),
    ("integrations.status.active", "Aktiv", "Active"),
    ("integrations.status.paused", "Satt på pause", "Paused"),
    ("integrations.company", "Firma-ID i Tripletex", "Company id in Tripletex"),
    ("integrations.last_sync", "Siste synkronisering", "Last sync"),
    ("integrations.next_sync", "Neste synkronisering", "Next sync"),
    ("integrations.never", "Ikke ennå", "Not yet"),
    ("integrations.registered", "Fakturaer registrert som saker", "Invoices registered as cases"),
    (
        "integrations.waiting",
        "Overført, venter på registrering",
        "Handed over, awaiting registration",
    ),
    (
        "integrations.refused",
        "Fakturaer som ikke kunne registreres",
        "Invoices that could not be registered",
    ),
    (
        "integrations.conflicts",
        "Saker der fakturaen er endret i Tripletex",
        "Cases whose invoice changed in Tripletex",
    ),
    ("integrations.sync_now", "Synkroniser nå", "Sync now"),
    ("integrations.pause", "Sett på pause", "Pause"),
    ("integrations.resume", "Gjenoppta", "Resume"),
    ("integrations.retry", "Prøv igjen", "Try again"),
    (
        "integrations.invoices_title",
        "Fakturaer som trenger oppmerksomhet",
        "Invoices that need attention",
    ),
    (
        "integrations.invoices_none",
        "Ingen fakturaer trenger oppmerksomhet.",
        "No invoices need attention.",
    ),
    ("integrations.runs_title", "Siste synkroniseringer", "Recent syncs"),
    ("integrations.runs_none", "Ingen synkroniseringer ennå.", "No syncs yet."),
    ("integrations.col.invoice", "Fakturanr.", "Invoice no."),
    ("integrations.col.state", "Status", "Status"),
    ("integrations.col.case", "Saksnr.", "Case no."),
    ("integrations.col.problem", "Hva er galt", "What is wrong"),
    ("integrations.col.outstanding", "Utestående", "Outstanding"),
    ("integrations.col.actions", "Handlinger", "Actions"),
    ("integrations.col.started", "Startet", "Started"),
    ("integrations.col.outcome", "Resultat", "Outcome"),
    ("integrations.col.read", "Fakturaer lest", "Invoices read"),
    ("integrations.col.handed_over", "Overført", "Handed over"),
    ("integrations.col.payments", "Direkte innbetalinger", "Direct payments"),
    ("integrations.state.handed_over", "Overført", "Handed over"),
    ("integrations.state.registered", "Registrert", "Registered"),
    ("integrations.state.refused", "Ikke registrert", "Not registered"),
    ("integrations.connect_title", "Koble til Tripletex", "Connect Tripletex"),
    ("integrations.renew_title", "Bytt nøkler", "Replace the keys"),
    (
        "integrations.connect_intro",
        "Lag en ansattnøkkel for InfoCenter i Tripletex (Innstillinger → API-tilgang) og lim den inn her sammen med applikasjonsnøkkelen fra avtalen med oss. Nøklene kontrolleres hos Tripletex og lagres kryptert; de vises aldri igjen.",
        "Create an employee token for InfoCenter in Tripletex (Settings → API access) and paste it here with the consumer token from your agreement with us. The keys are checked at Tripletex and stored encrypted; they are never shown again.",
    ),
    ("integrations.consumer_token", "Applikasjonsnøkkel (consumer token)", "Consumer token"),
    ("integrations.employee_token", "Ansattnøkkel (employee token)", "Employee token"),
    ("integrations.connect", "Koble til", "Connect"),
    # notices
    (
        "integrations.notice.connected",
        "Tripletex er koblet til. Første synkronisering starter nå.",
        "Tripletex is connected. The first sync starts now.",
    ),
    (
        "integrations.notice.paused",
        "Integrasjonen er satt på pause. Ingen fakturaer overføres før du gjenopptar.",
        "The integration is paused. No invoices are handed over until you resume.",
    ),
    ("integrations.notice.resumed", "Integrasjonen er gjenopptatt.", "The integration is resumed."),
    (
        "integrations.notice.sync",
        "Synkroniseringen starter om et øyeblikk.",
        "The sync starts in a moment.",
    ),
    (
        "integrations.notice.retry",
        "Fakturaen overføres på nytt ved neste synkronisering.",
        "The invoice is handed over again at the next sync.",
    ),
    (
        "integrations.notice.not_possible",
        "Det gikk ikke nå. Last siden på nytt og prøv igjen.",
        "That was not possible now. Reload the page and try again.",
    ),
    # sync outcomes and the ERP's refusals (service codes)
    ("integrations.outcome.ok", "OK", "OK"),
    ("integrations.outcome.None", "Pågår", "In progress"),
    (
        "integrations.outcome.erp_unauthorised",
        "Tripletex godtok ikke nøklene",
        "Tripletex did not accept the keys",
    ),
    (
        "integrations.outcome.erp_rate_limited",
        "Tripletex ba oss vente; prøver igjen snart",
        "Tripletex asked us to wait; trying again soon",
    ),
    (
        "integrations.outcome.erp_unavailable",
        "Tripletex svarte ikke; prøver igjen snart",
        "Tripletex did not answer; trying again soon",
    ),
    (
        "integrations.outcome.erp_rejected",
        "Tripletex avviste forespørselen",
        "Tripletex rejected the request",
    ),
    (
        "integrations.outcome.erp_bad_answer",
        "Uventet svar fra Tripletex",
        "Unexpected answer from Tripletex",
    ),
    (
        "integrations.erp.erp_unauthorised",
        "Tripletex godtok ikke nøklene. Sjekk at begge er limt inn riktig og at ansattnøkkelen er aktiv.",
        "Tripletex did not accept the keys. Check that both are pasted correctly and that the employee token is active.",
    ),
    (
        "integrations.erp.erp_rate_limited",
        "Tripletex ba oss vente. Prøv igjen om et minutt.",
        "Tripletex asked us to wait. Try again in a minute.",
    ),
    (
        "integrations.erp.erp_unavailable",
        "Vi fikk ikke kontakt med Tripletex. Prøv igjen senere.",
        "We could not reach Tripletex. Try again later.",
    ),
    (
        "integrations.erp.erp_rejected",
        "Tripletex avviste forespørselen.",
        "Tripletex rejected the request.",
    ),
    (
        "integrations.erp.erp_bad_answer",
        "Uventet svar fra Tripletex. Prøv igjen senere.",
        "Unexpected answer from Tripletex. Try again later.",
    ),
    ("integrations.erp.", "Tripletex godtok ikke nøklene.", "Tripletex did not accept the keys."),
    (
        "integrations.conflict.due_date_changed",
        "Forfallsdatoen er endret i Tripletex etter overføring",
        "The due date was changed in Tripletex after handover",
    ),
    (
        "integrations.conflict.amount_increased",
        "Beløpet er økt i Tripletex etter overføring",
        "The amount was increased in Tripletex after handover",
    ),
    # the fields the cases service names (its rules) and the connector's own codes
    (
        "integrations.field.debtor.organisation_number",
        "Kunden mangler gyldig norsk organisasjonsnummer",
        "The customer has no valid Norwegian organisation number",
    ),
    (
        "integrations.field.debtor.national_id",
        "Privatkunde: fødselsnummer mangler (Tripletex har det ikke); registrer saken i portalen",
        "Private customer: the national id number is missing (Tripletex does not hold it); register the case in the portal",
    ),
    (
        "integrations.field.debtor.name",
        "Kundens navn mangler eller er for langt",
        "The customer's name is missing or too long",
    ),
    (
        "integrations.field.debtor.address.lines",
        "Kundens adresse mangler",
        "The customer's address is missing",
    ),
    (
        "integrations.field.debtor.address.postal_code",
        "Kundens postnummer er ugyldig",
        "The customer's postal code is invalid",
    ),
    (
        "integrations.field.debtor.address.city",
        "Kundens poststed mangler",
        "The customer's postal town is missing",
    ),
    (
        "integrations.field.debtor.address.country",
        "Kundens land er ugyldig",
        "The customer's country is invalid",
    ),
    (
        "integrations.field.debtor.email",
        "Kundens e-postadresse er ugyldig",
        "The customer's e-mail address is invalid",
    ),
    (
        "integrations.field.debtor.phone",
        "Kundens telefonnummer er ugyldig",
        "The customer's phone number is invalid",
    ),
    (
        "integrations.field.claims.principal_ore",
        "Utestående beløp er ugyldig",
        "The outstanding amount is invalid",
    ),
    (
        "integrations.field.claims.due_date",
        "Forfallsdatoen er ugyldig eller ikke passert",
        "The due date is invalid or not passed",
    ),
    (
        "integrations.field.claims.invoice_date",
        "Fakturadatoen er ugyldig",
        "The invoice date is invalid",
    ),
    (
        "integrations.field.claims.invoice_number",
        "Fakturanummeret er ugyldig",
        "The invoice number is invalid",
    ),
    (
        "integrations.field.creditor_reference",
        "Fakturaen er allerede registrert som sak",
        "The invoice is already registered as a case",
    ),
    (
        "integrations.field.erp.customer_missing",
        "Kunden finnes ikke i Tripletex",
        "The customer does not exist in Tripletex",
    ),
    (
        "integrations.field.erp.invoice_unreadable",
        "Fakturaen eller kunden har verdier vi ikke kan lese",
        "The invoice or customer has values we cannot read",
    ),
    ("integrations.field.unknown", "Ble ikke registrert", "Was not registered"),
    ("integrations.field.other", "Feil i feltet {field}", "Error in the field {field}"),
]
