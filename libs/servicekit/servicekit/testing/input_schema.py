"""Every input of an API, as its OpenAPI document states it, is one the database can take.

:func:`loose_inputs` walks the request side of an OpenAPI document (each operation's
parameters and JSON request body, through ``$ref``) and names every input that could still
make a 500 out of a client's mistake:

- a string without a ``pattern`` that refuses NUL (``servicekit.types.Text`` has one); an
  enum, or a string of a format the validator parses (uuid, date, e-mail, URL …), is fine;
- an integer or number without both a lower and an upper bound.

A service's test asserts the list is empty, so a new field or query parameter written as
plain ``str`` or ``int`` fails it.
"""

from __future__ import annotations

from typing import Any

from servicekit.types import refuses_nul

PARSED_FORMATS = frozenset(
    {"uuid", "date", "date-time", "email", "uri", "binary", "ipvanyaddress", "duration"}
)
"""String formats pydantic parses into a value of their own: no free text reaches the database."""


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _walk(
    document: dict[str, Any],
    schema: dict[str, Any],
    where: str,
    found: list[str],
    seen: set[int],
) -> None:
    schema = _resolve(document, schema)
    if id(schema) in seen:
        return
    seen.add(id(schema))
    for key in ("anyOf", "oneOf", "allOf"):
        options = [_resolve(document, option) for option in schema.get(key, ())]
        decimal = any(option.get("type") == "number" for option in options)
        for option in options:
            if decimal and option.get("type") == "string" and "format" not in option:
                continue  # a Decimal's text form: parsed as a number, never stored as text
            _walk(document, option, where, found, seen)
    kind = schema.get("type")
    if "enum" in schema or "const" in schema:
        return
    if kind == "string":
        if schema.get("format") in PARSED_FORMATS:
            return
        pattern = schema.get("pattern")
        if pattern is None or not refuses_nul(pattern):
            found.append(f"{where}: a string that may hold NUL")
    elif kind in ("integer", "number"):
        low = "minimum" in schema or "exclusiveMinimum" in schema
        high = "maximum" in schema or "exclusiveMaximum" in schema
        if not (low and high):
            found.append(
                f"{where}: an {kind} without bounds"
                if kind == "integer"
                else f"{where}: a {kind} without bounds"
            )
    elif kind == "array":
        _walk(document, schema.get("items", {}), f"{where}[]", found, seen)
    elif kind == "object" or "properties" in schema:
        for name, sub in (schema.get("properties") or {}).items():
            _walk(document, sub, f"{where}.{name}", found, set())
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            _walk(document, extra, f"{where}.*", found, seen)


def loose_inputs(document: dict[str, Any]) -> list[str]:
    """``"POST /path body.field: why"`` for each input that is not bounded as it should be."""
    found: list[str] = []
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            name = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", ()):
                parameter = _resolve(document, parameter)
                where = f"{name} {parameter['in']}.{parameter['name']}"
                _walk(document, parameter.get("schema", {}), where, found, set())
            body = _resolve(document, operation.get("requestBody") or {})
            for media_type, content in (body.get("content") or {}).items():
                if media_type.endswith("json") and "schema" in content:
                    _walk(document, content["schema"], f"{name} body", found, set())
    return found
