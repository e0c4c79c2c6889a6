"""Limits Meta enforces that a JSON schema cannot say (WHATSAPP-FACTS §1.2).

Reply buttons: 1-3, unique titles and ids; interactive bodies <= 1024 except lists (<= 4096,
Meta's current list-message page); lists: <= 10 rows in total across sections, unique row ids,
every section titled when there is more than one, text headers only.
"""

from __future__ import annotations

from typing import Any

SUPPORTED_TYPES = ("text", "interactive", "document", "image", "location", "template")
SUPPORTED_INTERACTIVE = ("button", "list", "location_request_message")
BUTTON_BODY_MAX = 1024
LIST_BODY_MAX = 4096
LIST_ROWS_MAX = 10


def unsupported(body: dict[str, Any]) -> str | None:
    """Why the emulator cannot take this (valid) message, or None."""
    kind = body.get("type", "text")
    if kind not in SUPPORTED_TYPES:
        return f"message type {kind!r} is not supported by the Dodolan emulator"
    if kind == "interactive" and body["interactive"]["type"] not in SUPPORTED_INTERACTIVE:
        sub = body["interactive"]["type"]
        return f"interactive type {sub!r} is not supported by the Dodolan emulator"
    return None


def problems(body: dict[str, Any]) -> list[str]:
    """Every rule a schema-valid message of a supported type breaks."""
    kind = body.get("type", "text")
    if kind == "interactive":
        return _interactive(body["interactive"])
    if kind in ("document", "image"):
        return _media(kind, body[kind])
    return []


def _media(kind: str, media: dict[str, Any]) -> list[str]:
    """Only documents have a filename."""
    if kind != "document" and "filename" in media:
        return [f'Unexpected key "filename" on param "{kind}".']
    return []


def _interactive(obj: dict[str, Any]) -> list[str]:
    """Rules per interactive type."""
    kind = obj["type"]
    out: list[str] = []
    if "body" not in obj:
        out.append("The parameter interactive['body'] is required.")
    limit = LIST_BODY_MAX if kind == "list" else BUTTON_BODY_MAX
    text = obj.get("body", {}).get("text", "")
    if len(text) > limit:
        out.append(f"Param interactive['body']['text'] must be at most {limit} characters long.")
    out.extend(_header(kind, obj.get("header")))
    action = obj["action"]
    if kind == "button":
        out.extend(_buttons(action))
    elif kind == "list":
        out.extend(_list(action))
    elif action != {"name": "send_location"}:
        out.append('Param interactive[\'action\'] must be {"name": "send_location"}.')
    return out


def _header(kind: str, header: dict[str, Any] | None) -> list[str]:
    """A header carries the object its type names; lists take text headers only."""
    if header is None:
        return []
    htype = header["type"]
    if kind == "location_request_message":
        return ["Param interactive['header'] is not allowed on location requests."]
    if kind == "list" and htype != "text":
        return ["Param interactive['header']['type'] must be text on list messages."]
    if htype not in header:
        return [f"The parameter interactive['header']['{htype}'] is required."]
    extra = [k for k in header if k not in ("type", htype)]
    return [f'Unexpected key "{k}" on param "interactive[\'header\']".' for k in extra]


def _buttons(action: dict[str, Any]) -> list[str]:
    """1-3 reply buttons with unique titles and ids."""
    if "buttons" not in action:
        return ["The parameter interactive['action']['buttons'] is required."]
    replies = [b["reply"] for b in action["buttons"]]
    out: list[str] = []
    titles = [r["title"].strip().casefold() for r in replies]
    if len(set(titles)) != len(titles):
        out.append("Buttons must have unique titles.")
    ids = [r["id"] for r in replies]
    if len(set(ids)) != len(ids):
        out.append("Buttons must have unique ids.")
    return out


def _list(action: dict[str, Any]) -> list[str]:
    """Rows: <= 10 in all, unique ids; titled sections when there are several."""
    if "sections" not in action or "button" not in action:
        return ["The parameters interactive['action']['button'] and ['sections'] are required."]
    sections = action["sections"]
    out: list[str] = []
    rows = [row for section in sections for row in section.get("rows", [])]
    if any("rows" not in s for s in sections):
        out.append("Every section of a list message needs rows.")
    if len(rows) > LIST_ROWS_MAX:
        out.append(f"Total row count exceed max allowed count: {LIST_ROWS_MAX}")
    ids = [row["id"] for row in rows]
    if len(set(ids)) != len(ids):
        out.append("Row ids must be unique across sections.")
    if len(sections) > 1 and any(not s.get("title") for s in sections):
        out.append("Every section needs a title when a list has more than one section.")
    return out
