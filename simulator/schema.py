"""Load api.json and validate method parameters against it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from simulator.errors import bad_request

# The official Bot API schema ships inside the package (MIT, see telegram_api/LICENSE), so a
# fresh clone or an installed wheel needs nothing beside it.
API_JSON_RESOURCE = ("simulator.telegram_api", "api.json")
_INT_RE = re.compile(r"^-?\d+$")
_MUST_BE_RE = re.compile(r"must be ([a-z_]+)$")
_SCALARS = {"Integer", "String", "Boolean", "Float", "True", "InputFile"}
# PTB's shared send helper adds the Defaults values (parse_mode, link_preview_options) to
# every message-like call, even to editMessageReplyMarkup, which does not document them.
# Telegram ignores unknown parameters; the emulator tolerates exactly these two, as strings
# of the right shape, and rejects every other undocumented one so that typos still fail.
PTB_DEFAULT_EXTRAS = {"parse_mode", "link_preview_options"}


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part sent with a call."""

    filename: str
    content_type: str
    data: bytes


class _NoMatch(Exception):
    """Internal: a value does not match a candidate type."""


class Schema:
    """The Bot API schema (methods and types) from api.json."""

    def __init__(self, path: Path | str | None = None) -> None:
        if path is None:
            package, name = API_JSON_RESOURCE
            text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
        else:
            p = Path(path)
            if not p.is_file():
                raise FileNotFoundError(
                    f"Telegram api.json not found at {p}; the emulator needs it to validate calls"
                )
            text = p.read_text(encoding="utf-8")
        data = json.loads(text)
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, Any] = data["methods"]
        self.types: dict[str, Any] = data["types"]
        self._lower = {name.lower(): name for name in self.methods}

    def resolve_method(self, name: str) -> str | None:
        """Return the canonical method name (case-insensitive), or None."""
        if name in self.methods:
            return name
        return self._lower.get(name.lower())

    def validate_call(
        self, method: str, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> dict[str, Any]:
        """Validate and decode raw call parameters; raise ApiError on violations."""
        fields = {f["name"]: f for f in self.methods[method].get("fields", [])}
        for key in raw:
            if key not in fields and key not in PTB_DEFAULT_EXTRAS:
                raise bad_request(f"unknown parameter {key}")
        out: dict[str, Any] = {}
        for name, spec in fields.items():
            if name not in raw:
                if spec["required"]:
                    raise bad_request(f"parameter {name} is required")
                continue
            out[name] = self._top_value(name, raw[name], spec["types"], files)
        return out

    def _top_value(
        self, name: str, value: Any, types: list[str], files: dict[str, UploadedFile]
    ) -> Any:
        """Decode one top-level parameter trying each allowed type in order."""
        for typ in types:
            try:
                return self._decode_top(value, typ, files)
            except _NoMatch:
                continue
        detail = ""
        if isinstance(value, str) and any(t not in _SCALARS for t in types):
            try:
                decoded: Any = json.loads(value)
            except ValueError:
                decoded = None
            if isinstance(decoded, (dict, list)):
                detail = f": {self.explain(decoded, types, name)}"
        elif isinstance(value, (dict, list)):
            detail = f": {self.explain(value, types, name)}"
        raise bad_request(f"parameter {name} must be {' or '.join(types)}{detail}")

    def _decode_top(self, value: Any, typ: str, files: dict[str, UploadedFile]) -> Any:
        """Decode a top-level value that may be a form string."""
        if typ == "InputFile":
            if isinstance(value, UploadedFile):
                return value
            if isinstance(value, str) and value.startswith("attach://"):
                ref = value[len("attach://") :]
                if ref in files:
                    return files[ref]
            raise _NoMatch
        if isinstance(value, UploadedFile):
            raise _NoMatch
        if isinstance(value, str) and typ != "String":
            value = _parse_scalar_string(value, typ)
        return self.check(value, typ)

    def check(self, value: Any, typ: str, path: str = "") -> Any:
        """Check a decoded JSON value against an api.json type string."""
        if typ.startswith("Array of "):
            if not isinstance(value, list):
                raise _NoMatch
            inner = typ[len("Array of ") :]
            return [self.check(v, inner, path) for v in value]
        if typ == "Integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise _NoMatch
            return value
        if typ == "Float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _NoMatch
            return value
        if typ == "String":
            if not isinstance(value, str):
                raise _NoMatch
            return value
        if typ == "Boolean":
            if not isinstance(value, bool):
                raise _NoMatch
            return value
        if typ == "True":
            if value is not True:
                raise _NoMatch
            return value
        if typ == "InputFile":
            if not isinstance(value, str):
                raise _NoMatch
            return value
        return self._check_object(value, typ)

    def _check_object(self, value: Any, typ: str) -> Any:
        """Check an object value against its type definition (fields or subtypes)."""
        spec = self.types.get(typ)
        if spec is None or not isinstance(value, dict):
            raise _NoMatch
        if "subtypes" in spec:
            for sub in spec["subtypes"]:
                try:
                    return self._check_object(value, sub)
                except _NoMatch:
                    continue
            raise _NoMatch
        fields = {f["name"]: f for f in spec.get("fields", [])}
        if not fields:
            return value
        for key in value:
            if key not in fields:
                raise _NoMatch
        for name, f in fields.items():
            if name not in value:
                if f["required"]:
                    raise _NoMatch
                continue
            literal = _literal_of(f)
            if literal is not None and value[name] != literal:
                raise _NoMatch
            for cand in f["types"]:
                try:
                    self.check(value[name], cand)
                    break
                except _NoMatch:
                    continue
            else:
                raise _NoMatch
        return value

    def explain(self, value: Any, types: list[str], path: str) -> str:
        """Explain why value matches none of types, naming the offending field path."""
        if isinstance(value, list):
            inner = [t[len("Array of ") :] for t in types if t.startswith("Array of ")]
            for i, item in enumerate(value):
                if inner and not self._matches_any(item, inner):
                    return self.explain(item, inner, f"{path}[{i}]")
        objects = [t for t in types if "fields" in self.types.get(t, {})]
        objects += [s for t in types for s in self.types.get(t, {}).get("subtypes", [])]
        if not isinstance(value, dict) or not objects:
            return f"{path or 'value'} must be {' or '.join(types)}"
        best = max(objects, key=lambda t: self._overlap(value, t))
        fields = {f["name"]: f for f in self.types[best]["fields"]}
        for key in value:
            if key not in fields:
                return f"unknown field {key} in {path or best}"
        for name, f in fields.items():
            if name not in value:
                if f["required"]:
                    return f"field {path}.{name} is required".replace(" .", " ")
                continue
            if not self._matches_any(value[name], f["types"]):
                return self.explain(value[name], f["types"], f"{path}.{name}".lstrip("."))
        return f"{path or 'value'} must be {' or '.join(types)}"

    def _overlap(self, value: dict[str, Any], typ: str) -> int:
        """How many keys of value are fields of typ."""
        names = {f["name"] for f in self.types[typ]["fields"]}
        return len(names & set(value))

    def _matches_any(self, value: Any, types: list[str]) -> bool:
        """True if value matches at least one of types."""
        for typ in types:
            try:
                self.check(value, typ)
                return True
            except _NoMatch:
                continue
        return False


def _literal_of(field: dict[str, Any]) -> str | None:
    """Return the fixed value of a discriminator 'type' field, if documented."""
    if field["name"] != "type" or field["types"] != ["String"]:
        return None
    desc = str(field.get("description", "")).strip().rstrip(".")
    m = _MUST_BE_RE.search(desc)
    return m.group(1) if m else None


def _parse_scalar_string(value: str, typ: str) -> Any:
    """Parse a form-encoded string for a non-String type."""
    if typ == "Integer":
        if not _INT_RE.match(value):
            raise _NoMatch
        return int(value)
    if typ == "Float":
        try:
            return float(value)
        except ValueError:
            raise _NoMatch from None
    if typ in ("Boolean", "True"):
        low = value.lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0") and typ == "Boolean":
            return False
        raise _NoMatch
    try:
        return json.loads(value)
    except ValueError:
        raise _NoMatch from None
