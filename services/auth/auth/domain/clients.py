"""An organisation's API clients: machines that get tokens by the client-credentials grant.

A creditor admin creates a client with a name, the scopes it may ask for and, optionally,
the networks (CIDR) its token requests may come from. Its secret is 256 random bits, shown
once and kept as SHA-256 (a high-entropy secret needs no slow hash, the refresh tokens'
rule; ADR 0040). Rotating keeps the old secret valid until a chosen time; revoking ends
every token of the client at once (its id is the tokens' session).
"""

from __future__ import annotations

import hmac
import ipaddress
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from servicekit.roles import Roles, Scopes

SECRET_PREFIX = "ics_"
"""Marks an InfoCenter client secret, for secret scanners and for people."""
MAX_NETWORKS = 20
MAX_OVERLAP = timedelta(days=7)
DEFAULT_OVERLAP = timedelta(hours=24)
CLIENT_TOKEN_TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class ApiClient:
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    scopes: frozenset[str]
    allowed_networks: tuple[str, ...]
    secret_hash: str
    previous_secret_hash: str | None
    previous_secret_valid_until: datetime | None
    created_at: datetime
    created_by: uuid.UUID
    rotated_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    last_used_ip: str | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def secret_matches(self, digest: str, now: datetime) -> bool:
        """The current secret, or the previous one inside its overlap window."""
        if hmac.compare_digest(self.secret_hash, digest):
            return True
        return bool(
            self.previous_secret_hash
            and self.previous_secret_valid_until is not None
            and self.previous_secret_valid_until > now
            and hmac.compare_digest(self.previous_secret_hash, digest)
        )

    def admits_address(self, ip: str | None) -> bool:
        """Whether a token may be asked from ``ip`` (no allow-list: from anywhere)."""
        if not self.allowed_networks:
            return True
        if ip is None:
            return False
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(n) for n in self.allowed_networks)


class ScopeRejected(ValueError):
    """A scope that is not one of :class:`servicekit.scopes.Scopes`."""


def scopes_of(names: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """The scopes named, all known (:class:`ScopeRejected` otherwise), at least one."""
    unknown = sorted(set(names) - Scopes.ALL)
    if unknown:
        raise ScopeRejected(f"unknown scope: {', '.join(unknown)}")
    if not names:
        raise ScopeRejected("give at least one scope")
    return frozenset(names)


def networks_of(blocks: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """CIDR blocks in canonical form (``192.0.2.7`` → ``192.0.2.7/32``); ValueError if bad."""
    if len(blocks) > MAX_NETWORKS:
        raise ValueError(f"at most {MAX_NETWORKS} networks")
    canonical: list[str] = []
    for block in blocks:
        network = ipaddress.ip_network(block.strip(), strict=False)
        if str(network) not in canonical:
            canonical.append(str(network))
    return tuple(canonical)


def requested_scopes(asked: str | None, granted: frozenset[str]) -> frozenset[str] | None:
    """The scopes a token gets: those asked for (all the client's when none are named);
    ``None`` when one is asked that the client does not have (``invalid_scope``)."""
    if asked is None or not asked.strip():
        return granted
    wanted = frozenset(asked.split())
    return wanted if wanted <= granted else None


def token_roles(scopes: frozenset[str]) -> frozenset[str]:
    """The roles a client's token carries: a creditor user's, and the right to order
    credit reports only with ``credit:order`` (never implied). What the client reaches
    is decided by the scopes each route names (``servicekit.scopes``), not these."""
    roles = {Roles.CREDITOR}
    if Scopes.CREDIT_ORDER in scopes:
        roles.add(Roles.CREDIT_ORDERER)
    return frozenset(roles)
