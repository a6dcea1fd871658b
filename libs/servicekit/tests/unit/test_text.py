"""Strings the database cannot hold are refused as invalid input."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError
from servicekit.text import NotBlank, Storable

pytestmark = pytest.mark.unit


class Named(BaseModel):
    name: Annotated[str, Field(max_length=20), Storable]


def test_a_nul_character_is_refused() -> None:
    with pytest.raises(ValidationError, match="U\\+0000"):
        Named(name="Kari\x00")


@pytest.mark.parametrize("name", ["Kari Nordmann", "Ærlig Øyvind Åsen", "\x1f\t\u00a0"])
def test_everything_else_passes_unchanged(name: str) -> None:
    assert Named(name=name).name == name


class Note(BaseModel):
    body: Annotated[str, Field(min_length=1), NotBlank]


@pytest.mark.parametrize("body", [" ", "   ", "\t\n", "\u00a0\u2003", "\r\n \r\n"])
def test_a_string_of_only_whitespace_is_refused_as_blank(body: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Note(body=body)
    (error,) = refused.value.errors()
    assert (error["type"], error["msg"], error["loc"]) == ("blank", "is required", ("body",))


def test_text_with_whitespace_around_it_passes_unchanged() -> None:
    assert Note(body="  Ring meg.  ").body == "  Ring meg.  "
