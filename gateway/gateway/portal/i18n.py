"""Which language a page speaks, and the words it uses (gettext catalogs, ADR 0052).

Norwegian bokmål (``nb``) by default; English (``en``) when the person chose it (the
``ic_lang`` cookie, set by the language switch). The words are gettext catalogs,
``gateway/locale/<lang>/LC_MESSAGES/messages.po``, read with Babel and compiled in memory
when the gateway starts (no build step); the message id is a stable key (``home.greeting``),
placeholders are ``str.format`` fields (``{name}``). A plural message (``msgid_plural``)
takes its count as ``n``: ``t("bankfile.settled", n=1)`` → «1 sak er betalt i sin helhet.»,
``n=2`` → «2 saker er betalt …» (the language's own ``Plural-Forms``).

A key missing in English falls back to bokmål, a key missing altogether shows itself; the
language test (``tests/unit/test_portal_language.py``) fails on both.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Request

LANGUAGES = ("nb", "en")
DEFAULT = "nb"
COOKIE = "ic_lang"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"


def catalog_path(lang: str) -> Path:
    """The ``.po`` file of a language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Catalogue:
    """One language's compiled words: the translations, and which keys it has."""

    translations: gettext.GNUTranslations
    keys: frozenset[str]
    plurals: frozenset[str]


def load(lang: str) -> Catalogue:
    """Read a language's ``.po`` and compile it (as ``msgfmt`` would) into translations."""
    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    keys = {str(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id}
    plurals = {str(m.id[0]) for m in catalog if m.id and isinstance(m.id, tuple)}
    return Catalogue(gettext.GNUTranslations(compiled), frozenset(keys), frozenset(plurals))


def _load_all() -> dict[str, Catalogue]:
    catalogues = {lang: load(lang) for lang in LANGUAGES}
    for lang, catalogue in catalogues.items():
        if lang != DEFAULT:
            catalogue.translations.add_fallback(catalogues[DEFAULT].translations)
    return catalogues


CATALOGUES = _load_all()
"""Every language's words, read once when the gateway starts."""


def language_of(request: Request) -> str:
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


def plural_count(value: Any) -> int:
    """The count a plural form is chosen by: an ``int``, or a number already written out
    (``"1"``, ``"1,5"``, ``"2\u00a0000"``); a fraction counts as many (``1,5 dager``)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return 2
    return int(number) if number == number.to_integral_value() else 2


@dataclass(frozen=True)
class Translator:
    """``t(key, **values)``: the message in the page's language, filled in."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        catalogue = CATALOGUES.get(self.lang, CATALOGUES[DEFAULT])
        if key in catalogue.plurals or key in CATALOGUES[DEFAULT].plurals:
            count = plural_count(values.get("n", 1))
            text = catalogue.translations.ngettext(key, key, count)
        else:
            text = catalogue.translations.gettext(key)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        languages = (DEFAULT, self.lang)
        return any(key in CATALOGUES[lang].keys for lang in languages if lang in CATALOGUES)


def language_cookie(lang: str, *, secure: bool) -> str:
    """``Set-Cookie`` for the language choice (a year; not a secret, so not HttpOnly)."""
    attributes = "Path=/; Max-Age=31536000; SameSite=Lax"
    return f"{COOKIE}={lang}; {attributes}{'; Secure' if secure else ''}"
