"""Webhook payloads into typed events, read from real fixtures; odd input never raises."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers.whatsapp.events import (
    Inbound,
    InboundKind,
    OtherEvent,
    StatusEvent,
    TemplateStatusEvent,
    decode,
    parse,
    split,
)
from tests.whatsapp.fixtures import batched, meta, pywa


def only(payload: dict[str, Any]) -> Any:
    (event,) = parse(payload)
    return event


def test_text_message_with_contact_and_bsuid() -> None:
    event = only(pywa("message", "text"))
    assert event == Inbound(
        wamid="wamid.xyzxyz",
        wa_id="972987654321",
        user_id="US.13491208655302741918",
        profile_name="Test Name",
        timestamp=datetime(2023, 10, 11, 16, 53, 43, tzinfo=UTC),
        kind=InboundKind.TEXT,
        raw_type="text",
        text="Body Text",
    )
    assert event.timestamp.tzinfo is not None


def test_reply_button_tap_names_the_button_and_the_message_tapped() -> None:
    event = only(pywa("callback_button", "button"))
    assert (event.kind, event.choice_id, event.text) == (
        InboundKind.BUTTON_REPLY,
        "callback_data",
        "title",
    )
    assert event.context_wamid == "wamid.xyzxyz"
    meta_event = only(meta("interactive-button-reply-message"))
    assert meta_event.kind is InboundKind.BUTTON_REPLY and meta_event.choice_id


def test_list_reply() -> None:
    event = only(meta("interactive-list-reply-message"))
    assert (event.kind, event.choice_id, event.text) == (
        InboundKind.LIST_REPLY,
        "priority_express",
        "Priority Mail Express",
    )
    assert only(pywa("callback_selection", "description")).kind is InboundKind.LIST_REPLY


def test_template_quick_reply_is_not_an_interactive_reply() -> None:
    event = only(meta("button-message"))
    assert (event.kind, event.choice_id, event.text) == (
        InboundKind.TEMPLATE_BUTTON,
        "Unsubscribe",
        "Unsubscribe",
    )
    assert event.context_wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA"
    tapped = only(pywa("callback_button", "quick_reply_without_context"))
    assert tapped.kind is InboundKind.TEMPLATE_BUTTON and tapped.context_wamid is None


def test_location_and_media() -> None:
    pin = only(pywa("message", "chosen_location"))
    assert (pin.kind, pin.latitude, pin.longitude, pin.text) == (
        InboundKind.LOCATION,
        37.4611978,
        -122.2164385,
        "Facebook HQ",
    )
    document = only(pywa("message", "document"))
    assert (document.kind, document.media_id, document.mime_type, document.text) == (
        InboundKind.MEDIA,
        "1234567890987654321",
        "application/pdf",
        "caption",
    )


@pytest.mark.parametrize(
    ("file", "case"),
    [
        ("message", "reaction"),
        ("message", "contacts"),
        ("message", "order"),
        ("message", "unsupported"),
        ("message", "interactive_message_with_err"),
        ("system", "phone_number_change"),
    ],
)
def test_types_the_bot_does_not_read_are_other(file: str, case: str) -> None:
    event = only(pywa(file, case))
    assert isinstance(event, Inbound) and event.kind is InboundKind.OTHER and event.wamid


def test_bsuid_without_a_phone_number() -> None:
    payload = copy.deepcopy(pywa("callback_button", "quick_reply_without_context"))
    value = payload["entry"][0]["changes"][0]["value"]
    del value["contacts"][0]["wa_id"]
    del value["messages"][0]["from"]
    event = only(payload)
    assert (event.wa_id, event.user_id) == (None, "US.13491208655302741918")
    (stored,) = split(payload)
    assert (stored.wa_id, stored.bsuid) == (None, "US.13491208655302741918")


def test_a_bsuid_where_the_number_used_to_be_is_not_taken_for_a_number() -> None:
    payload = copy.deepcopy(pywa("message", "text"))
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"] = []
    value["messages"][0]["from"] = "US.13491208655302741918"
    assert only(payload).wa_id is None


def test_statuses_including_a_failure_with_its_error() -> None:
    sent = only(pywa("message_status", "sent"))
    assert sent == StatusEvent(
        wamid="wamid.xyzxyz",
        status="sent",
        timestamp=datetime.fromtimestamp(1698266945, UTC),
        recipient="972987654321",
    )
    failed = only(pywa("message_status", "failed"))
    assert (failed.status, failed.error_code, failed.error_title) == (
        "failed",
        130472,
        "User's number is part of an experiment",
    )
    assert only(pywa("message_status", "read")).status == "read"


def test_template_status_update() -> None:
    event = only(pywa("template_status_update", "rejected"))
    assert event == TemplateStatusEvent(
        template_id="1689556908129835",
        name="abandoned_cart",
        language="en",
        event="REJECTED",
        reason="INVALID_FORMAT",
        category="MARKETING",
        timestamp=datetime.fromtimestamp(1751247548, UTC),
    )


def test_other_fields_are_kept_for_whoever_needs_them() -> None:
    event = only(pywa("user_marketing_preferences", "resume"))
    assert isinstance(event, OtherEvent) and event.field == "user_preferences"
    assert event.value["user_preferences"][0]["value"] == "resume"


def test_batched_entries_and_changes_come_out_in_order() -> None:
    payload = batched(
        pywa("message", "text"),
        pywa("message_status", "delivered"),
        pywa("template_status_update", "approved"),
        meta("button-message"),
    )
    extra = copy.deepcopy(pywa("message_status", "read")["entry"][0]["changes"][0])
    payload["entry"][0]["changes"].append(extra)  # a second change in the first entry
    kinds = [type(e).__name__ for e in parse(payload)]
    assert kinds == ["Inbound", "StatusEvent", "StatusEvent", "TemplateStatusEvent", "Inbound"]
    keys = [e.event_key for e in split(payload)]
    assert keys[:3] == ["wamid.xyzxyz", "wamid.xyzxyz:read", "wamid.xyzxyz:delivered"]
    assert len(set(keys)) == len(keys)


def test_event_keys_tell_redeliveries_apart_from_new_events() -> None:
    first = split(pywa("template_status_update", "approved"))
    assert [e.event_key for e in first] == ["template:1689556908129832:APPROVED:1751247548"]
    assert split(pywa("template_status_update", "approved")) == first
    twice = batched(pywa("message", "text"), pywa("message", "text"))
    assert len(split(twice)) == 1


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "text",
        {},
        {"entry": None},
        {"entry": [{"changes": [{"field": "messages", "value": None}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{}]}}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"statuses": [{"id": 5}]}}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"messages": ["x", 3]}}]}]},
        {"entry": [{"changes": [{"value": {"messages": [{"id": "w", "timestamp": "soon"}]}}]}]},
    ],
)
def test_malformed_payloads_never_raise(payload: object) -> None:
    for event in split(payload):
        decode(event.kind, event.payload)
    parse(payload)


def test_missing_pieces_become_none() -> None:
    payload = {
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messages": [
                                {"id": "wamid.A", "type": "location", "location": {}},
                                {"id": "wamid.B", "type": "interactive", "interactive": {}},
                                {"id": "wamid.C", "type": "text", "timestamp": "x"},
                            ]
                        },
                    }
                ]
            }
        ]
    }
    a, b, c = parse(payload)
    assert a.kind is InboundKind.OTHER and b.kind is InboundKind.OTHER
    assert (c.kind, c.text, c.timestamp, c.wa_id, c.profile_name) == (
        InboundKind.TEXT,
        None,
        None,
        None,
        None,
    )


def test_only_the_bots_own_number_is_kept_and_template_verdicts_always_are() -> None:
    ours, other = "106540352242922", "999000111222333"
    theirs = pywa("message", "text")
    theirs["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = other
    body = batched(meta("text-message"), theirs, pywa("template_status_update", "rejected"))
    kinds = [e.kind for e in split(body, ours)]
    assert kinds == ["message", "template_status"]
    assert len(split(body)) == 3  # without a number: everything (tools, tests)


def test_a_message_keeps_when_it_reached_us() -> None:
    received = datetime(2026, 12, 11, 2, 0, 5, tzinfo=UTC)
    (event,) = split(meta("text-message"), received_at=received)
    inbound = decode(event.kind, event.payload)
    assert isinstance(inbound, Inbound) and inbound.received_at == received
    assert only(meta("text-message")).received_at is None
