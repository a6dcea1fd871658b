"""Event contracts evolve additively; the committed JSON Schema snapshots prove it."""

from __future__ import annotations

import itertools
import json
import uuid
from pathlib import Path

import pytest
from contracts import Envelope, EventData
from contracts.registry import load_all
from contracts.snapshots import (
    SCHEMA_DIR,
    incompatibilities,
    revisions,
    schema_of,
    write_snapshots,
)
from pydantic import Field

pytestmark = pytest.mark.unit

EVENTS = sorted(load_all().items())


@pytest.mark.parametrize(("routing_key", "model"), EVENTS, ids=[k for k, _ in EVENTS])
def test_newest_snapshot_matches_the_model(routing_key: str, model: type[EventData]) -> None:
    existing = revisions(routing_key)
    assert existing, f"no snapshot for {routing_key}: run `make schemas` and commit it"
    assert json.loads(existing[-1].read_text()) == schema_of(model), (
        f"{routing_key} changed since its snapshot: run `make schemas` and commit the new revision"
    )


@pytest.mark.parametrize(("routing_key", "model"), EVENTS, ids=[k for k, _ in EVENTS])
def test_each_revision_is_compatible_with_the_one_before(
    routing_key: str, model: type[EventData]
) -> None:
    files = revisions(routing_key)
    for older, newer in itertools.pairwise(files):
        problems = incompatibilities(json.loads(older.read_text()), json.loads(newer.read_text()))
        assert not problems, f"{newer.name} breaks {older.name}: {problems}"


def test_every_snapshot_directory_belongs_to_a_registered_event() -> None:
    registered = {k for k, _ in EVENTS}
    on_disk = {p.name for p in SCHEMA_DIR.iterdir() if p.is_dir()}
    assert on_disk <= registered, f"snapshots without a model: {sorted(on_disk - registered)}"


class _V1(EventData):
    event_type = "test.thing.happened"
    thing_id: uuid.UUID
    amount_ore: int
    note: str | None = None


class _AddsOptional(_V1):
    colour: str | None = Field(default=None, description="added later")


class _AddsRequired(_V1):
    colour: str


class _Retyped(EventData):
    event_type = "test.thing.happened"
    thing_id: uuid.UUID
    amount_ore: str
    note: str | None = None


class _Removed(EventData):
    event_type = "test.thing.happened"
    thing_id: uuid.UUID
    note: str | None = None


class _NewMajor(_V1):
    event_version = 2


@pytest.mark.parametrize(
    ("newer", "expected"),
    [
        (_V1, []),
        (_AddsOptional, []),
        (_AddsRequired, ["required properties changed"]),
        (_Retyped, ["property 'amount_ore' changed"]),
        (_Removed, ["property 'amount_ore' removed", "required properties changed"]),
        (_NewMajor, ["routing key changed"]),
    ],
)
def test_incompatible_changes_are_named(newer: type[EventData], expected: list[str]) -> None:
    problems = incompatibilities(schema_of(_V1), schema_of(newer))
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start)


def test_write_snapshots_adds_revisions_and_refuses_breaking_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = {_V1.routing_key(): _V1}
    monkeypatch.setattr("contracts.snapshots.load_all", lambda: registry)
    assert [p.name for p in write_snapshots(tmp_path)] == ["0001.json"]
    assert write_snapshots(tmp_path) == []  # unchanged: nothing written
    registry[_V1.routing_key()] = _AddsOptional
    assert [p.name for p in write_snapshots(tmp_path)] == ["0002.json"]
    registry[_V1.routing_key()] = _Removed
    with pytest.raises(SystemExit, match="incompatible"):
        write_snapshots(tmp_path)
    assert len(revisions(_V1.routing_key(), tmp_path)) == 2


def test_envelope_round_trip_and_tolerant_reading() -> None:
    envelope = Envelope.wrap(_V1(thing_id=uuid.uuid4(), amount_ore=12_345))
    assert envelope.routing_key == "test.thing.happened.v1"
    assert envelope.producer == "test"
    wire = json.loads(envelope.model_dump_json())
    wire["data"]["unknown_later_field"] = "ignored"
    wire["unknown_envelope_field"] = 1
    again = Envelope.model_validate(wire)
    assert again.payload(_V1).amount_ore == 12_345
    assert again.event_id == envelope.event_id
