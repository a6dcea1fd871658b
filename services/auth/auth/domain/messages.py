"""The identity service's e-mails: invitation, password reset and «new documents are
ready» (pure, no I/O).

Each mail is Norwegian bokmål first, English below, in plain text and simple HTML. It
carries a single-use link and its expiry and nothing else about anyone: no name, no
organisation, no role; the greeting is generic. The recipient's address goes into the
envelope and the ``To`` header only. Times are shown as Norwegian wall-clock time
(``25.11.2026 kl. 14:30``, Europe/Oslo).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from auth.domain.ports import OutgoingMail

OSLO = ZoneInfo("Europe/Oslo")
PRODUCT = "InfoCenter"


class _Link:
    """Stands in a paragraph list for the link, rendered as a paragraph of its own."""


LINK = _Link()


@dataclass(frozen=True)
class _Section:
    lang: str
    paragraphs: Sequence[str | _Link]


def norwegian_datetime(moment: datetime) -> str:
    """``25.11.2026 kl. 14:30``: a timezone-aware moment as Norwegian wall-clock time."""
    local = _oslo(moment)
    return f"{local:%d.%m.%Y} kl. {local:%H:%M}"


def _english_datetime(moment: datetime) -> str:
    local = _oslo(moment)
    return f"{local:%d.%m.%Y} at {local:%H:%M} (Norwegian time)"


def _oslo(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("expiry must be timezone-aware")
    return moment.astimezone(OSLO)


def _checked_link(link: str) -> str:
    parts = urlsplit(link)
    if (
        parts.scheme not in ("https", "http")
        or not parts.netloc
        or any(c.isspace() or not c.isprintable() for c in link)
    ):
        raise ValueError("the link must be an absolute http(s) URL without spaces")
    return link


def invitation_mail(to: str, link: str, expires_at: datetime) -> OutgoingMail:
    """The invitation to a new user: choose a password through ``link`` before ``expires_at``."""
    link = _checked_link(link)
    return _render(
        to,
        subject=f"Invitasjon til {PRODUCT} / Invitation to {PRODUCT}",
        link=link,
        sections=(
            _Section(
                "nb",
                (
                    "Hei,",
                    f"Du er invitert som bruker av {PRODUCT}, kundeportalen for våre "
                    "oppdragsgivere.",
                    "Åpne lenken under for å velge passord og aktivere brukerkontoen din:",
                    LINK,
                    "Lenken kan bare brukes én gang og er gyldig til "
                    f"{norwegian_datetime(expires_at)}. Har du ikke ventet denne "
                    "invitasjonen, kan du se bort fra e-posten.",
                    *_NB_FOOTER,
                ),
            ),
            _Section(
                "en",
                (
                    "Hello,",
                    f"You have been invited to use {PRODUCT}, the portal for our clients.",
                    "Open the link below to choose a password and activate your account:",
                    LINK,
                    "The link can only be used once and is valid until "
                    f"{_english_datetime(expires_at)}. If you were not expecting this "
                    "invitation, you can ignore this e-mail.",
                    *_EN_FOOTER,
                ),
            ),
        ),
    )


def password_reset_mail(to: str, link: str, expires_at: datetime) -> OutgoingMail:
    """The password reset: choose a new password through ``link`` before ``expires_at``."""
    link = _checked_link(link)
    return _render(
        to,
        subject=f"Nytt passord til {PRODUCT} / Reset your {PRODUCT} password",
        link=link,
        sections=(
            _Section(
                "nb",
                (
                    "Hei,",
                    "Vi har fått en forespørsel om å tilbakestille passordet til "
                    f"brukerkontoen din i {PRODUCT}.",
                    "Åpne lenken under for å velge et nytt passord:",
                    LINK,
                    "Lenken kan bare brukes én gang og er gyldig til "
                    f"{norwegian_datetime(expires_at)}. Har du ikke bedt om dette, kan du "
                    "se bort fra e-posten; passordet ditt er da uendret.",
                    *_NB_FOOTER,
                ),
            ),
            _Section(
                "en",
                (
                    "Hello,",
                    f"We have received a request to reset the password of your {PRODUCT} account.",
                    "Open the link below to choose a new password:",
                    LINK,
                    "The link can only be used once and is valid until "
                    f"{_english_datetime(expires_at)}. If you did not ask for this, you "
                    "can ignore this e-mail; your password stays as it is.",
                    *_EN_FOOTER,
                ),
            ),
        ),
    )


def documents_ready_mail(to: str, link: str) -> OutgoingMail:
    """New documents are ready in the portal (``link``: its documents page). Says only
    that: no document, number, amount, name or organisation."""
    link = _checked_link(link)
    return _render(
        to,
        subject=f"Nye dokumenter er klare i {PRODUCT} / New documents are ready in {PRODUCT}",
        link=link,
        sections=(
            _Section(
                "nb",
                (
                    "Hei,",
                    f"Nye dokumenter er klare i {PRODUCT}.",
                    "Logg inn for å se dem:",
                    LINK,
                    "Du får høyst én slik e-post i timen. Varselet slår du av under "
                    f"Innstillinger i {PRODUCT}.",
                    *_NB_FOOTER,
                ),
            ),
            _Section(
                "en",
                (
                    "Hello,",
                    f"New documents are ready in {PRODUCT}.",
                    "Sign in to see them:",
                    LINK,
                    "You get at most one such e-mail an hour. You can turn it off under "
                    f"Settings in {PRODUCT}.",
                    *_EN_FOOTER,
                ),
            ),
        ),
    )


def webhook_endpoint_disabled_mail(to: str, link: str) -> OutgoingMail:
    """A webhook endpoint of the admin's organisation was disabled (``link``: the portal's
    «Webhooks» page). Says only that: no URL, reason, event or organisation."""
    link = _checked_link(link)
    return _render(
        to,
        subject=f"Et webhook-endepunkt er slått av i {PRODUCT} / "
        f"A webhook endpoint was disabled in {PRODUCT}",
        link=link,
        sections=(
            _Section(
                "nb",
                (
                    "Hei,",
                    f"Et av organisasjonens webhook-endepunkter i {PRODUCT} er slått av "
                    "fordi det ikke tok imot hendelser.",
                    "Logg inn for å se det:",
                    LINK,
                    *_NB_FOOTER,
                ),
            ),
            _Section(
                "en",
                (
                    "Hello,",
                    f"One of your organisation's webhook endpoints in {PRODUCT} was disabled "
                    "because it did not accept events.",
                    "Sign in to see it:",
                    LINK,
                    *_EN_FOOTER,
                ),
            ),
        ),
    )


_NB_FOOTER = (
    "Vi ber deg aldri om passordet ditt på e-post eller telefon. Denne e-posten er sendt "
    "automatisk og kan ikke besvares.",
)
_EN_FOOTER = (
    "We never ask for your password by e-mail or telephone. This e-mail was sent "
    "automatically; replies are not read.",
)
_TEXT_DIVIDER = "(English below)"
_TEXT_SEPARATOR = "-- English --"


def _render(to: str, *, subject: str, link: str, sections: Sequence[_Section]) -> OutgoingMail:
    return OutgoingMail(
        to=to,
        subject=subject,
        text=_text(link, sections),
        html=_html(subject, link, sections),
    )


def _text(link: str, sections: Sequence[_Section]) -> str:
    blocks: list[str] = [_TEXT_DIVIDER]
    for index, section in enumerate(sections):
        if index:
            blocks.append(_TEXT_SEPARATOR)
        blocks.extend(link if isinstance(p, _Link) else p for p in section.paragraphs)
    return "\n\n".join(blocks) + "\n"


def _html(subject: str, link: str, sections: Sequence[_Section]) -> str:
    href = html.escape(link, quote=True)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nb">',
        '<head><meta charset="utf-8">',
        f"<title>{html.escape(subject)}</title></head>",
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">',
    ]
    for index, section in enumerate(sections):
        if index:
            parts.append("<hr>")
        parts.append(f'<div lang="{section.lang}">')
        for paragraph in section.paragraphs:
            if isinstance(paragraph, _Link):
                parts.append(f'<p><a href="{href}">{href}</a></p>')
            else:
                parts.append(f"<p>{html.escape(paragraph)}</p>")
        parts.append("</div>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"
