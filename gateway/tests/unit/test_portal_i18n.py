"""The message catalogue: every key the pages use exists, in both languages, alike."""

from __future__ import annotations

import re
import string
from pathlib import Path

from gateway.portal import i18n
from gateway.portal.i18n import Translator, language_cookie
from gateway.portal.messages import MESSAGES
from starlette.requests import Request

PORTAL = Path(i18n.__file__).parent
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
    assert sorted(used - prefixes - MESSAGES.keys()) == []
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in MESSAGES)) == []


def test_both_languages_say_everything_with_the_same_placeholders() -> None:
    unequal = [
        key
        for key, entry in MESSAGES.items()
        if not entry["nb"].strip()
        or not entry["en"].strip()
        or _fields(entry["nb"]) != _fields(entry["en"])
    ]
    assert unequal == []


def test_dynamic_keys_the_templates_build_exist() -> None:
    for status in ("registered", "notice_sent", "demand_sent", "disputed", "closed"):
        assert f"status.{status}" in MESSAGES
    for role in ("creditor", "credit_orderer", "creditor_admin", "case_handler", "agency_admin"):
        assert f"role.{role}" in MESSAGES
    for status in ("queued", "running", "completed", "failed"):
        assert f"import.status.{status}" in MESSAGES


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
