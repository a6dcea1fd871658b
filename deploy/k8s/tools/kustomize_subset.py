"""The part of kustomize that InfoCenter's overlays use, in Python, for machines without it.

``make test`` renders every overlay with this and, where ``kubectl`` (or ``kustomize``) is
installed, with the real tool too and compares the two. Supported, and nothing more (an
unknown field in a kustomization is an error, not ignored):

- ``resources``: files (one or more YAML documents) and directories with a kustomization;
- ``namespace``: set on every namespaced object;
- ``images``: ``name`` → ``newName`` / ``newTag`` in containers and init containers;
- ``replicas``: ``name`` → ``count`` of a Deployment;
- ``patches``: a strategic-merge patch file (``path``; target: its kind and name) or a JSON
  6902 patch (``patch`` or ``path`` holding a list of operations ``add``/``replace``/
  ``remove``) applied to every object matching ``target`` (``kind``, optional ``name``).

Strategic merge: maps merge; lists of maps keyed by ``name`` (containers, env, ports,
volumes) merge item by item for the built-in kinds; any other list, and every list of a
custom resource (kustomize merges those as JSON merge patches), is replaced.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]
KNOWN_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images", "replicas", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}
BUILTIN_GROUPS = {
    "v1",
    "apps/v1",
    "batch/v1",
    "policy/v1",
    "autoscaling/v2",
    "networking.k8s.io/v1",
}
MERGE_KEY = "name"


class KustomizeError(ValueError):
    """A kustomization this subset does not understand, or a patch with no target."""


def build(directory: Path) -> list[Obj]:
    """Every object the kustomization in ``directory`` renders."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KNOWN_FIELDS
    if unknown:
        raise KustomizeError(f"{directory}: unsupported fields {sorted(unknown)}")
    objects: list[Obj] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        objects.extend(build(path) if path.is_dir() else _load(path))
    for patch in kustomization.get("patches", []):
        _apply_patch(directory, patch, objects)
    for replica in kustomization.get("replicas", []):
        _target(objects, "Deployment", replica["name"])["spec"]["replicas"] = replica["count"]
    for image in kustomization.get("images", []):
        _set_image(objects, image)
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = kustomization["namespace"]
    return objects


def _load(path: Path) -> list[Obj]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _target(objects: list[Obj], kind: str, name: str) -> Obj:
    for obj in objects:
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            return obj
    raise KustomizeError(f"no {kind} {name} to patch")


def _apply_patch(directory: Path, entry: Obj, objects: list[Obj]) -> None:
    if "path" in entry:
        content = yaml.safe_load((directory / entry["path"]).read_text())
    else:
        content = yaml.safe_load(entry["patch"])
    if isinstance(content, list):
        target = entry.get("target") or {}
        matched = [
            obj
            for obj in objects
            if obj["kind"] == target.get("kind")
            and target.get("name", obj["metadata"]["name"]) == obj["metadata"]["name"]
        ]
        if not matched:
            raise KustomizeError(f"JSON patch matches nothing: {target}")
        for obj in matched:
            for operation in content:
                _json_patch(obj, operation)
        return
    obj = _target(objects, content["kind"], content["metadata"]["name"])
    builtin = obj["apiVersion"] in BUILTIN_GROUPS
    merged = _merge(obj, content, builtin)
    obj.clear()
    obj.update(merged)


def _merge(base: Any, patch: Any, builtin: bool) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = _merge(out[key], value, builtin)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if builtin and _keyed(base) and _keyed(patch):
        out_list = [copy.deepcopy(item) for item in base]
        for item in patch:
            for i, existing in enumerate(out_list):
                if existing[MERGE_KEY] == item[MERGE_KEY]:
                    out_list[i] = _merge(existing, item, builtin)
                    break
            else:
                out_list.append(copy.deepcopy(item))
        return out_list
    return copy.deepcopy(patch)


def _keyed(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and MERGE_KEY in item for item in value)
    )


def _json_patch(obj: Obj, operation: Obj) -> None:
    *parents, last = [
        part.replace("~1", "/").replace("~0", "~")
        for part in operation["path"].lstrip("/").split("/")
    ]
    node: Any = obj
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    op = operation["op"]
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if op == "add":
            node.insert(index, copy.deepcopy(operation["value"]))
        elif op == "replace":
            node[index] = copy.deepcopy(operation["value"])
        elif op == "remove":
            del node[index]
        else:
            raise KustomizeError(f"unsupported JSON patch op {op}")
        return
    if op in ("add", "replace"):
        if op == "replace" and last not in node:
            raise KustomizeError(f"replace of a missing {operation['path']}")
        node[last] = copy.deepcopy(operation["value"])
    elif op == "remove":
        del node[last]
    else:
        raise KustomizeError(f"unsupported JSON patch op {op}")


def _set_image(objects: list[Obj], image: Obj) -> None:
    for obj in objects:
        template = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in [*template.get("containers", []), *template.get("initContainers", [])]:
            name, _, tag = container["image"].partition(":")
            if name != image["name"]:
                continue
            new_name = image.get("newName", name)
            new_tag = image.get("newTag", tag)
            container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name
