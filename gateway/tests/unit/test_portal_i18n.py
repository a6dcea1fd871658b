"""The gettext catalogs: every key the pages use exists, in both languages, alike; plural
messages pick their form by the count."""

from __future__ import annotations

import re
import string
from pathlib import Path

from gateway.portal import i18n
from gateway.portal.i18n import CATALOGUES, Translator, language_cookie
from starlette.requests import Request

PORTAL = Path(i18n.__file__).parent
KEYS = CATALOGUES["nb"].keys
TEMPLATES = PORTAL.parent / "templates" / "portal"
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.\-]+)["']""")


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), *PORTAL.rglob("*.py")]:
        keys |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_used_by_a_page_is_in_the_catalogue() -> None:
    used = _used_keys()
    assert len(used) > 100
    prefixes = {key for key in used if key.endswith(".")}  # t("status." ~ value)
    assert sorted(used - prefixes - KEYS) == []
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in KEYS)) == []


def test_both_languages_say_everything_with_the_same_placeholders() -> None:
    nb, en = Translator("nb"), Translator("en")
    assert CATALOGUES["nb"].keys == CATALOGUES["en"].keys
    assert CATALOGUES["nb"].plurals == CATALOGUES["en"].plurals
    unequal = []
    for key in KEYS:
        for n in (1, 2):
            said = {
                lang: catalogue.translations.ngettext(key, key, n)
                if key in catalogue.plurals
                else catalogue.translations.gettext(key)
                for lang, catalogue in CATALOGUES.items()
            }
            empty = not said["nb"].strip() or key in (said["nb"], said["en"])
            if empty or _fields(said["nb"]) - {"n"} != _fields(said["en"]) - {"n"}:
                unequal.append(key)
    assert unequal == []
    assert nb.has("home.greeting")
    assert en.has("home.greeting")


def test_a_plural_message_takes_the_form_its_count_asks_for() -> None:
    nb, en = Translator("nb"), Translator("en")
    assert nb("bankfile.settled", n=1) == "1 sak er betalt i sin helhet."
    assert nb("bankfile.settled", n=2) == "2 saker er betalt i sin helhet."
    assert en("bankfile.settled", n=1) == "1 case is paid in full."
    assert en("bankfile.settled", n=0) == "0 cases are paid in full."
    assert nb("home.unread_notes", n=1) == "ulest melding"
    assert nb("home.unread_notes", n=5) == "uleste meldinger"
    assert nb("rates.value.days", n="1") == "1 dag"
    assert nb("rates.value.days", n="1,5") == "1,5 dager"
    assert i18n.plural_count("2\u00a0000") == 2000


def test_dynamic_keys_the_templates_build_exist() -> None:
    for status in ("registered", "notice_sent", "demand_sent", "disputed", "closed"):
        assert f"status.{status}" in KEYS
    for role in ("creditor", "credit_orderer", "creditor_admin", "case_handler", "agency_admin"):
        assert f"role.{role}" in KEYS
    for status in ("queued", "running", "completed", "failed"):
        assert f"import.status.{status}" in KEYS


def test_translator_fills_in_and_falls_back() -> None:
    nb, en = Translator("nb"), Translator("en")
    assert nb("home.greeting", name="Kari") == "Hei, Kari"
    assert en("home.greeting", name="Kari") == "Hello, Kari"
    assert nb("no.such.key") == "no.such.key"
    assert not nb.has("no.such.key")


def _request(cookie: str | None) -> Request:
    headers = [(b"cookie", cookie.encode())] if cookie else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def test_bokmal_unless_english_was_chosen() -> None:
    assert i18n.language_of(_request(None)) == "nb"
    assert i18n.language_of(_request("ic_lang=en")) == "en"
    assert i18n.language_of(_request("ic_lang=de")) == "nb"


def test_the_language_cookie_is_a_plain_preference() -> None:
    cookie = language_cookie("en", secure=True)
    assert cookie.startswith("ic_lang=en;")
    assert "Secure" in cookie
    assert "HttpOnly" not in cookie
