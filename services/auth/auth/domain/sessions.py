"""Session lifetimes (ASVS 7.3): short access tokens, idle and absolute timeouts.

An access token lives 5 minutes. A refresh token is single use and expires after 30 idle
minutes; the session ends 12 hours after sign-in whatever happens. Reusing a spent refresh
token revokes the whole session (its token family).
"""

from __future__ import annotations

from datetime import datetime, timedelta

ACCESS_TOKEN_TTL = timedelta(minutes=5)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
MFA_CHALLENGE_TTL = timedelta(minutes=5)
INVITATION_TTL = timedelta(days=3)
PASSWORD_RESET_TTL = timedelta(minutes=30)
ENROLMENT_TTL = timedelta(minutes=15)
SEEN_RESOLUTION = timedelta(minutes=1)
"""How far «last seen» may lag: a session checked by a service (each request) moves it when
it is older than this, so the sessions page shows activity, not only sign-ins and refreshes."""


def refresh_expiry(now: datetime, absolute_expires_at: datetime) -> datetime:
    return min(now + IDLE_TIMEOUT, absolute_expires_at)


class RevocationReason:
    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    REVOKED_BY_USER = "revoked_by_user"
    REFRESH_TOKEN_REUSE = "refresh_token_reuse"
    PASSWORD_CHANGED = "password_changed"
    FACTOR_CHANGED = "factor_changed"
    DEACTIVATED = "deactivated"
    ROLES_CHANGED = "roles_changed"


class LinkPurpose:
    """What a single-use action token (``action_tokens.purpose``) is for."""

    INVITATION = "invitation"
    ENROLMENT = "enrolment"
    """Second step of an invitation: confirm the authenticator with a first code."""
    PASSWORD_RESET = "password_reset"
    TOTP_CHANGE = "totp_change"
    """A signed-in user replacing their authenticator: confirm the new one with a code."""
    ALL = (INVITATION, ENROLMENT, PASSWORD_RESET, TOTP_CHANGE)
