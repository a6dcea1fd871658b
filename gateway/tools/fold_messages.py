"""Fold a portal words module (``messages_<name>.py``) into the gettext catalogs.

Before the catalogs (ADR 0052) the portal's words were Python lists of
``(key, bokmål, English)``; a module of that shape that is still around (one written on a
branch of its own) is folded into ``gateway/gateway/locale/{nb,en}/LC_MESSAGES/messages.po``
with this script, and then removed::

    uv run --no-sync python gateway/tools/fold_messages.py --remove \\
        gateway/gateway/portal/messages_<name>.py

It reads ``ENTRIES`` (or ``_ENTRIES``, or a ``MESSAGES`` dict ``key → {"nb": …, "en": …}``).
A text may be a pair ``(one, many)`` for a plural message (the count is ``n``). A key that
is in the catalogs already with other words is a conflict: nothing is written and the
conflicts are listed, unless ``--overwrite`` is given. Same words: nothing to do.
Run the leak test afterwards (``gateway/tests/unit/test_portal_language.py``).

``make i18n`` extracts the keys the templates and the code use (``pybabel extract`` with
``gateway/babel.cfg``, keyword ``t``) into ``var/i18n/messages.pot`` and then runs this
script with ``--template``: a key used but in no catalog is added to both, untranslated
(the language test fails until someone writes its words). Catalog keys the extraction does
not see are kept: many are built at run time (``t("status." ~ value)``), so this is not
``pybabel update``, which would mark them obsolete.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "gateway" / "locale"
LANGUAGES = ("nb", "en")

Text = str | tuple[str, str]
Entry = tuple[str, Text, Text]


def catalog_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    """Where a language's catalog lives."""
    return locale_dir / lang / "LC_MESSAGES" / "messages.po"


def read_catalog(lang: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    """A language's catalog (a new, empty one when there is none yet)."""
    path = catalog_path(lang, locale_dir)
    if not path.exists():
        return Catalog(locale=lang, project="InfoCenter portal", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def write_catalog(catalog: Catalog, lang: str, locale_dir: Path = LOCALE_DIR) -> None:
    """Write a catalog back in gettext's own format (no wrapping: one text, one line)."""
    path = catalog_path(lang, locale_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=False)


def entries_of(module_path: Path) -> list[Entry]:
    """The ``(key, nb, en)`` entries of a words module, read by importing it."""
    spec = importlib.util.spec_from_file_location(f"_folded_{module_path.stem}", module_path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {module_path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("ENTRIES", "_ENTRIES"):
        if isinstance(getattr(module, name, None), list):
            return [(str(key), nb, en) for key, nb, en in getattr(module, name)]
    table: Any = getattr(module, "MESSAGES", None)
    if isinstance(table, dict):
        return [(str(key), value["nb"], value["en"]) for key, value in table.items()]
    raise SystemExit(f"{module_path}: no ENTRIES, _ENTRIES or MESSAGES")


def _msgstr(text: Text) -> str | tuple[str, str]:
    return text if isinstance(text, str) else (text[0], text[1])


def _msgid(key: str, nb: Text) -> str | tuple[str, str]:
    """A plural message's id is the key twice (singular and plural id alike)."""
    return key if isinstance(nb, str) else (key, key)


def fold(
    entries: Iterable[Entry], *, overwrite: bool = False, locale_dir: Path = LOCALE_DIR
) -> list[str]:
    """Add the entries to both catalogs; return the conflicting keys (nothing written then,
    unless ``overwrite``)."""
    catalogs = {lang: read_catalog(lang, locale_dir) for lang in LANGUAGES}
    conflicts: list[str] = []
    seen: set[str] = set()
    for key, nb, en in entries:
        if key in seen:
            conflicts.append(f"{key} (twice in the module)")
            continue
        seen.add(key)
        for lang, text in (("nb", nb), ("en", en)):
            present = catalogs[lang].get(key)
            wanted = _msgstr(text)
            if present is not None and present.string and present.string != wanted:
                if not overwrite:
                    conflicts.append(f"{key} [{lang}]: {present.string!r} ≠ {wanted!r}")
                    continue
                catalogs[lang].delete(key)
            flags = ["python-brace-format"] if "{" in str(wanted) else []
            catalogs[lang].delete(key)
            catalogs[lang].add(_msgid(key, nb), wanted, flags=flags)
    if conflicts and not overwrite:
        return conflicts
    for lang, catalog in catalogs.items():
        write_catalog(catalog, lang, locale_dir)
    return conflicts


def add_missing(template: Path, locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Add every key of an extracted template that a catalog lacks, untranslated."""
    with template.open("rb") as handle:
        extracted = read_po(handle)
    added: list[str] = []
    catalogs = {lang: read_catalog(lang, locale_dir) for lang in LANGUAGES}
    for message in extracted:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if not key or str(key).endswith("."):  # a prefix: t("status." + value)
            continue
        for catalog in catalogs.values():
            if catalog.get(key) is None:
                catalog.add(message.id, "" if isinstance(message.id, str) else ("", ""))
                if key not in added:
                    added.append(str(key))
    for lang, catalog in catalogs.items():
        write_catalog(catalog, lang, locale_dir)
    return added


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", type=Path, help="messages_<name>.py files")
    parser.add_argument("--template", type=Path, help="an extracted .pot: add its new keys")
    parser.add_argument("--overwrite", action="store_true", help="the module's words win")
    parser.add_argument("--remove", action="store_true", help="delete each module once folded")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)
    if args.template is not None:
        added = add_missing(args.template, args.locale_dir)
        for key in added:
            print(f"new, to be translated in nb and en: {key}")
        print(f"{len(added)} new keys from {args.template}")
    for module_path in args.modules:
        entries = entries_of(module_path)
        conflicts = fold(entries, overwrite=args.overwrite, locale_dir=args.locale_dir)
        if conflicts and not args.overwrite:
            print(f"{module_path}: not folded, {len(conflicts)} conflicts:", file=sys.stderr)
            for line in conflicts:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"{module_path}: {len(entries)} messages folded into {args.locale_dir}")
        if args.remove:
            module_path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
