"""JSON Schema snapshots of event payloads and the additive-evolution rule.

Snapshots live in ``libs/contracts/schemas/<routing key>/NNNN.json``. A file is never
rewritten: a compatible change of a model adds the next revision. The contract test checks
that each revision is compatible with the one before it and that the newest matches the
model in code.

Compatible within a major version means a consumer written against an older revision can
still read the newer events, and a consumer written against the newer one can still read
older events (replays, dead letters): properties are never removed or retyped, the set of
required properties never changes, and new properties are optional.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from contracts.envelope import EventData
from contracts.registry import load_all

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
_NON_SEMANTIC = {"title", "description", "examples"}


def schema_of(model: type[EventData]) -> dict[str, Any]:
    """The payload's JSON Schema with the routing key it is published under."""
    schema = model.model_json_schema(mode="serialization")
    return {"routing_key": model.routing_key(), "schema": schema}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _NON_SEMANTIC}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why ``new`` is not an additive evolution of ``old`` (empty when it is)."""
    problems: list[str] = []
    if old["routing_key"] != new["routing_key"]:
        problems.append(f"routing key changed: {old['routing_key']} -> {new['routing_key']}")
    old_s, new_s = _strip(old["schema"]), _strip(new["schema"])
    old_props: dict[str, Any] = old_s.get("properties", {})
    new_props: dict[str, Any] = new_s.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"property {name!r} removed")
        elif new_props[name] != old_prop:
            problems.append(f"property {name!r} changed: {old_prop} -> {new_props[name]}")
    if set(old_s.get("required", [])) != set(new_s.get("required", [])):
        problems.append(
            f"required properties changed: {sorted(old_s.get('required', []))} -> "
            f"{sorted(new_s.get('required', []))}"
        )
    if old_s.get("$defs", {}) != {
        k: v for k, v in new_s.get("$defs", {}).items() if k in old_s.get("$defs", {})
    }:
        problems.append("a shared definition ($defs) changed")
    return problems


def revisions(routing_key: str, schema_dir: Path = SCHEMA_DIR) -> list[Path]:
    """The committed revisions of one event type, oldest first."""
    return sorted((schema_dir / routing_key).glob("[0-9][0-9][0-9][0-9].json"))


def write_snapshots(schema_dir: Path = SCHEMA_DIR) -> list[Path]:
    """Add a revision for every event whose schema differs from its newest snapshot."""
    written: list[Path] = []
    for key, model in sorted(load_all().items()):
        current = schema_of(model)
        existing = revisions(key, schema_dir)
        if existing and json.loads(existing[-1].read_text()) == current:
            continue
        if existing:
            problems = incompatibilities(json.loads(existing[-1].read_text()), current)
            if problems:
                raise SystemExit(
                    f"{key}: incompatible change, publish a new major version instead:\n  "
                    + "\n  ".join(problems)
                )
        target = schema_dir / key / f"{len(existing) + 1:04d}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        written.append(target)
    return written


def main() -> None:
    """``contracts-schemas``: snapshot new or changed event schemas."""
    written = write_snapshots()
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("schemas up to date")
    sys.exit(0)
