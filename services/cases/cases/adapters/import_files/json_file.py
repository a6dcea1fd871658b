"""JSON imports for systems: an array of cases shaped as the API's registration body.

``[{"creditor_reference": …, "debtor": {…}, "claims": [{…}]}, …]`` (or ``{"cases": [...]}``),
UTF-8. Parsed as a stream (ijson's C backend), one case at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ijson  # type: ignore[import-untyped]

from cases.domain.import_layout import LayoutError, ParsedCase, case_from_json

_WHITESPACE = b" \t\r\n"


def _prefix(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4096)
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(_WHITESPACE)
    if not head:
        raise LayoutError("The file is empty.")
    if head[:1] == b"[":
        return "item"
    if head[:1] == b"{":
        return "cases.item"
    raise LayoutError(
        'The file is not JSON of the import layout: an array of cases (or {"cases": [...]}).'
    )


def check_json(path: Path) -> None:
    _prefix(path)


def json_cases(path: Path, *, skip: int = 0) -> Iterator[ParsedCase]:
    prefix = _prefix(path)
    position = 0
    with path.open("rb") as f:
        if f.read(3) != b"\xef\xbb\xbf":
            f.seek(0)
        items = ijson.items(f, prefix, use_float=False)
        while True:
            try:
                item = next(items)
            except StopIteration:
                return
            except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as exc:
                raise LayoutError(f"The JSON is malformed after case {position}: {exc}.") from None
            position += 1
            if position <= skip:
                continue
            yield case_from_json(item, position=position)
