"""Reads without an ORM session: a Core statement compiled once, run on the driver.

A read endpoint's query (with the audit rows it writes, as a data-modifying CTE) is one
statement on a pooled connection outside a transaction block: the statement is its own
transaction, so no ``BEGIN``/``COMMIT`` round trips, no session, and none of SQLAlchemy's
per-execution work (cache key, execution context, result rows): together about a
quarter of a read's CPU (bench/README.md, api_reads). What stays: the pool and its
checkout check (``servicekit.db``), a span per statement as :class:`SqlSpans` records it
(the text, never the parameters), and a connection that broke (or whose statement was
cancelled) is invalidated, never returned to the pool.

    LIST = Query(select(...).where(t.c.owner == bindparam("owner")))
    async with reading(engine) as read:
        rows = await read.fetch(LIST, {"owner": tenant})

Only for statements whose parameters and result columns need nothing from SQLAlchemy
beyond the bind processors (:class:`Prepared` checks): asyncpg's own codecs return
``uuid.UUID``, ``datetime`` (aware for ``timestamptz``), ``date``, ``int``, ``str``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from opentelemetry.trace import Status, StatusCode
from sqlalchemy import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.types import TypeEngine

from servicekit.db import is_database_unavailable


def _needs_processing(type_: TypeEngine[Any], dialect: Dialect) -> bool:
    """Whether SQLAlchemy would change the driver's value of a column of ``type_``: an
    array of a plain type is asyncpg's list already (SQLAlchemy only copies it)."""
    if isinstance(type_, ARRAY) and not type_.as_tuple:
        return _needs_processing(type_.item_type, dialect)
    return type_.dialect_impl(dialect).result_processor(dialect, None) is not None


class Prepared:
    """A statement compiled once for ``dialect`` (asyncpg's): its SQL, its parameters in
    order, their bind processors and the values bound in the statement itself."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError("not a SQL statement")
        names = tuple(compiled.positiontup or ())
        if compiled.positiontup is None and compiled.binds:
            raise ValueError("the dialect does not bind parameters by position")
        for name in names:
            if compiled.binds[name].expanding:
                raise ValueError(f"{name}: an expanding IN list; bind an array (= ANY) instead")
        for column in compiled._result_columns or ():
            if _needs_processing(column[3], dialect):
                raise ValueError(f"{column[0]}: its type needs SQLAlchemy's result processing")
        processors: list[Callable[[Any], Any] | None] = []
        for name in names:
            process = compiled._bind_processors.get(name)
            if process is not None and not callable(process):
                raise ValueError(f"{name}: a tuple parameter; bind its parts")
            processors.append(process)
        self.sql = str(compiled)
        self.names = names
        self.processors = tuple(processors)
        self.bound = {
            n: compiled.binds[n].effective_value for n in names if not compiled.binds[n].required
        }

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for ``params`` (a value bound in the statement itself
        unless given); a parameter without a value is a ``KeyError``."""
        arguments = []
        for name, process in zip(self.names, self.processors, strict=True):
            value = params[name] if name in params else self.bound[name]
            arguments.append(value if process is None or value is None else process(value))
        return arguments


class Query:
    """A statement kept at module level, compiled (:class:`Prepared`) on first use for the
    dialect of the reader that runs it, then reused."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._prepared: dict[int, Prepared] = {}

    def prepared(self, dialect: Dialect) -> Prepared:
        prepared = self._prepared.get(id(dialect))
        if prepared is None:
            prepared = self._prepared[id(dialect)] = Prepared(self.statement, dialect)
        return prepared


class Reader:
    """One pooled connection, used through its driver (see the module)."""

    def __init__(
        self, connection: AsyncConnection, driver: Any, spans: Any, dialect: Dialect
    ) -> None:
        self._connection = connection
        self._driver = driver
        self._spans = spans
        self._dialect = dialect

    async def fetch(self, statement: Prepared | Query, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows (``asyncpg.Record``: by name or position)."""
        if isinstance(statement, Query):
            statement = statement.prepared(self._dialect)
        arguments = statement.arguments(params)
        span = None
        if self._spans is not None:
            name, attributes = self._spans.describe(statement.sql)
            span = self._spans.start(name, attributes)
        try:
            rows: list[Any] = await self._driver.fetch(statement.sql, *arguments)
        except BaseException as exc:
            if span is not None:
                if span.is_recording():
                    span.set_status(Status(StatusCode.ERROR, str(exc)))
                span.end()
                span = None
            if not isinstance(exc, Exception) or is_database_unavailable(exc):
                # broken, or cancelled half-way through its answer: never back to the pool
                with contextlib.suppress(Exception):
                    await self._connection.invalidate()
            raise
        if span is not None:
            span.end()
        return rows


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[Reader]:
    """A pooled connection for :class:`Prepared` statements, each its own transaction."""
    async with engine.connect() as connection:
        fairy = await connection.get_raw_connection()
        spans = getattr(engine.sync_engine, "_servicekit_sql_spans", None)
        yield Reader(connection, fairy.driver_connection, spans, engine.dialect)
