"""One language per page, for tests: words that give a language away, a page's text, and
catalog keys shown as they are.

Shared by the portal's template test (``gateway/tests/unit/test_portal_language.py``,
every template rendered in nb and en) and the browser test that walks every page of
every role's menu in both languages (``tests/e2e/browser/test_language.py``).

A few very common words of each language that the other language does not use (a word
list is crude, but a leaked service sentence always has some: «is already registered»,
«Dette kolliderer med …»), and bokmål's own letters (æ, ø, å) on an English page. A few
names are the same in both languages (a Norwegian register, a place): :data:`NAMES`.
A catalog key on a page (``problem.no_such_code``) is a missing translation:
:func:`raw_keys`, given the catalog's namespaces.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html.parser import HTMLParser

ENGLISH_ONLY = frozenset(
    {
        "the",
        "and",
        "is",
        "are",
        "was",
        "were",
        "with",
        "this",
        "that",
        "these",
        "those",
        "your",
        "you",
        "please",
        "must",
        "has",
        "have",
        "been",
        "which",
        "from",
        "will",
        "cannot",
        "should",
        "could",
        "would",
        "already",
        "registered",
        "invalid",
        "required",
        "missing",
        "not",
        "found",
        "error",
        "errors",
        "case",
        "cases",
        "payment",
        "payments",
        "creditor",
        "creditors",
        "debtor",
        "debtors",
        "amount",
        "amounts",
        "first",
        "row",
        "header",
        "column",
        "columns",
        "file",
        "user",
        "users",
        "address",
        "limitation",
        "interrupted",
        "acknowledgement",
        "sent",
        "unknown",
    }
)
"""English words that no bokmål sentence uses."""

NORWEGIAN_ONLY = frozenset(
    {
        "og",
        "er",
        "ikke",
        "det",
        "som",
        "på",
        "til",
        "av",
        "med",
        "har",
        "kan",
        "må",
        "skal",
        "ble",
        "eller",
        "denne",
        "dette",
        "disse",
        "ingen",
        "sak",
        "saker",
        "beløp",
        "innbetaling",
        "innbetalinger",
        "oppdragsgiver",
        "oppdragsgivere",
        "skyldner",
        "skyldnere",
        "feil",
        "mangler",
        "finnes",
        "allerede",
        "registrert",
        "kolonne",
        "kolonner",
        "rad",
        "fil",
        "bruker",
        "brukere",
        "sendt",
        "ukjent",
    }
)
"""Bokmål words that no English sentence uses."""

NORWEGIAN_LETTERS = re.compile(r"[æøåÆØÅ]")

NAMES = frozenset(
    {
        "Norsk",
        "bokmål",
        "Brønnøysundregistrene",
        "Ålesund",
        "Tromsø",
        "Bodø",
        "Løsningsgrad",
        "kr",
        "NOK",
        "Altinn",
        "Lovdata",
        "Finanstilsynet",
        "Domstoladministrasjonen",
        "regjeringen.no",
    }
)
"""Words that are the same on a Norwegian and an English page (names)."""

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_WORD = re.compile(r"[A-Za-zÆØÅæøåÉé][A-Za-zÆØÅæøåÉé\-]*")


def words(text: str) -> list[str]:
    """The words of a text, leaving out ``{placeholders}``."""
    return _WORD.findall(_PLACEHOLDER.sub(" ", text))


def wrong_words(text: str, lang: str, *, letters: bool = True) -> list[str]:
    """The words in ``text`` that belong to the other language (``letters``: on an
    English page, a word with æ, ø or å too; off for data such as a debtor's name)."""
    found: list[str] = []
    for word in words(text):
        if word in NAMES:
            continue
        lower = word.lower()
        english = lang == "nb" and lower in ENGLISH_ONLY
        bokmal = lower in NORWEGIAN_ONLY or (letters and NORWEGIAN_LETTERS.search(word))
        if english or (lang == "en" and bokmal):
            found.append(word)
    return found


PREFIX = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*\.(?![\w])")
"""``case.kind.``: a key built from a value a template test leaves out (not a leak)."""
KEYLIKE = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b(?![.\w])")


def raw_keys(text: str, namespaces: Collection[str]) -> list[str]:
    """Catalog keys shown as they are (``problem.no_such_code``): dotted words whose first
    part is one of the catalog's ``namespaces`` (not an address such as ``lovdata.no``)."""
    return [
        key
        for key in KEYLIKE.findall(text)
        if key.split(".", 1)[0] in namespaces and not key.endswith(".")
    ]


class _Text(HTMLParser):
    """Visible text and the attributes a person reads or hears."""

    ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    """The pieces of text on a page, as a person (or a screen reader) gets them."""
    parser = _Text()
    parser.feed(html)
    return parser.parts
