"""Strings the database cannot hold are refused as invalid input."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError
from servicekit.text import Storable

pytestmark = pytest.mark.unit


class Named(BaseModel):
    name: Annotated[str, Field(max_length=20), Storable]


def test_a_nul_character_is_refused() -> None:
    with pytest.raises(ValidationError, match="U\\+0000"):
        Named(name="Kari\x00")


@pytest.mark.parametrize("name", ["Kari Nordmann", "Ærlig Øyvind Åsen", "\x1f\t\u00a0"])
def test_everything_else_passes_unchanged(name: str) -> None:
    assert Named(name=name).name == name
