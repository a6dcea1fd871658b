"""«A report is ready» mail through an SMTP relay (locally ``simulators.mail.MailSink``).

The message says only that a report is ready and links to the portal's «Lagrede
rapporter» page: no report name, figures or personal data. Nothing here logs the
recipient.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

log = logging.getLogger(__name__)

SUBJECT = "En rapport er klar i InfoCenter"
BODY = (
    "Hei,\n\nen planlagt rapport er klar i InfoCenter. Logg inn for å hente den:\n\n{link}\n\n"
    "Denne e-posten er sendt automatisk og kan ikke besvares.\n"
)


class MailNotSent(Exception):
    """The relay did not take the message (transport facts only)."""


class SmtpReadyNotifier:
    """Sends the «ready» mail, one connection per message, bounded by a timeout."""

    def __init__(
        self, *, host: str, port: int, sender: str, portal_url: str, timeout: float = 10.0
    ) -> None:
        address = parseaddr(sender)[1]
        if "@" not in address:
            raise ValueError("the sender must be an e-mail address")
        self._host, self._port, self._from = host, port, sender
        self._envelope_sender = address
        self._domain = address.rpartition("@")[2]
        self._link = portal_url.rstrip("/") + "/rapporter/lagrede"
        self._timeout = timeout

    def compose(self, to: str) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._from
        email["To"] = to
        email["Subject"] = SUBJECT
        email["Date"] = format_datetime(datetime.now(UTC))
        email["Message-ID"] = make_msgid(domain=self._domain)
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(BODY.format(link=self._link))
        return email

    async def report_ready(self, to: str) -> None:
        email = self.compose(to)
        try:
            await aiosmtplib.send(
                email,
                sender=self._envelope_sender,
                recipients=[to],
                hostname=self._host,
                port=self._port,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailNotSent(
                f"the mail relay {self._host}:{self._port} did not take the message "
                f"({type(exc).__name__})"
            ) from None
        log.info("report-ready mail handed to the relay", extra={"message_id": email["Message-ID"]})
