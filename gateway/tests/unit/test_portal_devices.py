"""Sessions name their device as a person would: browser family and operating system."""

from __future__ import annotations

import pytest
from gateway.portal.devices import MAX_LENGTH, describe

pytestmark = pytest.mark.unit

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
CHROME_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0"
SAMSUNG_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "nb", "en"),
    [
        (CHROME_LINUX, "Chrome på Linux", "Chrome on Linux"),
        (EDGE_WINDOWS, "Edge på Windows", "Edge on Windows"),
        (SAFARI_IPHONE, "Safari på iPhone", "Safari on iPhone"),
        (CHROME_IPHONE, "Chrome på iPhone", "Chrome on iPhone"),
        (FIREFOX_MAC, "Firefox på macOS", "Firefox on macOS"),
        (SAMSUNG_ANDROID, "Samsung Internet på Android", "Samsung Internet on Android"),
        ("python-httpx/0.28.1", "Annet program", "Other program"),
        ("curl/8.5.0", "Annet program", "Other program"),
        ("Mozilla/5.0 (compatible; something)", "Ukjent enhet", "Unknown device"),
        (None, "Ukjent enhet", "Unknown device"),
        ("", "Ukjent enhet", "Unknown device"),
    ],
)
def test_a_device_is_named_in_the_readers_language(
    user_agent: str | None, nb: str, en: str
) -> None:
    assert describe(user_agent, "nb") == nb
    assert describe(user_agent, "en") == en


def test_only_the_start_of_a_long_user_agent_is_read() -> None:
    padded = "Mozilla/5.0 (" + "x" * MAX_LENGTH + "; Linux) Chrome/1 Safari/1"

    assert describe(padded, "nb") == "Ukjent enhet"
