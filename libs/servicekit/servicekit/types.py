"""The input types of every API: text the database can hold, money and dates without guessing.

Each request body field and query parameter a service reads is one of these (with its own
length or range added where it is used), so that what the database or the arithmetic
behind it cannot take is a 422 naming the field, never a 500::

    creditor_reference: Annotated[Text, Field(max_length=60)]
    principal_ore: Ore
    due_date: StrictDate
    principal_min_ore: Annotated[OreParam | None, Query()] = None

- :data:`Text`: no U+0000 (PostgreSQL's ``text`` cannot hold it) and no unpaired surrogate
  (UTF-8 cannot encode it, so asyncpg cannot send it). The rule is a ``pattern`` in the
  schema, so the OpenAPI document shows it; a field's own ``pattern`` replaces it and must
  refuse NUL as well (the services' schema tests check every input string).
- :data:`Ore`: money is integer øre, and only an integer: ``true``, ``"100"``, ``1e3`` and
  ``100.0`` are refused (strict), and it is bounded (:data:`MAX_ORE`) so sums of many still
  fit a ``BIGINT``.
- :data:`StrictDate`: a calendar date written ``YYYY-MM-DD``, nothing else (not a
  date-time, not a timestamp), between 1900 and 2999 so that deadlines and limitation
  dates computed from it stay dates.
- :data:`Count` (a number in a body) and :data:`OreParam`, :data:`Limit` (numbers in a
  query string, which arrive as text) are bounded to their columns.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

BIGINT_MAX: Final = 2**63 - 1
"""The largest value of PostgreSQL's ``BIGINT`` (and ``BIGSERIAL``)."""

MAX_ORE: Final = 10**15
"""kr 10 000 000 000 000: far above any claim or payment, far below ``BIGINT_MAX`` (the
sum of a thousand such amounts still fits)."""

TEXT_PATTERN: Final = r"^[^\x00]*$"
"""The rule of :data:`Text` as the schema states it: no U+0000 (NUL)."""

FIRST_DAY: Final = date(1900, 1, 1)
LAST_DAY: Final = date(2999, 12, 31)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


Text = Annotated[str, Field(pattern=TEXT_PATTERN)]
"""A string PostgreSQL can store: no NUL, valid Unicode (no unpaired surrogates)."""

Ore = Annotated[
    int,
    Strict(),
    Field(ge=0, le=MAX_ORE, description="An amount in øre (kr 1 234,50 = 123450), an integer"),
]
"""An amount of money in øre in a request body: a JSON integer from 0 to :data:`MAX_ORE`."""

SignedOre = Annotated[
    int,
    Strict(),
    Field(
        ge=-MAX_ORE,
        le=MAX_ORE,
        description="An amount in øre (kr 1 234,50 = 123450), an integer; its sign is checked "
        "with the rest of the request",
    ),
]
"""An amount in øre whose sign the domain checks itself (it names every field at once)."""

OreParam = Annotated[
    int, Field(ge=0, le=MAX_ORE, description="An amount in øre (kr 1 234,50 = 123450)")
]
"""An amount in øre in a query string (the text of an integer)."""

Count = Annotated[int, Strict(), Field(ge=0, le=BIGINT_MAX)]
"""A whole number in a request body (a sequence number, a count): a JSON integer that fits
a ``BIGINT``."""

Limit = Annotated[int, Field(ge=1, le=1000, description="Page size")]
"""How many items a page of a list has (a query parameter; lower its ``le`` where used)."""


def _iso_date(value: Any) -> Any:
    """``value`` when it is a date or a ``YYYY-MM-DD`` string; anything else is refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_format", "must be a date written YYYY-MM-DD")


def _in_calendar(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError(
            "date_range",
            "must be a date from {first} to {last}",
            {"first": str(FIRST_DAY), "last": str(LAST_DAY)},
        )
    return value


StrictDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    AfterValidator(_in_calendar),
    Field(description="A calendar date, YYYY-MM-DD (1900-01-01 to 2999-12-31)"),
]
"""A business date: ``YYYY-MM-DD`` only (a date-time, a timestamp or a number is
refused), from :data:`FIRST_DAY` to :data:`LAST_DAY`."""


def refuses_nul(pattern: str) -> bool:
    """Whether a field's own ``pattern`` keeps NUL out as :data:`Text`'s does."""
    return re.search(pattern, "a\x00") is None and re.search(pattern, "\x00") is None
