"""Which language a page speaks, and the words it uses (a small message catalogue).

Norwegian bokmål (``nb``) by default; English (``en``) when the person chose it (the
``ic_lang`` cookie, set by the language switch). Messages are looked up by key in
:mod:`gateway.portal.messages`; placeholders are ``str.format`` fields. A key missing in
English falls back to bokmål, a key missing altogether shows itself (tests catch both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from gateway.portal.messages import MESSAGES

LANGUAGES = ("nb", "en")
DEFAULT = "nb"
COOKIE = "ic_lang"


def language_of(request: Request) -> str:
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


@dataclass(frozen=True)
class Translator:
    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        entry = MESSAGES.get(key)
        if entry is None:
            return key
        text = entry.get(self.lang) or entry[DEFAULT]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in MESSAGES


def language_cookie(lang: str, *, secure: bool) -> str:
    """``Set-Cookie`` for the language choice (a year; not a secret, so not HttpOnly)."""
    attributes = "Path=/; Max-Age=31536000; SameSite=Lax"
    return f"{COOKIE}={lang}; {attributes}{'; Secure' if secure else ''}"
