"""The roles a user can hold (pure: domain modules may import it)."""


class Roles:
    """The roles a user can hold."""

    CREDITOR = "creditor"
    CREDITOR_ADMIN = "creditor_admin"
    CASE_HANDLER = "case_handler"
    AGENCY_ADMIN = "agency_admin"
    ALL = frozenset({CREDITOR, CREDITOR_ADMIN, CASE_HANDLER, AGENCY_ADMIN})
    AGENCY = frozenset({CASE_HANDLER, AGENCY_ADMIN})
