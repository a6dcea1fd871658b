"""A creditor's webhook endpoint: its URL's rules, its event filter and its signing secret."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from webhooks.domain.catalogue import EVENT_TYPES
from webhooks.domain.errors import InvalidInput

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
"""Standard Webhooks: a random secret of 24 to 64 bytes; we use 32."""
MAX_URL_LENGTH = 2000
MAX_EVENT_TYPES = len(EVENT_TYPES)


def new_secret() -> str:
    """A fresh signing secret ``whsec_<base64 of 32 random bytes>``."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@dataclass(frozen=True)
class TargetUrl:
    """An endpoint's URL, checked for its form (its addresses are checked on resolution)."""

    url: str
    host: str
    port: int

    @classmethod
    def parse(cls, url: str, *, allow_http: bool) -> TargetUrl:
        if len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 0x20 for c in url):
            raise InvalidInput("url", "url-invalid")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise InvalidInput("url", "url-invalid") from exc
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise InvalidInput("url", "url-invalid")
        if parts.scheme == "http" and not allow_http:
            raise InvalidInput("url", "https-required")
        if parts.username is not None or parts.password is not None or parts.fragment:
            raise InvalidInput("url", "url-invalid")
        default = 443 if parts.scheme == "https" else 80
        return cls(url=url, host=parts.hostname, port=port or default)


def event_filter(event_types: Iterable[str]) -> tuple[str, ...]:
    """The subscribed types, known ones only, each once, in a stable order."""
    chosen = sorted(set(event_types))
    if not chosen:
        raise InvalidInput("event_types", "event-types-required")
    if any(t not in EVENT_TYPES for t in chosen):
        raise InvalidInput("event_types", "event-type-unknown")
    return tuple(chosen)
