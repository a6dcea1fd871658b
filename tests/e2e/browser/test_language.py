"""One language per page, in the browser (issue 16 § 1): every role walks every page of its
menu in bokmål and in English, and no page's visible text has a word of the other language
or a catalog key shown as it is.

The template test (``gateway/tests/unit/test_portal_language.py``) renders each template
with nothing from the services; here the pages carry what the services answer (statuses,
kinds, refusals, rate names) on the e2e stack. The word lists and the key check are
shared with it (``servicekit.testing.language``). Data people typed (a debtor's name, an
address) is no leak: in table cells and choices only the word lists apply, not bokmål's
letters.

About 50 menu pages across the four roles, each read in both languages (some 100 page
loads). No time limit is asserted: on a shared machine it would fail for the machine, not
for the pages.
"""

from __future__ import annotations

import asyncio
import re
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


FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|xlsx|json|txt|pdf|xml|zip)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Leak:
    role: str
    lang: str
    path: str
    found: tuple[str, ...]


async def _menu(page: Page) -> list[str]:
    """The portal pages the signed-in person's menu links to (paths, in menu order)."""
    await page.goto("/oversikt", wait_until="domcontentloaded")
    hrefs: list[str] = await page.evaluate(_MENU_LINKS)
    paths = [urlsplit(h).path for h in hrefs if h.startswith("/")]
    return [p for p in dict.fromkeys(paths) if not p.startswith(LEFT_OUT)]


async def _speak(context: BrowserContext, stack: Stack, lang: str) -> None:
    """The language cookie the switch sets (``/sprak``), as if the person had chosen."""
    await context.add_cookies([{"name": COOKIE, "value": lang, "url": stack.url}])


async def _leaks(page: Page, path: str, lang: str, seen: list[str]) -> tuple[str, ...]:
    """The page's words of the other language and raw keys (its text is added to
    ``seen``)."""
    response = await page.goto(path, wait_until="domcontentloaded")
    assert response is not None, path
    assert response.status == 200, (path, response.status)
    said = await page.evaluate(_TEXT)
    assert said["lang"] == lang, (path, said["lang"])
    assert len(said["pieces"]) > 5, path
    found: list[str] = []
    for piece in said["pieces"]:
        text, data = str(piece["text"]), bool(piece["data"])
        seen.append(text)
        text = FILE_NAME.sub("", text)  # a file's name is what its owner called it
        found += [f"{w} «{text[:80]}»" for w in wrong_words(text, lang, letters=not data)]
        found += [f"key {k}" for k in raw_keys(text, NAMESPACES)]
    return tuple(found)


async def _walk(
    role: str, context: BrowserContext, stack: Stack, shot: Shot
) -> tuple[list[str], list[Leak]]:
    """One role's menu pages in both languages: the paths, and the leaks found."""
    page = await context.new_page()
    leaks: list[Leak] = []
    try:
        await _speak(context, stack, "nb")
        paths = await _menu(page)
        for lang in LANGUAGES:
            await _speak(context, stack, lang)
            seen: list[str] = []
            for path in paths:
                found = await _leaks(page, path, lang, seen)
                if found:
                    leaks.append(Leak(role, lang, path, found))
                    await shot(page, f"{role}-{lang}-{path.strip('/').replace('/', '-')}")
            # the check can fail: read as the other language, these pages are all leaks
            other = "en" if lang == "nb" else "nb"
            assert len(wrong_words(" ".join(seen), other)) > 20, (role, lang)
    finally:
        await _speak(context, stack, "nb")  # the contexts live on for the other tests
        await page.close()
    return paths, leaks


async def test_every_page_of_every_roles_menu_speaks_one_language(
    kari: BrowserContext,
    nora: BrowserContext,
    handler: BrowserContext,
    agnes: BrowserContext,
    stack: Stack,
    shot: Shot,
) -> None:
    roles = {
        "creditor": kari,
        "creditor-admin": nora,
        "case-handler": handler,
        "agency-admin": agnes,
    }
    # two roles at a time (one browser, a page each): quicker than one after the other
    # without crowding the stack (four at once timed out on a busy two-core machine)
    side_by_side = asyncio.Semaphore(2)

    async def walk(role: str, context: BrowserContext) -> tuple[list[str], list[Leak]]:
        async with side_by_side:
            return await _walk(role, context, stack, shot)

    walked = await asyncio.gather(*(walk(r, c) for r, c in roles.items()))
    visited = {role: paths for role, (paths, _) in zip(roles, walked, strict=True)}
    leaks = [leak for _, found in walked for leak in found]
    assert all(len(paths) >= 6 for paths in visited.values()), visited
    assert {"/saker", "/satser", "/innstillinger"} <= set(visited["creditor"])
    assert "/integrasjoner" in visited["creditor-admin"]
    assert "/saksbehandler/bankfiler" in visited["case-handler"]
    assert "/oppdragsgivere" in visited["agency-admin"]
    assert sum(len(paths) for paths in visited.values()) >= 30  # each read in nb and en
    assert leaks == []
