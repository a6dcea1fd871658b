"""One language per page, in the browser (issue 16 § 1): every role walks every page of its
menu in bokmål and in English, and no page's visible text has a word of the other language
or a catalog key shown as it is.

The template test (``gateway/tests/unit/test_portal_language.py``) renders each template
with nothing from the services; here the pages carry what the services answer (statuses,
kinds, refusals, rate names) on the e2e stack. The word lists and the key check are
shared with it (``servicekit.testing.language``). Data people typed (a debtor's name, an
address) is no leak: in table cells and choices only the word lists apply, not bokmål's
letters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from devstack.stack import Stack
from gateway.portal.i18n import CATALOGUES, COOKIE
from playwright.async_api import BrowserContext, Page
from servicekit.testing.language import raw_keys, wrong_words

from .conftest import Shot

pytestmark = pytest.mark.e2e

NAMESPACES = frozenset(key.split(".", 1)[0] for key in CATALOGUES["nb"].keys if "." in key)
LANGUAGES = ("nb", "en")
LEFT_OUT = ("/ops", "/docs", "/sprak", "/logg-ut")
"""Not the portal's pages: the ops pages (their own test), the API reference, the switch."""
BUDGET_SECONDS = 90

_MENU_LINKS = """() => [...document.querySelectorAll('nav[aria-label] a[href]')]
    .map(a => a.getAttribute('href'))"""

_TEXT = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const lang = document.documentElement.lang;
    const pieces = [];
    const add = (text, element, data) => {
        const own = element.closest('[lang]');
        if (own && own.lang !== lang) return;  // the language switch names the other one
        if (text && text.trim()) pieces.push({text: text.trim(), data: data});
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const element = node.parentElement;
        if (!element || element.closest('script, style, template')) continue;
        if (!element.checkVisibility({visibilityProperty: true})) continue;
        add(node.textContent, element, !!element.closest('td, option, [translate="no"]'));
    }
    const names = ['title', 'alt', 'aria-label', 'placeholder'];
    for (const element of document.body.querySelectorAll(names.map(n => `[${n}]`).join())) {
        for (const name of names) {
            if (element.hasAttribute(name)) add(element.getAttribute(name), element, false);
        }
    }
    return {lang: lang, pieces: pieces};
}"""


@dataclass(frozen=True)
class Leak:
    role: str
    lang: str
    path: str
    found: tuple[str, ...]


async def _menu(page: Page) -> list[str]:
    """The portal pages the signed-in person's menu links to (paths, in menu order)."""
    await page.goto("/oversikt")
    hrefs: list[str] = await page.evaluate(_MENU_LINKS)
    paths = [urlsplit(h).path for h in hrefs if h.startswith("/")]
    return [p for p in dict.fromkeys(paths) if not p.startswith(LEFT_OUT)]


async def _speak(context: BrowserContext, stack: Stack, lang: str) -> None:
    """The language cookie the switch sets (``/sprak``), as if the person had chosen."""
    await context.add_cookies([{"name": COOKIE, "value": lang, "url": stack.url}])


async def _leaks(page: Page, path: str, lang: str) -> tuple[str, ...]:
    response = await page.goto(path)
    assert response is not None, path
    assert response.status == 200, (path, response.status)
    said = await page.evaluate(_TEXT)
    assert said["lang"] == lang, (path, said["lang"])
    assert len(said["pieces"]) > 5, path
    found: list[str] = []
    for piece in said["pieces"]:
        text, data = str(piece["text"]), bool(piece["data"])
        found += [f"{w} «{text[:80]}»" for w in wrong_words(text, lang, letters=not data)]
        found += [f"key {k}" for k in raw_keys(text, NAMESPACES)]
    return tuple(found)


async def test_every_page_of_every_roles_menu_speaks_one_language(
    kari: BrowserContext,
    nora: BrowserContext,
    handler: BrowserContext,
    agnes: BrowserContext,
    stack: Stack,
    shot: Shot,
) -> None:
    started = time.monotonic()
    roles = {
        "creditor": kari,
        "creditor admin": nora,
        "case handler": handler,
        "agency admin": agnes,
    }
    leaks: list[Leak] = []
    visited: dict[str, list[str]] = {}
    for role, context in roles.items():
        page = await context.new_page()
        try:
            await _speak(context, stack, "nb")
            visited[role] = await _menu(page)
            for lang in LANGUAGES:
                await _speak(context, stack, lang)
                for path in visited[role]:
                    found = await _leaks(page, path, lang)
                    if found:
                        leaks.append(Leak(role, lang, path, found))
                        await shot(page, f"{role}-{lang}-{path.strip('/').replace('/', '-')}")
        finally:
            await _speak(context, stack, "nb")  # the contexts live on for the other tests
            await page.close()
    assert all(len(paths) >= 6 for paths in visited.values()), visited
    assert {"/saker", "/satser", "/innstillinger"} <= set(visited["creditor"])
    assert "/saksbehandler/bankfiler" in visited["case handler"]
    assert "/oppdragsgivere" in visited["agency admin"]
    assert leaks == []
    assert time.monotonic() - started < BUDGET_SECONDS
