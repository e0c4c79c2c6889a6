"""The validator is Meta's spec plus named patches: its examples pass, mutations fail."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from simulator.whatsapp import patches, rules
from simulator.whatsapp.api import extract
from simulator.whatsapp.schema import Validator, extracted
from simulator.whatsapp.sends import prepare
from tests.simulator.test_whatsapp_support import DATA

PACKAGE = Path(extract.__file__).resolve().parents[1]
SUPPORTED = [
    "send-text-message.json",
    "send-text-message-with-preview-url.json",
    "send-reply-to-text-message.json",
    "send-reply-button.json",
    "send-list-message.json",
    "send-document-message-by-id.json",
    "send-document-message-by-url.json",
    "send-reply-to-document-message-by-id.json",
    "send-image-message-by-id.json",
    "send-image-message-by-url.json",
    "send-location-message.json",
    "send-message-template-text.json",
    "send-sample-shipping-confirmation-template.json",
    "send-typing-indicator-and-read-receipt.json",
]
# Spec examples that are wrong as published: Meta would refuse them too.
WRONG = {
    "send-reply-to-list-message.json": "no type, so it is read as text",
    "send-sample-issue-resolution-template.json": "a text parameter given as true",
    "send-multi-product-message.json": "header type left as <HEADER_TYPE>",
}


def example(name: str) -> dict[str, Any]:
    """A send example from the spec, with Meta's defaults applied."""
    body: dict[str, Any] = json.loads((DATA / "send" / name).read_text("utf-8"))
    return prepare(body)


def problems(body: dict[str, Any], validator: Validator | None = None) -> list[str]:
    """Schema errors, or the emulator's other rules when the schema passes."""
    name = "ReadReceipt" if "status" in body else "Message"
    found = (validator or Validator()).errors(name, body)
    if found or name == "ReadReceipt":
        return found
    why = rules.unsupported(body)
    return [why] if why else rules.problems(body)


def test_schemas_json_is_the_extraction_of_the_copied_spec():
    text = (PACKAGE / "api" / extract.OUTPUT_NAME).read_text("utf-8")
    assert extract.render(extract.extract(extract.load_spec())) == text
    assert extracted()["info"]["version"] == "v23.0"


@pytest.mark.parametrize("name", SUPPORTED)
def test_spec_examples_pass(name: str):
    assert problems(example(name)) == []


@pytest.mark.parametrize(("name", "why"), sorted(WRONG.items()))
def test_wrong_spec_examples_fail(name: str, why: str):
    assert problems(example(name)), why


def test_the_unpatched_spec_rejects_its_own_examples():
    raw = Validator(extracted()["schemas"])
    assert raw.errors("Message", example("send-text-message-with-preview-url.json"))
    assert raw.errors("Message", example("send-location-message.json"))
    assert raw.errors("Message", example("send-message-template-text.json"))


def _mutations(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Bodies Meta refuses, derived from a good one."""
    out = []
    unknown = copy.deepcopy(body)
    unknown["extra"] = 1
    out.append(("unknown top-level field", unknown))
    missing = copy.deepcopy(body)
    missing.pop("to", None) if "to" in missing else missing.pop("message_id")
    out.append(("missing to/message_id", missing))
    kind = body.get("type")
    if kind in body and isinstance(body[kind], dict):
        nested = copy.deepcopy(body)
        nested[kind]["zzz"] = True
        out.append(("unknown nested field", nested))
    return out


@pytest.mark.parametrize("name", SUPPORTED)
def test_mutated_examples_fail(name: str):
    for what, body in _mutations(example(name)):
        assert problems(body), f"{name}: {what} was accepted"


def test_limit_mutations_fail():
    button = example("send-reply-button.json")
    button["interactive"]["action"]["buttons"][0]["reply"]["title"] = "x" * 21
    assert any("at most 20" in p for p in problems(button))
    listing = example("send-list-message.json")
    listing["interactive"]["action"]["sections"][0]["rows"][0]["description"] = "d" * 73
    assert any("at most 72" in p for p in problems(listing))
    listing = example("send-list-message.json")
    listing["interactive"]["action"]["sections"][1]["rows"][0]["id"] = "<LIST_SECTION_1_ROW_1_ID>"
    assert problems(listing) == ["Row ids must be unique across sections."]


def test_every_patch_is_written_down_in_the_readme():
    readme = (PACKAGE / "README.md").read_text("utf-8")
    for name in [*patches.PATCHES, *patches.STRUCTURAL]:
        assert f"`{name}`" in readme, name


def test_the_package_reads_no_shared_material():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        assert "/work/shared" not in text and "../shared" not in text, path
