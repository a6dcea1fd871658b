"""The streamed outputs: a ZIP built one member at a time, CSV and XLSX of typed columns."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
from reports.adapters.exports import csv_stream, xlsx_stream
from reports.adapters.zip_stream import zip_stream
from reports.domain.catalogue import CATALOGUE, Column, ageing_bucket


async def _collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


async def test_a_zip_is_written_member_by_member_with_unique_names() -> None:
    fetched: list[int] = []
    contents = [b"%PDF one", b"%PDF two" * 1000, b"a;b\r\n"]

    async def content_of(index: int) -> bytes:
        fetched.append(index)
        return contents[index]

    at = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    chunks = [
        c
        async for c in zip_stream(
            [("avregning.pdf", at), ("avregning.pdf", at), ("liste.csv", at)], content_of
        )
    ]
    assert fetched == [0, 1, 2]
    assert len([c for c in chunks if c]) >= 3  # handed on as each member is written
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["avregning.pdf", "avregning (2).pdf", "liste.csv"]
        assert archive.read("avregning (2).pdf") == contents[1]
        assert archive.getinfo("liste.csv").date_time == (2026, 3, 5, 10, 30, 0)  # Oslo


COLUMNS = (Column("sak", "text"), Column("dato", "date"), Column("belop", "money"),
           Column("antall", "count"))  # fmt: skip
ROWS: list[Sequence[Any]] = [("000017", date(2026, 1, 16), 123_456, 3), ("x;y", None, -5, 0)]


async def _chunks() -> AsyncIterator[Sequence[Sequence[Any]]]:
    yield ROWS[:1]
    yield ROWS[1:]


async def test_csv_has_the_layouts_conventions() -> None:
    text = (await _collect(csv_stream(COLUMNS, _chunks()))).decode("utf-8")
    assert text == (
        '\ufeffsak;dato;belop;antall\r\n000017;2026-01-16;1234,56;3\r\n"x;y";;-0,05;0\r\n'
    )


async def test_xlsx_has_typed_cells() -> None:
    content = await _collect(xlsx_stream(COLUMNS, _chunks()))
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("sak", "dato", "belop", "antall")
    assert rows[1] == ("000017", datetime(2026, 1, 16), 1234.56, 3)
    assert rows[2] == ("x;y", None, -0.05, 0)


def test_ageing_buckets_and_the_catalogue() -> None:
    assert [ageing_bucket(d) for d in (-3, 0, 30, 31, 90, 91, 365, 366, 4000)] == [
        "0-30", "0-30", "0-30", "31-60", "61-90", "91-180", "181-365", "365+", "365+",
    ]  # fmt: skip
    assert all(d.columns and "period" in d.filters for d in CATALOGUE.values())
