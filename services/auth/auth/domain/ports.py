"""Ports: what the identity domain needs from the outside world.

Each port is a protocol here; its adapters live in ``auth.adapters`` and
``auth.bootstrap`` picks one. Keep each port's section self-contained.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# -- outgoing mail (invitations, password resets) ------------------------------------------


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """One e-mail to one recipient: the address, a subject, plain text and optional HTML.

    Carries no personal data beyond the recipient's address (which only goes into the
    envelope and the ``To`` header); see ``auth.domain.messages``.
    """

    to: str
    subject: str
    text: str
    html: str | None = None

    def __post_init__(self) -> None:
        for name, value in (("to", self.to), ("subject", self.subject)):
            if "\r" in value or "\n" in value:
                raise ValueError(f"a mail's {name} may not contain line breaks")
        local, _, domain = self.to.partition("@")
        if (
            not local
            or not domain
            or "@" in domain
            or any(c.isspace() or c in ',;<>"' for c in self.to)
        ):
            raise ValueError("a mail's recipient must be one bare e-mail address")


class MailNotSent(Exception):
    """The mail relay did not take the message (unreachable, refused, timed out).

    The message says what went wrong in transport terms only: never the recipient nor
    the content (which holds a single-use link).
    """


class Mailer(Protocol):
    async def send(self, message: OutgoingMail) -> None:
        """Hand ``message`` to the mail relay; raises :class:`MailNotSent` if it is not taken."""
        ...
