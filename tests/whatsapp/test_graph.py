"""The Graph client over httpx.MockTransport: request shapes, Meta's error codes, quiet logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from bot.core.errors import DeliveryError, OutsideWindow, Rejected, RetryLater, Unreachable
from handlers.whatsapp.graph import (
    GraphClient,
    MarketingStopped,
    MetaFault,
    TemplateProblem,
    TokenRejected,
)
from handlers.whatsapp.logsafe import tag
from handlers.whatsapp.payloads import (
    ListRow,
    ListSection,
    buttons_payload,
    document_payload,
    image_payload,
    list_payload,
    location_payload,
    template_payload,
    text_payload,
)
from handlers.whatsapp.settings import WhatsAppSettings

TOKEN = "EAAGsecretTOKENvalue123"
PHONE = "6281234567890"
SETTINGS = WhatsAppSettings(
    access_token=TOKEN,
    phone_number_id="106540352242922",
    app_secret="app-secret",
    verify_token="verify",
    api_base_url="http://graph.test",
    business_account_id="102290129340398",
)
Handler = Callable[[httpx.Request], httpx.Response]


def sent_ok(request: httpx.Request) -> httpx.Response:
    to = json.loads(request.content)["to"]
    return httpx.Response(
        200,
        json={
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjA="}],
        },
    )


def meta_error(code: int, status: int = 400) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        body = {
            "error": {
                "message": f"(#{code}) something about +{PHONE}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"details": f"recipient {PHONE}"},
                "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
            }
        }
        return httpx.Response(status, json=body)

    return answer


def client(handler: Handler, seen: list[httpx.Request] | None = None) -> GraphClient:
    def record(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return handler(request)

    return GraphClient(SETTINGS, transport=httpx.MockTransport(record))


async def test_send_posts_to_the_messages_endpoint_with_the_token() -> None:
    seen: list[httpx.Request] = []
    async with client(sent_ok, seen) as graph:
        wamid = await graph.send(text_payload(PHONE, "Halo, Bu Siti!"))
    assert wamid == "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjA="
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "http://graph.test/v23.0/106540352242922/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": PHONE,
        "type": "text",
        "text": {"body": "Halo, Bu Siti!", "preview_url": False},
    }


def test_reply_buttons_match_metas_example_shape() -> None:
    payload = buttons_payload(
        PHONE, "Besok jadi datang?", [("rm:v1:7:y", "Hadir"), ("rm:v1:7:n", "Tidak")]
    )
    assert payload["type"] == "interactive"
    assert payload["interactive"] == {
        "type": "button",
        "body": {"text": "Besok jadi datang?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "rm:v1:7:y", "title": "Hadir"}},
                {"type": "reply", "reply": {"id": "rm:v1:7:n", "title": "Tidak"}},
            ]
        },
    }


def test_list_has_sections_rows_header_and_footer() -> None:
    rows = [
        ListRow("bk:v1:1", "Foto produk", "Sabtu, 09.00 WIB"),
        ListRow("bk:v1:2", "Pajak UMKM"),
    ]
    payload = list_payload(
        PHONE,
        "Pilih sesi:",
        "Lihat sesi",
        [ListSection(None, rows)],
        header="Jadwal",
        footer="Dodolan",
    )
    interactive = payload["interactive"]
    assert interactive["type"] == "list"
    assert interactive["header"] == {"type": "text", "text": "Jadwal"}
    assert interactive["footer"] == {"text": "Dodolan"}
    assert interactive["action"] == {
        "button": "Lihat sesi",
        "sections": [
            {
                "rows": [
                    {"id": "bk:v1:1", "title": "Foto produk", "description": "Sabtu, 09.00 WIB"},
                    {"id": "bk:v1:2", "title": "Pajak UMKM"},
                ]
            }
        ],
    }


def test_media_location_and_template_payloads() -> None:
    assert document_payload(PHONE, "m1", "jadwal.ics", "Simpan di kalender")["document"] == {
        "id": "m1",
        "filename": "jadwal.ics",
        "caption": "Simpan di kalender",
    }
    assert image_payload(PHONE, "m2")["image"] == {"id": "m2"}
    assert location_payload(PHONE, -7.98, 112.63, "MCC", "Jl. A. Yani")["location"] == {
        "latitude": -7.98,
        "longitude": 112.63,
        "name": "MCC",
        "address": "Jl. A. Yani",
    }
    template = template_payload(
        PHONE, "dodolan_reminder", "id", ["Foto Produk", "Sabtu"], ["rm:v1:7:y", "rm:v1:7:n"]
    )["template"]
    assert template["name"] == "dodolan_reminder"
    assert template["language"] == {"code": "id"}
    assert template["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Foto Produk"},
                {"type": "text", "text": "Sabtu"},
            ],
        },
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "rm:v1:7:y"}],
        },
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "1",
            "parameters": [{"type": "payload", "payload": "rm:v1:7:n"}],
        },
    ]


@pytest.mark.parametrize(
    "build",
    [
        lambda: text_payload(PHONE, ""),
        lambda: text_payload(PHONE, "x" * 4097),
        lambda: buttons_payload(PHONE, "b", []),
        lambda: buttons_payload(PHONE, "b", [("1", "a"), ("2", "b"), ("3", "c"), ("4", "d")]),
        lambda: buttons_payload(PHONE, "b", [("1", "x" * 21)]),
        lambda: buttons_payload(PHONE, "b", [("1", "Sama"), ("2", "Sama")]),
        lambda: list_payload(PHONE, "b", "x" * 21, [ListSection(None, [ListRow("1", "a")])]),
        lambda: list_payload(
            PHONE, "b", "Pilih", [ListSection(None, [ListRow(str(i), "a") for i in range(11)])]
        ),
        lambda: list_payload(PHONE, "b", "Pilih", [ListSection(None, [ListRow("1", "x" * 25)])]),
        lambda: list_payload(
            PHONE, "b", "Pilih", [ListSection(None, [ListRow("1", "a")]), ListSection("B", [])]
        ),
    ],
)
def test_payloads_past_metas_limits_fail_loudly(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()


@pytest.mark.parametrize(
    ("code", "status", "error", "delay", "everyone"),
    [
        (131026, 400, Unreachable, None, None),
        (131047, 400, OutsideWindow, None, None),
        (130429, 400, RetryLater, timedelta(seconds=2), True),
        (131056, 400, RetryLater, timedelta(seconds=6), False),
        (131049, 400, RetryLater, timedelta(hours=1), False),
        (131050, 400, MarketingStopped, None, None),
        (190, 401, TokenRejected, timedelta(minutes=10), True),
        (131000, 500, MetaFault, timedelta(seconds=30), True),
        (100, 400, Rejected, None, None),
    ],
)
async def test_meta_error_codes_become_domain_errors(
    code: int, status: int, error: type[Exception], delay: timedelta | None, everyone: bool | None
) -> None:
    async with client(meta_error(code, status)) as graph:
        with pytest.raises(error) as caught:
            await graph.send(text_payload(PHONE, "Halo"))
    assert type(caught.value) is error
    if delay is not None:
        assert isinstance(caught.value, RetryLater)
        assert (caught.value.delay, caught.value.everyone) == (delay, everyone)
    assert PHONE not in str(caught.value) and TOKEN not in str(caught.value)


@pytest.mark.parametrize("code", [132000, 132001, 132012, 132015, 132016])
async def test_template_problems_name_the_template(code: int) -> None:
    async with client(meta_error(code)) as graph:
        with pytest.raises(TemplateProblem) as caught:
            await graph.send(template_payload(PHONE, "dodolan_reminder", "id", ["x"]))
    assert (caught.value.template, caught.value.code) == ("dodolan_reminder", code)
    assert isinstance(caught.value, Rejected)


async def test_a_401_without_json_is_a_token_problem() -> None:
    async with client(lambda _: httpx.Response(401, text="Unauthorized")) as graph:
        with pytest.raises(TokenRejected):
            await graph.send(text_payload(PHONE, "Halo"))


@pytest.mark.parametrize(
    "handler",
    [
        lambda _: httpx.Response(502, text="<html>Bad gateway</html>"),
        lambda _: httpx.Response(503, json={"error": {"code": 2}}),
    ],
)
async def test_server_errors_are_retried_later(handler: Handler) -> None:
    async with client(handler) as graph:
        with pytest.raises(MetaFault) as caught:
            await graph.send(text_payload(PHONE, "Halo"))
    assert caught.value.everyone  # Meta failing is everyone's wait (the channel pauses)
    assert not caught.value.uncertain  # Meta answered: the message was not taken


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
async def test_network_errors_are_retried_later(exc: Exception) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise exc

    async with client(broken) as graph:
        with pytest.raises(RetryLater) as caught:
            await graph.send(text_payload(PHONE, "Halo"))
    # a read timeout came after the request went out: Meta may have taken the message
    assert caught.value.uncertain is isinstance(exc, httpx.ReadTimeout)


async def test_an_answer_without_a_wamid_is_rejected() -> None:
    async with client(lambda _: httpx.Response(200, json={"messages": []})) as graph:
        with pytest.raises(Rejected):
            await graph.send(text_payload(PHONE, "Halo"))


async def test_token_phone_and_text_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with client(sent_ok) as graph:
        await graph.send(text_payload(PHONE, "Rahasia dagang Bu Siti"))
    for code in (131026, 190, 132001, 131056):
        async with client(meta_error(code)) as graph:
            with pytest.raises(DeliveryError):
                await graph.send(template_payload(PHONE, "dodolan_reminder", "id", ["Bu Siti"]))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    wamid = "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjA="  # base64 of the number, among others
    assert tag(wamid) in logged and "wamid" not in logged and "HBgLNjI4" not in logged
    assert "code 132001" in logged and "template dodolan_reminder" in logged
    for secret in (TOKEN, PHONE, "Rahasia dagang", "Bu Siti"):
        assert secret not in logged


async def test_mark_read_and_upload_media() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/media"):
            return httpx.Response(200, json={"id": "1037543291543636"})
        return httpx.Response(200, json={"success": True})

    async with client(answer, seen) as graph:
        await graph.mark_read("wamid.ABC", typing=True)
        media_id = await graph.upload_media("jadwal.ics", "text/calendar", b"BEGIN:VCALENDAR")
    assert media_id == "1037543291543636"
    assert json.loads(seen[0].content) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.ABC",
        "typing_indicator": {"type": "text"},
    }
    upload = seen[1]
    assert upload.url.path == "/v23.0/106540352242922/media"
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="messaging_product"' in upload.content and b"BEGIN:VCALENDAR" in upload.content
    assert b'filename="jadwal.ics"' in upload.content


async def test_templates_are_created_and_listed_across_pages() -> None:
    seen: list[httpx.Request] = []
    pages = {
        None: {
            "data": [
                {
                    "id": "1",
                    "name": "dodolan_reminder",
                    "language": "id",
                    "status": "APPROVED",
                    "category": "UTILITY",
                }
            ],
            "paging": {"cursors": {"after": "QVFI"}, "next": "http://graph.test/next"},
        },
        "QVFI": {
            "data": [
                {
                    "id": "2",
                    "name": "dodolan_reminder",
                    "language": "en",
                    "status": "PENDING",
                    "category": "UTILITY",
                }
            ],
            "paging": {"cursors": {"before": "QVFI"}},
        },
    }

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(
                200, json={"id": "9", "status": "PENDING", "category": "UTILITY"}
            )
        return httpx.Response(200, json=pages[request.url.params.get("after")])

    async with client(answer, seen) as graph:
        created = await graph.create_template({"name": "dodolan_reminder", "language": "id"})
        listed = await graph.list_templates()
    assert created["status"] == "PENDING"
    assert seen[0].url.path == "/v23.0/102290129340398/message_templates"
    assert [(t.name, t.language, t.status) for t in listed] == [
        ("dodolan_reminder", "id", "APPROVED"),
        ("dodolan_reminder", "en", "PENDING"),
    ]


async def test_templates_need_the_business_account_id() -> None:
    settings = WhatsAppSettings(
        access_token=TOKEN, phone_number_id="1", app_secret="s", verify_token="v"
    )
    async with GraphClient(settings, transport=httpx.MockTransport(sent_ok)) as graph:
        with pytest.raises(RuntimeError, match="WHATSAPP_BUSINESS_ACCOUNT_ID"):
            await graph.list_templates()
