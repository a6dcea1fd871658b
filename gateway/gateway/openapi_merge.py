"""Merge the services' OpenAPI documents into one for ``/api/v1`` (pure: no I/O).

Rules:

* Only paths under ``/api/v1/`` that the route table sends to the service that
  documents them are kept (a service cannot document another one's prefix).
* Every operation is tagged with its service; its own tags are kept under
  ``x-service-tags``. Top-level ``security`` of a service moves down to its operations.
* Components (``schemas``, ``responses``, ``parameters`` …) with the same name in several
  services are shared when their definitions are identical, and otherwise renamed with
  the service as prefix (``Problem`` → ``CasesProblem``), every ``$ref`` (and
  discriminator mapping, and security requirement) rewritten to match. Identical text that
  refers to a renamed component is not identical, so renaming repeats until stable.
* Services that could not be fetched are listed in ``info.x-unavailable``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

OPENAPI_VERSION = "3.1.0"
API_PREFIX = "/api/v1/"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_COMPONENTS_REF = "#/components/"

Key = tuple[str, str]
"""A component: (section, name), for example ``("schemas", "Problem")``."""


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One service's OpenAPI document and the path prefix the gateway routes to it."""

    service: str
    prefix: str
    document: Mapping[str, Any]


def _owns(prefix: str, path: str) -> bool:
    return path.startswith(API_PREFIX) and (path == prefix or path.startswith(prefix + "/"))


def _service_prefix(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace("-", "_").split("_"))


def _parse_ref(ref: str) -> Key | None:
    if not ref.startswith(_COMPONENTS_REF):
        return None
    section, _, name = ref[len(_COMPONENTS_REF) :].partition("/")
    if not section or not name or "/" in name:
        return None
    return section, name


def _rewrite(node: Any, rename: Callable[[Key], str | None]) -> Any:
    """A copy of ``node`` with component references renamed by ``rename`` (None: keep)."""

    def ref(value: str) -> str:
        key = _parse_ref(value)
        new = rename(key) if key else None
        return f"{_COMPONENTS_REF}{key[0]}/{new}" if key and new else value

    def security(requirements: Any) -> Any:
        if not isinstance(requirements, list):
            return requirements
        return [
            {rename(("securitySchemes", k)) or k: v for k, v in r.items()}
            if isinstance(r, dict)
            else r
            for r in requirements
        ]

    if isinstance(node, list):
        return [_rewrite(item, rename) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            result[key] = ref(value)
        elif key == "mapping" and isinstance(value, dict):
            result[key] = {k: ref(v) if isinstance(v, str) else v for k, v in value.items()}
        elif key == "security":
            result[key] = security(value)
        else:
            result[key] = _rewrite(value, rename)
    return result


def _components(spec: ServiceSpec) -> dict[Key, Any]:
    found: dict[Key, Any] = {}
    sections = spec.document.get("components") or {}
    for section, entries in sections.items():
        if isinstance(entries, dict):
            for name, definition in entries.items():
                found[(section, name)] = definition
    return found


def _canonical(node: Any) -> str:
    return json.dumps(node, sort_keys=True, separators=(",", ":"))


def _renamed_components(
    components: Mapping[str, Mapping[Key, Any]],
) -> set[Key]:
    """Components defined by several services that must get a service prefix."""
    owners: dict[Key, list[str]] = {}
    for service, found in components.items():
        for key in found:
            owners.setdefault(key, []).append(service)
    shared = {key for key, services in owners.items() if len(services) > 1}
    renamed: set[Key] = set()
    changed = True
    while changed:
        changed = False
        for key in sorted(shared - renamed):

            def marker(service: str) -> Callable[[Key], str | None]:
                return lambda k: f"\x00{service}\x00{k[1]}" if k in renamed else None

            texts = {
                _canonical(_rewrite(components[service][key], marker(service)))
                for service in owners[key]
            }
            if len(texts) > 1:
                renamed.add(key)
                changed = True
    return renamed


def merge_openapi(
    specs: Sequence[ServiceSpec],
    *,
    unavailable: Sequence[str] = (),
    title: str = "InfoCenter API",
    version: str = "1",
    description: str = "",
) -> dict[str, Any]:
    """One OpenAPI 3.1 document for ``/api/v1`` from the services' documents."""
    components = {spec.service: _components(spec) for spec in specs}
    renamed = _renamed_components(components)

    taken: dict[str, set[str]] = {}
    for found in components.values():
        for section, name in found:
            if (section, name) not in renamed:
                taken.setdefault(section, set()).add(name)
    renames: dict[str, dict[Key, str]] = {}
    for spec in specs:
        mapping: dict[Key, str] = {}
        for section, name in sorted(components[spec.service]):
            if (section, name) not in renamed:
                continue
            candidate, n = f"{_service_prefix(spec.service)}{name}", 2
            while candidate in taken.setdefault(section, set()):
                candidate, n = f"{_service_prefix(spec.service)}{name}{n}", n + 1
            taken[section].add(candidate)
            mapping[(section, name)] = candidate
        renames[spec.service] = mapping

    paths: dict[str, Any] = {}
    merged_components: dict[str, dict[str, Any]] = {}
    tags: list[dict[str, Any]] = []
    operation_ids: set[str] = set()
    for spec in specs:
        rename = renames[spec.service].get
        document = spec.document
        default_security = document.get("security")
        for path, item in (document.get("paths") or {}).items():
            if not _owns(spec.prefix, path) or path in paths or not isinstance(item, dict):
                continue
            new_item = _rewrite(copy.deepcopy(item), rename)
            for method, operation in new_item.items():
                if method not in HTTP_METHODS or not isinstance(operation, dict):
                    continue
                if operation.get("tags"):
                    operation["x-service-tags"] = operation["tags"]
                operation["tags"] = [spec.service]
                if "security" not in operation and default_security is not None:
                    operation["security"] = _rewrite({"security": default_security}, rename)[
                        "security"
                    ]
                operation_id = operation.get("operationId")
                if isinstance(operation_id, str):
                    if operation_id in operation_ids:
                        operation_id = f"{spec.service}_{operation_id}"
                        operation["operationId"] = operation_id
                    operation_ids.add(operation_id)
            paths[path] = new_item
        for (section, name), definition in components[spec.service].items():
            final = renames[spec.service].get((section, name), name)
            merged_components.setdefault(section, {}).setdefault(
                final, _rewrite(copy.deepcopy(definition), rename)
            )
        info = document.get("info") or {}
        tag: dict[str, Any] = {"name": spec.service}
        tag_description = " — ".join(
            str(part) for part in (info.get("title"), info.get("description")) if part
        )
        if tag_description:
            tag["description"] = tag_description
        tags.append(tag)

    merged_info: dict[str, Any] = {"title": title, "version": version}
    if description:
        merged_info["description"] = description
    merged_info["x-unavailable"] = list(unavailable)
    merged: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": merged_info,
        "tags": tags,
        "paths": dict(sorted(paths.items())),
    }
    if merged_components:
        merged["components"] = {
            section: dict(sorted(entries.items()))
            for section, entries in sorted(merged_components.items())
        }
    return merged


def operations_by_tag(document: Mapping[str, Any]) -> list[tuple[str, list[dict[str, str]]]]:
    """``[(tag, [{method, path, summary, operation_id}, …]), …]`` in document order.

    What the ``/docs`` page lists; untagged operations fall under ``"other"``.
    """
    groups: dict[str, list[dict[str, str]]] = {
        str(tag.get("name")): [] for tag in document.get("tags") or [] if isinstance(tag, dict)
    }
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            tag = str((operation.get("tags") or ["other"])[0])
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": str(operation.get("summary") or ""),
                    "operation_id": str(operation.get("operationId") or ""),
                }
            )
    return list(groups.items())
