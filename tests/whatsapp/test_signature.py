"""X-Hub-Signature-256: HMAC-SHA256 of the raw bytes, checked against pywa's test vector."""

from __future__ import annotations

import json

from handlers.whatsapp.signature import sign, verify

# pywa's tests/test_server.py (MIT): the app secret was reset by its author before publishing.
APP_SECRET = "1222e786b144d0e85b9f365372d93676"
BODY = (
    b'{"object":"whatsapp_business_account","entry":[{"id":"264937493375603","changes":[{"value":'
    b'{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550953877",'
    b'"phone_number_id":"277321005464405"},"contacts":[{"profile":{"name":"PyWa Tests"},'
    b'"wa_id":"972544401243"}],"messages":[{"from":"972544401243","id":"wamid.HBgMOTcyNTQ0ND'
    b'AxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA","timestamp":"1730231903",'
    b'"text":{"body":"Hey there! I am using PyWa."},"type":"text"}]},"field":"messages"}]}]}'
)
HEADER = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"


def test_the_published_vector_verifies() -> None:
    assert verify(APP_SECRET, BODY, HEADER)
    assert sign(APP_SECRET, BODY) == HEADER


def test_the_same_json_serialised_again_fails() -> None:
    again = json.dumps(json.loads(BODY)).encode()  # same data, other bytes (spaces)
    assert again != BODY and json.loads(again) == json.loads(BODY)
    assert not verify(APP_SECRET, again, HEADER)


def test_wrong_secret_body_or_header_fails() -> None:
    assert not verify("another-secret", BODY, HEADER)
    assert not verify(APP_SECRET, BODY + b" ", HEADER)
    assert not verify(APP_SECRET, BODY, HEADER.removeprefix("sha256="))  # prefix required
    assert not verify(APP_SECRET, BODY, "sha1=" + HEADER.removeprefix("sha256="))
    assert not verify(APP_SECRET, BODY, None)
    assert not verify(APP_SECRET, BODY, "")
    assert not verify(APP_SECRET, BODY, "sha256=zz")
