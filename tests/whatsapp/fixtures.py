"""Webhook payloads copied from pywa's tests and Meta's OpenAPI examples (see data/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


def pywa(file: str, case: str) -> dict[str, Any]:
    """One case of a pywa fixture file, e.g. ``pywa("message_status", "failed")``."""
    cases: dict[str, dict[str, Any]] = json.loads((DATA / "pywa" / f"{file}.json").read_text())
    return cases[case]


def meta(name: str) -> dict[str, Any]:
    """One of Meta's webhook examples, e.g. ``meta("button-message")``."""
    payload: dict[str, Any] = json.loads((DATA / "meta" / f"{name}.json").read_text())
    return payload


def batched(*payloads: dict[str, Any]) -> dict[str, Any]:
    """Several webhook bodies as Meta may batch them: their entries in one POST."""
    return {
        "object": "whatsapp_business_account",
        "entry": [entry for payload in payloads for entry in payload["entry"]],
    }
