"""Corrections to Meta's OpenAPI schemas, each named and explained (listed in the README).

The spec as published rejects its own examples under strict validation and misses limits that
Meta's message docs state (WHATSAPP-FACTS §1.2). Every change from the extracted schemas is one
function here; the two structural ones (allOf merged, objects closed) live in ``schema.py`` and are
named in ``STRUCTURAL``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Schemas = dict[str, Any]

STRUCTURAL = {
    "merge-allof": "allOf branches are merged into one object before validating (each branch "
    "says additionalProperties: false, so no body could pass two of them).",
    "closed-objects": "every object schema that lists properties refuses unknown fields, as "
    "Meta does (most spec objects leave additionalProperties open).",
}


def _props(schemas: Schemas, name: str, branch: int | None = 1) -> dict[str, Any]:
    """The properties dict of a schema (of its allOf branch when it has one)."""
    node = schemas[name]
    if branch is not None and "allOf" in node:
        node = node["allOf"][branch]
    props: dict[str, Any] = node["properties"]
    return props


def recipient_type_optional(s: Schemas) -> None:
    """Meta defaults recipient_type to individual; the spec wrongly requires it."""
    s["BaseMessageProperties"]["required"].remove("recipient_type")
    props = s["BaseMessageProperties"]["properties"]
    props["messaging_product"]["enum"] = ["whatsapp"]
    props["to"]["minLength"] = 1


def text_body_limits(s: Schemas) -> None:
    """text.body is required and 1..4096 characters (the spec gives no limit)."""
    text = _props(s, "TextMessage")["text"]
    text["required"] = ["body"]
    text["properties"]["body"].update(minLength=1, maxLength=4096)


def location_numbers(s: Schemas) -> None:
    """latitude/longitude are numbers (the spec says string, its own example sends numbers)."""
    loc = _props(s, "LocationMessage")["location"]
    loc["required"] = ["latitude", "longitude"]
    for key in ("latitude", "longitude"):
        loc["properties"][key] = {"type": ["number", "string"]}


def media_caption_filename(s: Schemas) -> None:
    """Media objects carry caption (<= 1024) and filename, missing from the spec."""
    media = s["MediaObject"]
    media["properties"] = {
        "caption": {"type": "string", "minLength": 1, "maxLength": 1024},
        "filename": {"type": "string", "minLength": 1, "maxLength": 240},
    }


def interactive_location_request(s: Schemas) -> None:
    """Add the location_request_message type and its send_location action."""
    s["InteractiveObject"]["properties"]["type"]["enum"].append("location_request_message")
    s["ActionObject"]["oneOf"].append(
        {
            "required": ["name"],
            "properties": {"name": {"type": "string", "enum": ["send_location"]}},
        }
    )


def non_empty_titles(s: Schemas) -> None:
    """Button and row ids/titles must be non-empty; rows have a description (<= 72)."""
    reply = s["ActionObject"]["oneOf"][1]["properties"]["buttons"]["items"]["properties"]
    reply = reply["reply"]["properties"]
    reply["id"]["minLength"] = reply["title"]["minLength"] = 1
    row = s["SectionObject"]["properties"]["rows"]["items"]["properties"]
    row["id"]["minLength"] = row["title"]["minLength"] = 1
    row["description"] = {"type": "string", "maxLength": 72}
    s["SectionObject"]["properties"]["title"]["minLength"] = 1
    s["SectionObject"]["properties"]["rows"]["minItems"] = 1
    s["ActionObject"]["oneOf"][0]["properties"]["button"]["minLength"] = 1


def body_text_list_limit(s: Schemas) -> None:
    """Body text 1..4096 here; rules.py holds non-list bodies to 1024 (current Meta docs)."""
    s["BodyObject"]["properties"]["text"].update(minLength=1, maxLength=4096)
    s["FooterObject"]["properties"]["text"]["minLength"] = 1
    s["HeaderObject"]["properties"]["text"]["minLength"] = 1


def language_policy_optional(s: Schemas) -> None:
    """language.policy defaults to deterministic; the spec requires it, its examples omit it."""
    s["LanguageObject"]["required"] = ["code"]
    s["LanguageObject"]["properties"]["code"]["minLength"] = 1


def button_index_pattern(s: Schemas) -> None:
    """The index pattern ^[2-6, 11-14]$ is a broken character class; Meta takes "0".."9"."""
    for name in ("TemplateComponent",):
        s[name]["properties"]["index"]["pattern"] = "^[0-9]$"
    _props(s, "ButtonComponent")["index"]["pattern"] = "^[0-9]$"
    _props(s, "ButtonComponent")["index"]["type"] = ["string", "integer"]


def date_time_open(s: Schemas) -> None:
    """date_time parameters carry calendar fields in every spec example; Meta reads only
    fallback_value, so the object stays open."""
    s["DateTimeObject"]["additionalProperties"] = True


def read_receipt(s: Schemas) -> None:
    """Read receipts (with optional typing indicator) have no schema, only an example."""
    s["ReadReceipt"] = {
        "type": "object",
        "required": ["messaging_product", "status", "message_id"],
        "properties": {
            "messaging_product": {"type": "string", "enum": ["whatsapp"]},
            "status": {"type": "string", "enum": ["read"]},
            "message_id": {"type": "string", "minLength": 1},
            "typing_indicator": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string", "enum": ["text"]}},
            },
        },
    }


def template_create(s: Schemas) -> None:
    """The create-template schema is derived from Postman samples: add enums, format, example."""
    root = s["TemplateCreateRequest"]
    root["required"] = ["name", "language", "category", "components"]
    props = root["properties"]
    props["name"].update(pattern="^[a-z0-9_]{1,512}$")
    props["category"]["enum"] = ["MARKETING", "UTILITY", "AUTHENTICATION"]
    props["allow_category_change"] = {"type": "boolean"}
    props["parameter_format"] = {"type": "string", "enum": ["POSITIONAL", "NAMED"]}
    props["components"]["minItems"] = 1
    item = props["components"]["items"]
    item["required"] = ["type"]
    item["properties"]["type"]["enum"] = ["HEADER", "BODY", "FOOTER", "BUTTONS"]
    item["properties"]["format"] = {"type": "string", "enum": ["TEXT"]}
    item["properties"]["example"] = {
        "type": "object",
        "properties": {
            "body_text": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "string"}},
            },
            "header_text": {"type": "array", "items": {"type": "string"}},
        },
    }
    buttons = item["properties"]["buttons"]
    buttons.update(minItems=1, maxItems=10)
    button = buttons["items"]
    button["required"] = ["type", "text"]
    button["properties"]["type"]["enum"] = ["QUICK_REPLY", "URL", "PHONE_NUMBER"]
    button["properties"]["text"].update(minLength=1, maxLength=25)
    button["properties"]["url"] = {"type": "string"}
    button["properties"]["phone_number"] = {"type": "string"}
    button["properties"]["example"] = {"type": "array", "items": {"type": "string"}}
    for flow_only in ("flow_action", "flow_id", "navigate_screen"):
        del button["properties"][flow_only]


def media_upload(s: Schemas) -> None:
    """Uploads name the media type and need messaging_product and file."""
    props = s["MediaUploadRequest"]["properties"]
    props["messaging_product"]["enum"] = ["whatsapp"]
    props["type"] = {"type": "string", "minLength": 1}
    s["MediaUploadRequest"]["required"] = ["messaging_product", "file"]


PATCHES: dict[str, Callable[[Schemas], None]] = {
    "recipient-type-optional": recipient_type_optional,
    "text-body-limits": text_body_limits,
    "location-numbers": location_numbers,
    "media-caption-filename": media_caption_filename,
    "interactive-location-request": interactive_location_request,
    "non-empty-titles": non_empty_titles,
    "body-text-list-limit": body_text_list_limit,
    "language-policy-optional": language_policy_optional,
    "button-index-pattern": button_index_pattern,
    "date-time-open": date_time_open,
    "read-receipt": read_receipt,
    "template-create": template_create,
    "media-upload": media_upload,
}


def apply(schemas: Schemas) -> Schemas:
    """A patched deep copy of the extracted schemas."""
    out = copy.deepcopy(schemas)
    for patch in PATCHES.values():
        patch(out)
    return out
