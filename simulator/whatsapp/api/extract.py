"""Extract the request schemas the emulator validates from Meta's OpenAPI file into schemas.json.

Run after replacing the spec: ``python -m simulator.whatsapp.api.extract``. The output is the
spec's own schemas, unpatched, minus descriptions and examples; ``simulator/whatsapp/patches.py``
applies the documented corrections when the emulator loads them.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

PACKAGE = "simulator.whatsapp.api"
SPEC_NAME = "business-messaging-api_v23.0.yaml"
OUTPUT_NAME = "schemas.json"
ROOTS = ("Message",)
# Request bodies that the spec declares inline on their path, stored under a name of ours.
INLINE = {
    "TemplateCreateRequest": (
        "/{Version}/{WABA-ID}/message_templates",
        "post",
        "application/json",
    ),
    "MediaUploadRequest": ("/{Version}/{Phone-Number-ID}/media", "post", "multipart/form-data"),
}
_DROP = {"description", "example", "examples", "summary"}


def load_spec() -> dict[str, Any]:
    """Parse the copied spec (the C loader when available: a pure-Python parse takes seconds)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = resources.files(PACKAGE).joinpath(SPEC_NAME).read_text(encoding="utf-8")
    spec: dict[str, Any] = yaml.load(text, Loader=loader)  # a safe loader either way
    return spec


def _strip(node: Any) -> Any:
    """Drop prose and examples, keep every rule."""
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _DROP}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _references(node: Any) -> set[str]:
    """Schema names referenced by $ref or by a discriminator mapping inside node."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            elif key == "mapping" and isinstance(value, dict):
                found |= {str(v).rsplit("/", 1)[-1] for v in value.values()}
            else:
                found |= _references(value)
    elif isinstance(node, list):
        for value in node:
            found |= _references(value)
    return found


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    """The closure of the root schemas plus the inline request bodies, stripped."""
    components = spec["components"]["schemas"]
    chosen: dict[str, Any] = {}
    for name, (path, method, mime) in INLINE.items():
        body = spec["paths"][path][method]["requestBody"]["content"][mime]["schema"]
        chosen[name] = _strip(body)
    todo = list(ROOTS) + sorted(set().union(*(_references(s) for s in chosen.values())))
    while todo:
        name = todo.pop()
        if name in chosen:
            continue
        chosen[name] = _strip(components[name])
        todo.extend(sorted(_references(chosen[name]) - set(chosen)))
    return {
        "source": SPEC_NAME,
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "schemas": dict(sorted(chosen.items())),
    }


def render(extracted: dict[str, Any]) -> str:
    """The exact text written to schemas.json."""
    return json.dumps(extracted, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Write schemas.json beside this script."""
    target = Path(__file__).with_name(OUTPUT_NAME)
    target.write_text(render(extract(load_spec())), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
