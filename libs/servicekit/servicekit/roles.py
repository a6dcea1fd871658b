"""The roles a user can hold and the scopes an API client can hold (pure: domain modules
may import it; ``servicekit.scopes`` checks the scopes per route)."""


class Roles:
    """The roles a user can hold."""

    CREDITOR = "creditor"
    CREDITOR_ADMIN = "creditor_admin"
    CASE_HANDLER = "case_handler"
    AGENCY_ADMIN = "agency_admin"
    CREDIT_ORDERER = "credit_orderer"
    """A creditor user its admin let buy credit reports (never implied by another role:
    Datatilsynet fined an orderer without a rule on who may order, Recover AS 2022)."""
    OPS = "ops"
    """Agency staff who run the system: the ops pages and the dead letters (never implied by
    another role; agency administrators grant it)."""
    ALL = frozenset({CREDITOR, CREDITOR_ADMIN, CASE_HANDLER, AGENCY_ADMIN, CREDIT_ORDERER, OPS})
    AGENCY = frozenset({CASE_HANDLER, AGENCY_ADMIN})


class Scopes:
    """The scopes a creditor admin can give an API client."""

    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    DOCUMENTS_READ = "documents:read"
    SETTLEMENTS_READ = "settlements:read"
    CREDIT_ORDER = "credit:order"
    WEBHOOKS_MANAGE = "webhooks:manage"
    ALL = frozenset(
        {CASES_READ, CASES_WRITE, DOCUMENTS_READ, SETTLEMENTS_READ, CREDIT_ORDER, WEBHOOKS_MANAGE}
    )
    DESCRIPTIONS: dict[str, str] = {
        CASES_READ: "Read the organisation's cases, their notes and batches",
        CASES_WRITE: "Register cases and write notes to the case handler",
        DOCUMENTS_READ: "Read and download the organisation's documents",
        SETTLEMENTS_READ: "Read settlements (avregninger) and payments",
        CREDIT_ORDER: "Order credit reports",
        WEBHOOKS_MANAGE: "Manage the organisation's webhook endpoints",
    }
