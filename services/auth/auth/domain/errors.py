"""Identity domain errors."""

from servicekit.errors import Conflict, DomainError


class InvalidOrganisationNumber(DomainError):
    status, type, title = 422, "invalid-organisation-number", "Invalid organisation number"

    def __init__(self, value: str) -> None:
        super().__init__(
            "The organisation number is not a valid Norwegian organisasjonsnummer.",
            errors=[{"field": "organisation_number", "reason": "invalid check digit or length"}],
        )


class OrganisationAlreadyRegistered(Conflict):
    type, title = "organisation-exists", "Organisation already registered"
