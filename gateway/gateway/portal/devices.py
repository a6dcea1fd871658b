"""A person's name for a session's device, from its User-Agent: «Chrome på Linux».

Only the browser family and the operating system, from the order browsers actually send
their tokens in (Edge and Opera also say «Chrome», every Chromium says «Safari»); no version
numbers, which mean nothing to a creditor checking their sessions. A client that is no
browser (an accounting system's API client, curl) is «Annet program». Bounded: only the
first 512 characters are read.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LENGTH = 512

# (token in the User-Agent, name), first match wins
BROWSERS: tuple[tuple[str, str], ...] = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS: tuple[tuple[str, str], ...] = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
WORDS = {
    "nb": {"on": "på", "unknown": "Ukjent enhet", "program": "Annet program"},
    "en": {"on": "on", "unknown": "Unknown device", "program": "Other program"},
}


@dataclass(frozen=True, slots=True)
class Device:
    browser: str | None
    system: str | None


def device_of(user_agent: str | None) -> Device:
    """The browser family and operating system a User-Agent names (either may be unknown)."""
    text = (user_agent or "")[:MAX_LENGTH]
    browser = next((name for token, name in BROWSERS if token in text), None)
    system = next((name for token, name in SYSTEMS if token in text), None)
    return Device(browser, system)


def describe(user_agent: str | None, lang: str) -> str:
    """«Chrome på Linux», «Safari på iPhone», «Firefox», «Annet program», «Ukjent enhet»."""
    words = WORDS.get(lang, WORDS["nb"])
    if not user_agent:
        return words["unknown"]
    device = device_of(user_agent)
    if device.browser is None:
        return words["program"] if not user_agent.startswith("Mozilla/") else words["unknown"]
    if device.system is None:
        return device.browser
    return f"{device.browser} {words['on']} {device.system}"
