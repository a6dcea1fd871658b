"""Reports domain errors."""

from __future__ import annotations

import uuid


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
