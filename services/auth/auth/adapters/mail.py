"""Mail adapters for the :class:`~auth.domain.ports.Mailer` port.

- :class:`SmtpMailer` hands each message to an SMTP relay with ``aiosmtplib``: optional
  STARTTLS and AUTH (credentials are only ever sent after STARTTLS), bounded by a
  timeout. Locally and in tests the relay is ``simulators.mail.MailSink``.
- :class:`RecordingMailer` keeps messages in memory, for unit tests of the handlers.

Nothing here logs a recipient or a message body: the body holds a single-use link.
"""

from __future__ import annotations

import logging
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

import aiosmtplib

from auth.domain.ports import MailNotSent, OutgoingMail
from auth.settings import AuthSettings

log = logging.getLogger(__name__)


class SmtpMailer:
    """Sends through an SMTP relay, one connection per message.

    ``sender`` is the ``From`` address (``"InfoCenter <no-reply@…>"``); its bare address
    is the envelope sender. ``tls_context`` overrides the default (system CAs, host name
    checked), for a relay with a private CA or, in tests, the sink's certificate.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("SMTP username and password go together")
        if username is not None and not starttls:
            raise ValueError("SMTP credentials are only sent over STARTTLS: enable it")
        display_name, address = parseaddr(sender)
        if "@" not in address:
            raise ValueError("the sender must be an e-mail address")
        self._host = host
        self._port = port
        self._from = formataddr((display_name, address)) if display_name else address
        self._envelope_sender = address
        self._domain = address.rpartition("@")[2]
        self._starttls = starttls
        self._username = username
        self._password = password
        self._timeout = timeout
        self._tls_context = tls_context

    @classmethod
    def from_settings(
        cls, settings: AuthSettings, *, tls_context: ssl.SSLContext | None = None
    ) -> SmtpMailer:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password,
            tls_context=tls_context,
        )

    def compose(self, message: OutgoingMail) -> EmailMessage:
        """The MIME message as it goes on the wire (plain text, HTML as its alternative)."""
        email = EmailMessage()
        email["From"] = self._from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = format_datetime(datetime.now(UTC))
        email["Message-ID"] = make_msgid(domain=self._domain)
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        email["Content-Language"] = "nb, en"
        email.set_content(message.text)
        if message.html is not None:
            email.add_alternative(message.html, subtype="html")
        return email

    async def send(self, message: OutgoingMail) -> None:
        email = self.compose(message)
        try:
            await aiosmtplib.send(
                email,
                sender=self._envelope_sender,
                recipients=[message.to],
                hostname=self._host,
                port=self._port,
                start_tls=self._starttls,
                username=self._username,
                password=self._password,
                timeout=self._timeout,
                tls_context=self._tls_context,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Only transport facts: an SMTP reply text may quote the recipient.
            raise MailNotSent(
                f"the mail relay {self._host}:{self._port} did not take the message "
                f"({_describe(exc)})"
            ) from None
        log.info("mail handed to the relay", extra={"message_id": email["Message-ID"]})


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{type(exc).__name__}, SMTP {exc.code}"
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = sorted({refused.code for refused in exc.recipients})
        return f"{type(exc).__name__}, SMTP {', '.join(map(str, codes))}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return type(exc).__name__


class RecordingMailer:
    """In-memory mailer for unit tests: keeps every message; ``fail = True`` refuses them."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.fail = False

    async def send(self, message: OutgoingMail) -> None:
        if self.fail:
            raise MailNotSent("the recording mailer was told to fail")
        self.sent.append(message)

    def to(self, address: str) -> list[OutgoingMail]:
        """What was sent to ``address`` (case-insensitive), oldest first."""
        wanted = address.strip().lower()
        return [m for m in self.sent if m.to.strip().lower() == wanted]
