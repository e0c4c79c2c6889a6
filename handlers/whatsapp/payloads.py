"""Request bodies for the Cloud API messages endpoint, checked against Meta's limits.

Pure functions: each returns the JSON body for ``POST /{phone-number-id}/messages`` and raises
``ValueError`` when a value breaks a limit Meta would refuse (the caller renders within them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Payload = dict[str, Any]


@dataclass(frozen=True)
class ListRow:
    """One row of an interactive list."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListSection:
    """A titled group of rows (the title is needed when there is more than one section)."""

    title: str | None
    rows: Sequence[ListRow]


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise ValueError(problem)


def _message(to: str, kind: str, body: Payload) -> Payload:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: body,
    }


def text_payload(to: str, body: str, *, preview_url: bool = False) -> Payload:
    """A plain text message (≤ 4096 characters)."""
    _check(0 < len(body) <= 4096, "a text body holds 1 to 4096 characters")
    return _message(to, "text", {"body": body, "preview_url": preview_url})


def _interactive(
    kind: str, body: str, action: Payload, header: str | None, footer: str | None
) -> Payload:
    content: Payload = {"type": kind, "body": {"text": body}, "action": action}
    if header is not None:
        _check(len(header) <= 60, "an interactive header holds at most 60 characters")
        content["header"] = {"type": "text", "text": header}
    if footer is not None:
        _check(len(footer) <= 60, "an interactive footer holds at most 60 characters")
        content["footer"] = {"text": footer}
    return content


def buttons_payload(
    to: str,
    body: str,
    buttons: Sequence[tuple[str, str]],
    *,
    header: str | None = None,
    footer: str | None = None,
) -> Payload:
    """A message with 1-3 reply buttons, each ``(id, title)``."""
    _check(0 < len(body) <= 1024, "a button message body holds 1 to 1024 characters")
    _check(1 <= len(buttons) <= 3, "a message has 1 to 3 reply buttons")
    titles = [title for _, title in buttons]
    _check(len(set(titles)) == len(titles), "reply button titles must be unique")
    for button_id, title in buttons:
        _check(0 < len(title) <= 20, "a reply button title holds 1 to 20 characters")
        _check(0 < len(button_id) <= 256, "a reply button id holds 1 to 256 characters")
    action = {"buttons": [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in buttons]}
    return _message(to, "interactive", _interactive("button", body, action, header, footer))


def _row(row: ListRow) -> Payload:
    _check(0 < len(row.title) <= 24, "a list row title holds 1 to 24 characters")
    _check(0 < len(row.id) <= 200, "a list row id holds 1 to 200 characters")
    out: Payload = {"id": row.id, "title": row.title}
    if row.description is not None:
        _check(len(row.description) <= 72, "a list row description holds at most 72 characters")
        out["description"] = row.description
    return out


def list_payload(
    to: str,
    body: str,
    button: str,
    sections: Sequence[ListSection],
    *,
    header: str | None = None,
    footer: str | None = None,
) -> Payload:
    """A list message: one button that opens at most 10 rows in all, across sections."""
    _check(0 < len(body) <= 4096, "a list body holds 1 to 4096 characters")
    _check(0 < len(button) <= 20, "a list button label holds 1 to 20 characters")
    _check(1 <= len(sections) <= 10, "a list has 1 to 10 sections")
    _check(1 <= sum(len(s.rows) for s in sections) <= 10, "a list has 1 to 10 rows in all")
    _check(len(sections) == 1 or all(s.title for s in sections), "each section needs a title")
    built = []
    for section in sections:
        entry: Payload = {"rows": [_row(r) for r in section.rows]}
        if section.title:
            _check(len(section.title) <= 24, "a section title holds at most 24 characters")
            entry["title"] = section.title
        built.append(entry)
    action = {"button": button, "sections": built}
    return _message(to, "interactive", _interactive("list", body, action, header, footer))


def document_payload(to: str, media_id: str, filename: str, caption: str | None = None) -> Payload:
    """A document sent by its uploaded media id; the file name's extension picks the icon."""
    body: Payload = {"id": media_id, "filename": filename}
    if caption:
        _check(len(caption) <= 1024, "a caption holds at most 1024 characters")
        body["caption"] = caption
    return _message(to, "document", body)


def image_payload(to: str, media_id: str, caption: str | None = None) -> Payload:
    """An image (JPEG or PNG) sent by its uploaded media id."""
    body: Payload = {"id": media_id}
    if caption:
        _check(len(caption) <= 1024, "a caption holds at most 1024 characters")
        body["caption"] = caption
    return _message(to, "image", body)


def location_payload(
    to: str, latitude: float, longitude: float, name: str | None = None, address: str | None = None
) -> Payload:
    """A map pin, optionally named and with an address."""
    body: Payload = {"latitude": latitude, "longitude": longitude}
    if name:
        body["name"] = name
    if address:
        body["address"] = address
    return _message(to, "location", body)


def template_payload(
    to: str,
    name: str,
    language: str,
    body_params: Sequence[str] = (),
    quick_reply_payloads: Sequence[str] = (),
    header_params: Sequence[str] = (),
) -> Payload:
    """An approved template with its text parameters and one payload per quick reply."""
    components: list[Payload] = []
    if header_params:
        params = [{"type": "text", "text": value} for value in header_params]
        components.append({"type": "header", "parameters": params})
    if body_params:
        params = [{"type": "text", "text": value} for value in body_params]
        components.append({"type": "body", "parameters": params})
    for index, value in enumerate(quick_reply_payloads):
        _check(0 < len(value) <= 256, "a quick-reply payload holds 1 to 256 characters")
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": value}],
            }
        )
    body: Payload = {"name": name, "language": {"code": language}}
    if components:
        body["components"] = components
    return _message(to, "template", body)
