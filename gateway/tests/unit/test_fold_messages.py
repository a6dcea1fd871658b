"""The converter that folds a branch's old-style words module into the gettext catalogs:
new keys land in both catalogs (plurals too), a key with other words is refused unless
overwritten, the module goes once folded, and ``--template`` adds extracted keys."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from gateway.portal import i18n

TOOL = Path(__file__).resolve().parents[2] / "tools" / "fold_messages.py"
PORTAL = Path(i18n.__file__).parent


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fold_messages", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def locale(tmp_path: Path) -> Path:
    target = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, target)
    return target


def _module(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "messages_helper.py"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_module_is_folded_into_both_catalogs_and_removed(tmp_path: Path, locale: Path) -> None:
    tool = _tool()
    module = _module(
        tmp_path,
        'ENTRIES = [("helper.title", "Min side", "My page"),\n'
        '    ("helper.count", ("{n} sak", "{n} saker"), ("{n} case", "{n} cases")),\n'
        '    ("nav.cases", "Saker", "Cases")]\n',
    )
    assert tool.main([str(module), "--remove", "--locale-dir", str(locale)]) == 0
    assert not module.exists()
    nb, en = tool.read_catalog("nb", locale), tool.read_catalog("en", locale)
    assert nb.get("helper.title").string == "Min side"
    assert en.get("helper.title").string == "My page"
    assert nb.get("helper.count").string == ("{n} sak", "{n} saker")
    assert en.get("helper.count").id == ("helper.count", "helper.count")


def test_a_key_with_other_words_is_a_conflict(tmp_path: Path, locale: Path) -> None:
    tool = _tool()
    module = _module(tmp_path, 'ENTRIES = [("nav.cases", "Sakene", "The cases")]\n')
    before = tool.catalog_path("nb", locale).read_bytes()
    assert tool.main([str(module), "--remove", "--locale-dir", str(locale)]) == 1
    assert module.exists()
    assert tool.catalog_path("nb", locale).read_bytes() == before
    assert tool.main([str(module), "--overwrite", "--locale-dir", str(locale)]) == 0
    assert tool.read_catalog("nb", locale).get("nav.cases").string == "Sakene"


def test_extracted_keys_are_added_untranslated(tmp_path: Path, locale: Path) -> None:
    tool = _tool()
    template = tmp_path / "messages.pot"
    template.write_text(
        'msgid "nav.cases"\nmsgstr ""\n\nmsgid "brand.new"\nmsgstr ""\n\n'
        'msgid "status."\nmsgstr ""\n',
        encoding="utf-8",
    )
    assert tool.add_missing(template, locale) == ["brand.new"]
    assert tool.read_catalog("en", locale).get("brand.new").string == ""
    assert tool.read_catalog("nb", locale).get("nav.cases").string == "Saker"


def test_no_old_style_words_module_is_left_in_the_portal() -> None:
    left = sorted(p.name for p in PORTAL.glob("messages*.py"))
    assert left == [], (
        "fold them into the catalogs: uv run --no-sync python gateway/tools/fold_messages.py "
        "--remove gateway/gateway/portal/messages_<name>.py (and drop their registration)"
    )
