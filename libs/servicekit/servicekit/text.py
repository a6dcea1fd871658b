"""Text a service can store: PostgreSQL's ``text`` and ``varchar`` hold no U+0000 (NUL).

A request string with a NUL in it would reach the database and fail there (a 500); with
:data:`Storable` on the field it is a 422 like any other invalid value::

    name: Annotated[str, Field(max_length=200), Storable]
"""

from __future__ import annotations

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError


def storable(value: str) -> str:
    """``value`` unchanged; a ``ValueError`` when it holds a NUL character."""
    if "\x00" in value:
        raise ValueError("must not contain the character U+0000 (NUL)")
    return value


Storable = AfterValidator(storable)
"""Refuses a string the database could not hold."""


def not_blank(value: str) -> str:
    """``value`` unchanged; refused (``blank``: "is required") when it is only whitespace."""
    if not value.strip():
        raise PydanticCustomError("blank", "is required")
    return value


NotBlank = AfterValidator(not_blank)
"""Refuses a string of nothing but whitespace (a note of spaces says nothing): 422 with the
field named and the reason ``is required`` (the portal's ``reason.is_required``)."""
