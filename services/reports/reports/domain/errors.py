"""Reports domain errors."""

from __future__ import annotations

import uuid

from servicekit.errors import DomainError, NotFound


class OrganisationNotInReadModel(Exception):
    """An event about an organisation whose registration the read model has not applied.

    Raised to refuse the event for now: the consumer retries it with back-off, by which
    time the registration (delayed by its own retry) has usually arrived.
    """

    def __init__(self, organisation_id: uuid.UUID) -> None:
        super().__init__(f"organisation {organisation_id} is not in the read model yet")
        self.organisation_id = organisation_id


class CasesNotInReadModel(Exception):
    """A settlement names cases whose registration the read model has not applied yet:
    refused for now, retried with back-off (the statement prints their numbers)."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} case(s) of the settlement are not in the read model yet")


class AgencyUnknown(Exception):
    """No agency organisation in the read model and none configured: a document cannot
    name its issuer yet (retried)."""


class DocumentNotFound(NotFound):
    """No such document for the caller (another creditor's is not found either)."""

    type, title = "document-not-found", "No such document"


class InvalidCursor(DomainError):
    status, type, title = 422, "invalid-cursor", "Invalid cursor"

    def __init__(self) -> None:
        super().__init__(
            "The cursor is not one this list gave.",
            errors=[{"field": "cursor", "reason": "invalid"}],
        )


class TooManyDocuments(DomainError):
    """A ZIP would hold more documents than one download may."""

    status, type, title = 422, "too-many-documents", "Too many documents"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Select at most {limit} documents for one download.",
            errors=[{"field": "id", "reason": "too_many", "limit": limit}],
        )


class NothingSelected(DomainError):
    status, type, title = 422, "no-documents-selected", "No documents selected"

    def __init__(self) -> None:
        super().__init__("No document matches the selection.")


class ReportNotFound(NotFound):
    type, title = "report-not-found", "No such report"


class CaseNotFound(NotFound):
    type, title = "case-not-found", "No such case"


class InvalidAsOf(DomainError):
    status, type, title = 422, "as-of-in-the-future", "Date in the future"

    def __init__(self) -> None:
        super().__init__(
            "A statement cannot be made as of a day not yet come.",
            errors=[{"field": "as_of", "reason": "in_the_future"}],
        )


class InvalidSavedReport(DomainError):
    """A saved report names a column or filter its report does not have."""

    status, type, title = 422, "invalid-saved-report", "Invalid saved report"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(
            "The report does not have that column or filter.",
            errors=[{"field": field, "reason": reason}],
        )


class SavedReportNotFound(NotFound):
    """No such saved report for the caller (another creditor's is not found either)."""

    type, title = "saved-report-not-found", "No such saved report"


class ScheduleNotFound(NotFound):
    type, title = "schedule-not-found", "No such schedule"


class ReportRunNotFound(NotFound):
    type, title = "report-run-not-found", "No such report run"


class CreditorRequired(DomainError):
    """Agency staff save and run reports for one creditor at a time: name it."""

    status, type, title = 422, "creditor-required", "Creditor required"

    def __init__(self) -> None:
        super().__init__(
            "Name the creditor the report is for.",
            errors=[{"field": "creditor_id", "reason": "required"}],
        )


class DocumentNotCorrectable(DomainError):
    """Only a settlement statement is corrected (by a credit note); other documents are
    made again from their source or are not sales documents."""

    status, type, title = 409, "document-not-correctable", "This document cannot be corrected"


class DocumentAlreadyCorrected(DomainError):
    """A statement is credited once; correct its replacement instead."""

    status, type, title = 409, "document-already-corrected", "The document is corrected already"


class SettlementNotInReadModel(DomainError):
    """The statement's settlement is no longer in the read model (purged): it cannot be
    credited line by line."""

    status, type, title = 409, "settlement-unavailable", "The settlement is not available"
