"""Invitation and password-reset e-mails: wording, Norwegian dates, no personal data."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
from auth.adapters.mail import RecordingMailer
from auth.domain.messages import (
    documents_ready_mail,
    invitation_mail,
    norwegian_datetime,
    password_reset_mail,
)
from auth.domain.ports import MailNotSent, OutgoingMail

pytestmark = pytest.mark.unit

TO = "kari.nordmann@nordlys-energi.no"
LINK = "http://127.0.0.1:8000/invitasjon/Zm9vYmFy-_token?lang=nb&x=1"
EXPIRES = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)  # 14:30 in Oslo (CET)

Render = Callable[[str, str, datetime], OutgoingMail]
BOTH: list[Render] = [invitation_mail, password_reset_mail]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.langs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if values.get("lang"):
            self.langs.append(values["lang"] or "")


def test_invitation_is_norwegian_first_with_english_below() -> None:
    mail = invitation_mail(TO, LINK, EXPIRES)

    assert mail.to == TO
    assert mail.subject == "Invitasjon til InfoCenter / Invitation to InfoCenter"
    norwegian, english = mail.text.split("-- English --")
    assert "Du er invitert" in norwegian
    assert "gyldig til 25.11.2026 kl. 14:30" in norwegian
    assert "You have been invited" in english
    assert "valid until 25.11.2026 at 14:30 (Norwegian time)" in english
    assert LINK in norwegian
    assert LINK in english


def test_documents_ready_says_only_that_with_the_portals_documents_page() -> None:
    link = "https://portal.example.no/dokumenter"
    mail = documents_ready_mail(TO, link)

    assert mail.to == TO
    assert mail.subject == (
        "Nye dokumenter er klare i InfoCenter / New documents are ready in InfoCenter"
    )
    norwegian, english = mail.text.split("-- English --")
    assert "Nye dokumenter er klare i InfoCenter." in norwegian
    assert "New documents are ready in InfoCenter." in english
    assert link in norwegian
    assert link in english
    links = _Links()
    links.feed(mail.html or "")
    assert links.hrefs == [link, link]
    assert "kari" not in (mail.text + (mail.html or "")).lower()  # the address: envelope only


def test_password_reset_says_what_happens_if_you_did_not_ask() -> None:
    mail = password_reset_mail(TO, LINK, EXPIRES)

    assert mail.subject == "Nytt passord til InfoCenter / Reset your InfoCenter password"
    norwegian, english = mail.text.split("-- English --")
    assert "tilbakestille passordet" in norwegian
    assert "passordet ditt er da uendret" in norwegian
    assert "your password stays as it is" in english
    assert mail.text.count(LINK) == 2


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 11, 25, 13, 30, tzinfo=UTC), "25.11.2026 kl. 14:30"),  # CET, +1
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "01.07.2026 kl. 14:00"),  # CEST, +2
        (datetime(2026, 12, 31, 23, 5, tzinfo=UTC), "01.01.2027 kl. 00:05"),  # next day there
        (
            datetime(2026, 3, 2, 9, 7, tzinfo=timezone(timedelta(hours=-5))),
            "02.03.2026 kl. 15:07",
        ),
    ],
)
def test_times_are_shown_as_norwegian_wall_clock_time(moment: datetime, shown: str) -> None:
    assert norwegian_datetime(moment) == shown


@pytest.mark.parametrize("render", BOTH)
def test_a_naive_expiry_is_refused(render: Render) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render(TO, LINK, datetime(2026, 11, 25, 14, 30))


@pytest.mark.parametrize("render", BOTH)
@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "/invitasjon/abc",
        "ftp://example.no/x",
        "http://127.0.0.1:8000/a b",
        "http://127.0.0.1:8000/a\nBcc: x@example.no",
    ],
)
def test_only_an_absolute_http_link_is_accepted(render: Render, link: str) -> None:
    with pytest.raises(ValueError, match="link"):
        render(TO, link, EXPIRES)


@pytest.mark.parametrize("render", BOTH)
def test_the_html_escapes_the_link_and_carries_both_languages(render: Render) -> None:
    mail = render(TO, LINK, EXPIRES)
    assert mail.html is not None
    parser = _Links()
    parser.feed(mail.html)

    assert "?lang=nb&amp;x=1" in mail.html
    assert "?lang=nb&x=1" not in mail.html
    assert parser.hrefs == [LINK, LINK]
    assert parser.langs == ["nb", "nb", "en"]
    assert mail.html.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("render", BOTH)
def test_nothing_personal_is_in_the_message_but_the_address_in_the_envelope(
    render: Render,
) -> None:
    mail = render(TO, LINK, EXPIRES)
    assert mail.html is not None

    for body in (mail.subject, mail.text, mail.html):
        lowered = body.lower()
        for personal in ("kari", "nordmann", "nordlys", "energi", "@"):
            assert personal not in lowered
    urls = set(re.findall(r"https?://[^\s<>\"]+", mail.text))
    assert urls == {LINK}
    assert mail.text.startswith("(English below)\n\nHei,\n")


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("kari@example.no\r\nBcc: x@example.no", "Hei"),
        ("kari@example.no", "Hei\nBcc: x@example.no"),
        ("ikke en adresse", "Hei"),
        ("kari@example.no, ola@example.no", "Hei"),
        ("kari@example.no,ola@example.no", "Hei"),
        ("Kari <kari@example.no>", "Hei"),
    ],
)
def test_an_outgoing_mail_has_one_recipient_and_no_header_injection(to: str, subject: str) -> None:
    with pytest.raises(ValueError, match="mail"):
        OutgoingMail(to=to, subject=subject, text="x")


async def test_the_recording_mailer_keeps_what_was_sent_and_can_fail() -> None:
    mailer = RecordingMailer()
    mail = invitation_mail(TO, LINK, EXPIRES)

    await mailer.send(mail)
    mailer.fail = True
    with pytest.raises(MailNotSent):
        await mailer.send(password_reset_mail(TO, LINK, EXPIRES))

    assert mailer.sent == [mail]
    assert mailer.to(TO.upper()) == [mail]
    assert mailer.to("ola@example.no") == []
