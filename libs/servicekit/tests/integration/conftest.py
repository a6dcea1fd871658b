from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable

import pytest
from servicekit.testing import infra

from .harness import Kit, create_kit_database

_ns = itertools.count()


@pytest.fixture
async def kit_factory(
    infrastructure: None, bus_namespace: str
) -> AsyncIterator[Callable[..., Kit]]:
    """Build :class:`Kit` instances on a fresh database; everything is cleaned up after."""
    name, url = await create_kit_database()
    kits: list[Kit] = []

    def make(**kwargs: object) -> Kit:
        kit = Kit(url=url, namespace=f"{bus_namespace}k{next(_ns)}.", **kwargs)  # type: ignore[arg-type]
        kits.append(kit)
        return kit

    yield make
    for kit in kits:
        await kit.close()
    await infra.drop_database(name)
