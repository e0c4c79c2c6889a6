"""Webhook payloads copied from pywa's tests and Meta's OpenAPI examples (see data/README.md).

The copies name two business numbers; :func:`pywa` and :func:`meta` give every payload
:data:`OUR_NUMBER` as its ``metadata.phone_number_id``, the number the tests' settings use,
since the webhook drops events for other numbers of the app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
OUR_NUMBER = "106540352242922"


def _ours(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as if sent to :data:`OUR_NUMBER`."""
    for entry in payload.get("entry", []):
        for change in entry.get("changes", []):
            metadata = change.get("value", {}).get("metadata")
            if isinstance(metadata, dict):
                metadata["phone_number_id"] = OUR_NUMBER
    return payload


def pywa(file: str, case: str) -> dict[str, Any]:
    """One case of a pywa fixture file, e.g. ``pywa("message_status", "failed")``."""
    cases: dict[str, dict[str, Any]] = json.loads((DATA / "pywa" / f"{file}.json").read_text())
    return _ours(cases[case])


def meta(name: str) -> dict[str, Any]:
    """One of Meta's webhook examples, e.g. ``meta("button-message")``."""
    payload: dict[str, Any] = json.loads((DATA / "meta" / f"{name}.json").read_text())
    return _ours(payload)


def batched(*payloads: dict[str, Any]) -> dict[str, Any]:
    """Several webhook bodies as Meta may batch them: their entries in one POST."""
    return {
        "object": "whatsapp_business_account",
        "entry": [entry for payload in payloads for entry in payload["entry"]],
    }
