"""The roles a user can hold (pure: domain modules may import it)."""


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
