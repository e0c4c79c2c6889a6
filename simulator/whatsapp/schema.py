"""A small, strict JSON-Schema subset validator over the patched schemas from Meta's spec.

Supported: $ref, allOf (merged), oneOf (exactly one branch, each merged with its parent),
discriminator mappings, type, enum, required, properties (closed), items, min/maxItems,
min/maxLength and pattern. Error texts follow Graph's wording ("The parameter text['body'] is
required.", "Unexpected key \"x\" on param \"text\".").
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from simulator.whatsapp import patches

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


@cache
def extracted() -> dict[str, Any]:
    """The unpatched schemas.json document (read once, from package data)."""
    text = resources.files("simulator.whatsapp.api").joinpath("schemas.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def patched() -> dict[str, Any]:
    """The schemas with every patch of ``patches.PATCHES`` applied."""
    return patches.apply(extracted()["schemas"])


def path_text(path: tuple[str | int, ...]) -> str:
    """Graph's way to name a nested parameter: interactive['action']['buttons'][0]."""
    if not path:
        return "body"
    head, *rest = path
    return str(head) + "".join(f"[{p}]" if isinstance(p, int) else f"['{p}']" for p in rest)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Merge two object schemas: properties per key, required united, closed if either is."""
    out = {k: v for k, v in base.items() if k not in ("discriminator", "oneOf")}
    for key, value in extra.items():
        if key == "properties":
            merged = dict(out.get("properties", {}))
            for name, prop in value.items():
                merged[name] = {**merged.get(name, {}), **prop}
            out["properties"] = merged
        elif key == "required":
            out["required"] = sorted(set(out.get("required", [])) | set(value))
        elif key == "additionalProperties":
            out[key] = value if out.get(key, True) else False
        else:
            out[key] = value
    return out


class Validator:
    """Validates request bodies against one set of (patched) schemas."""

    def __init__(self, schemas: dict[str, Any] | None = None) -> None:
        self.schemas = patched() if schemas is None else schemas

    def errors(self, name: str, value: Any) -> list[str]:
        """Every problem of ``value`` against schema ``name``; empty when valid."""
        found: list[str] = []
        self._check({"$ref": f"#/components/schemas/{name}"}, value, (), found)
        return found

    def _expand(self, node: dict[str, Any]) -> dict[str, Any]:
        """Resolve $ref and merge allOf branches into one schema."""
        while "$ref" in node:
            node = {
                **self.schemas[node["$ref"].rsplit("/", 1)[-1]],
                **{k: v for k, v in node.items() if k != "$ref"},
            }
        if "allOf" in node:
            merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
            for branch in node["allOf"]:
                expanded = self._expand(branch)
                expanded.pop("discriminator", None)
                merged = _merge(expanded, merged) if not merged else _merge(merged, expanded)
            node = merged
        return node

    def _check(
        self, node: dict[str, Any], value: Any, path: tuple[str | int, ...], out: list[str]
    ) -> None:
        """Validate one value against one schema node, appending problems to ``out``."""
        node = self._expand(node)
        disc = node.get("discriminator")
        if disc and isinstance(value, dict) and disc["propertyName"] in value:
            self._dispatch(node, disc, value, path, out)
            return
        if "oneOf" in node:
            self._one_of(node, value, path, out)
            return
        if not self._type_ok(node, value, path, out):
            return
        if "enum" in node and value not in node["enum"]:
            allowed = ", ".join(str(v) for v in node["enum"])
            out.append(f"Param {path_text(path)} must be one of {{{allowed}}} - got {value!r}.")
        if isinstance(value, str):
            self._string(node, value, path, out)
        elif isinstance(value, list):
            self._array(node, value, path, out)
        elif isinstance(value, dict):
            self._object(node, value, path, out)

    def _dispatch(
        self,
        node: dict[str, Any],
        disc: dict[str, Any],
        value: dict[str, Any],
        path: tuple[str | int, ...],
        out: list[str],
    ) -> None:
        """Validate against the schema the discriminator value maps to."""
        key = disc["propertyName"]
        target = disc.get("mapping", {}).get(value[key])
        if target is None:
            allowed = ", ".join(sorted(disc.get("mapping", {})))
            out.append(
                f"Param {path_text((*path, key))} must be one of {{{allowed}}} - got "
                f"{value[key]!r}."
            )
            return
        self._check({"$ref": target}, value, path, out)

    def _one_of(
        self, node: dict[str, Any], value: Any, path: tuple[str | int, ...], out: list[str]
    ) -> None:
        """Exactly one branch, merged with the parent, must accept the value."""
        parent = {k: v for k, v in node.items() if k != "oneOf"}
        results: list[list[str]] = []
        for branch in node["oneOf"]:
            found: list[str] = []
            self._check(_merge(parent, self._expand(branch)), value, path, found)
            results.append(found)
        passing = sum(1 for r in results if not r)
        if passing == 1:
            return
        if passing > 1:
            out.append(f"Param {path_text(path)} matches more than one allowed form.")
            return
        best: list[str] = min(results, key=len)
        out.extend(best)

    def _type_ok(
        self, node: dict[str, Any], value: Any, path: tuple[str | int, ...], out: list[str]
    ) -> bool:
        """Check the JSON type; booleans are never numbers."""
        wanted = node.get("type") or ("object" if "properties" in node else None)
        if wanted is None:
            return True
        names = wanted if isinstance(wanted, list) else [wanted]
        for name in names:
            if isinstance(value, bool) and name != "boolean":
                continue
            if isinstance(value, _TYPES[name]):
                return True
        out.append(f"Param {path_text(path)} must be of type {' or '.join(names)}.")
        return False

    def _string(
        self, node: dict[str, Any], value: str, path: tuple[str | int, ...], out: list[str]
    ) -> None:
        """Length and pattern of a string."""
        name = path_text(path)
        if len(value) < node.get("minLength", 0):
            out.append(f"Param {name} must be at least {node['minLength']} characters long.")
        if "maxLength" in node and len(value) > node["maxLength"]:
            out.append(f"Param {name} must be at most {node['maxLength']} characters long.")
        if "pattern" in node and not re.search(node["pattern"], value):
            out.append(f"Param {name} does not match the expected format.")

    def _array(
        self, node: dict[str, Any], value: list[Any], path: tuple[str | int, ...], out: list[str]
    ) -> None:
        """Size and items of an array."""
        name = path_text(path)
        if len(value) < node.get("minItems", 0):
            out.append(f"Param {name} must have at least {node['minItems']} elements.")
        if "maxItems" in node and len(value) > node["maxItems"]:
            out.append(f"Param {name} must have at most {node['maxItems']} elements.")
        if "items" in node:
            for index, item in enumerate(value):
                self._check(node["items"], item, (*path, index), out)

    def _object(
        self,
        node: dict[str, Any],
        value: dict[str, Any],
        path: tuple[str | int, ...],
        out: list[str],
    ) -> None:
        """Required, known and nested fields of an object (closed when it lists properties)."""
        props: dict[str, Any] = node.get("properties", {})
        for key in node.get("required", []):
            if key not in value:
                out.append(f"The parameter {path_text((*path, key))} is required.")
        closed = bool(props) and node.get("additionalProperties") is not True
        for key, item in value.items():
            if key in props:
                self._check(props[key], item, (*path, key), out)
            elif closed:
                where = path_text(path) if path else "body"
                out.append(f'Unexpected key "{key}" on param "{where}".')
