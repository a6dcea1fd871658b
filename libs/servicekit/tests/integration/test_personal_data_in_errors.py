"""A database error caused by personal data does not carry it into the log (issue 18, #3).

A note with a NUL in it made PostgreSQL refuse the statement; the logged traceback showed
SQLAlchemy's ``[parameters: …]`` with the note in clear. A unique violation repeats the
value in PostgreSQL's ``DETAIL:`` line. Both paths run here against the real database,
through the error handler every service has, with the process's real logging set-up.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from servicekit.db import make_engine
from servicekit.http import EdgeApp
from servicekit.problems import install_problem_handlers
from servicekit.telemetry import UVICORN_LOGGERS, setup_logging
from servicekit.testing import infra
from servicekit.testing.data import national_identity_number
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

FNR = national_identity_number()


class Note(BaseModel):
    reference: str
    body: str


@pytest.fixture
async def engine(infrastructure: None) -> AsyncIterator[AsyncEngine]:
    name = f"{infra.run_database_name('scrub')}_{uuid.uuid4().hex[:6]}"
    url = await infra.create_database(name)
    engine = make_engine(url, pool_size=2)
    async with engine.begin() as conn:
        await conn.execute(
            text("CREATE TABLE notes (reference text PRIMARY KEY, body text NOT NULL)")
        )
    yield engine
    await engine.dispose()
    await infra.drop_database(name)


@pytest.fixture
def pristine_logging() -> Iterator[None]:
    """setup_logging changes process-wide state: put it back after the test."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    saved_uvicorn = {n: logging.getLogger(n).propagate for n in UVICORN_LOGGERS}
    hooks = (sys.excepthook, threading.excepthook)
    yield
    root.handlers[:], level = saved
    root.setLevel(level)
    for name, propagate in saved_uvicorn.items():
        logging.getLogger(name).propagate = propagate
    sys.excepthook, threading.excepthook = hooks
    logging.captureWarnings(False)


def notes_app(engine: AsyncEngine) -> FastAPI:
    app = EdgeApp(service="test", title="test")
    install_problem_handlers(app)

    @app.post("/api/v1/notes", status_code=201)
    async def add_note(note: Note) -> None:
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO notes (reference, body) VALUES (:reference, :body)"),
                {"reference": note.reference, "body": note.body},
            )

    return app


async def test_the_engine_keeps_bound_values_out_of_its_errors(engine: AsyncEngine) -> None:
    insert = text("INSERT INTO notes (reference, body) VALUES (:reference, :body)")
    with pytest.raises(DBAPIError) as nul:
        async with engine.begin() as conn:
            await conn.execute(insert, {"reference": "a", "body": f"fnr {FNR}\x00"})
    assert FNR not in str(nul.value)
    assert "hide_parameters" in str(nul.value)  # SQLAlchemy says it left them out

    async with engine.begin() as conn:
        await conn.execute(insert, {"reference": FNR, "body": "first"})
    with pytest.raises(IntegrityError) as duplicate:
        async with engine.begin() as conn:
            await conn.execute(insert, {"reference": FNR, "body": "again"})
    # PostgreSQL itself repeats the key: only the log filter can take it out (next test)
    assert f"Key (reference)=({FNR})" in str(duplicate.value)


async def test_a_crash_on_personal_data_logs_none_of_it(
    engine: AsyncEngine, pristine_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("test-api")  # as every service process does (stderr: the captured one)
    transport = httpx.ASGITransport(app=notes_app(engine), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        nul = await client.post(
            "/api/v1/notes", json={"reference": "n1", "body": f"fødselsnummer {FNR}\x00"}
        )
        first = await client.post("/api/v1/notes", json={"reference": FNR, "body": "first"})
        duplicate = await client.post("/api/v1/notes", json={"reference": FNR, "body": "again"})

    assert (nul.status_code, first.status_code, duplicate.status_code) == (500, 201, 500)
    err = capsys.readouterr().err
    crashes = [json.loads(line) for line in err.splitlines() if "unhandled error" in line]
    assert len(crashes) == 2
    assert "CharacterNotInRepertoire" in crashes[0]["exc"] or "0x00" in crashes[0]["exc"]
    assert "UniqueViolation" in crashes[1]["exc"]
    assert all(c["request_id"] for c in crashes)
    assert FNR not in err
