"""The Content-Security-Policy allows styles and scripts from ``/static`` only, so an inline
``style`` attribute, a ``<style>`` element or an inline ``<script>`` in a template is silently
ignored by the browser (the case list's status boxes once collapsed that way)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gateway.web import TEMPLATES_DIR

TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))
INLINE_STYLE = re.compile(r"""\sstyle\s*=|<style[\s>]""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)

pytestmark = pytest.mark.unit


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_no_template_has_inline_styles_or_scripts(template: Path) -> None:
    text = template.read_text(encoding="utf-8")

    assert not INLINE_STYLE.findall(text), "inline style: move it to a class in /static"
    assert not INLINE_SCRIPT.findall(text), "inline script: move it to /static"
    assert not EVENT_HANDLER.findall(text), "inline event handler: bind it in /static's script"


@pytest.mark.parametrize(
    "snippet",
    [
        '<fieldset class="field" style="grid-column: 1 / -1">',
        "<style>p{}</style>",
        "<script>alert(1)</script>",
        '<button onclick="go()">',
    ],
)
def test_the_check_sees_each_kind(snippet: str) -> None:
    found = (
        INLINE_STYLE.findall(snippet)
        or INLINE_SCRIPT.findall(snippet)
        or EVENT_HANDLER.findall(snippet)
    )
    assert found
