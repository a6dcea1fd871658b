"""Does every POST of an OpenAPI document declare the ``Idempotency-Key`` header?"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from servicekit.idempotency import HEADER


def _resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    ref = item.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return item
    found: Any = document
    for part in ref[2:].split("/"):
        found = found.get(part, {}) if isinstance(found, dict) else {}
    return found if isinstance(found, dict) else {}


def declares_idempotency_key(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    """Whether ``operation`` takes the ``Idempotency-Key`` request header."""
    return any(
        parameter.get("in") == "header" and str(parameter.get("name", "")).lower() == HEADER.lower()
        for parameter in (_resolve(document, p) for p in operation.get("parameters", ()))
    )


def posts(document: dict[str, Any]) -> list[str]:
    """``"POST /path"`` of every POST operation in ``document``."""
    return [
        f"POST {path}"
        for path, item in (document.get("paths") or {}).items()
        if isinstance(item, dict) and isinstance(item.get("post"), dict)
    ]


def posts_without_idempotency_key(
    document: dict[str, Any], exempt: Collection[str] = ()
) -> list[str]:
    """``"POST /path"`` of each POST that neither declares the header nor is in ``exempt``."""
    paths = document.get("paths") or {}
    return [
        operation
        for operation in posts(document)
        if operation not in exempt
        and not declares_idempotency_key(document, paths[operation.split(" ", 1)[1]]["post"])
    ]
