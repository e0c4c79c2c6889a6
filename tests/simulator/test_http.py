"""Emulator strictness and protocol, exercised through raw HTTP calls."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

from simulator import BotApiEmulator, RateLimits
from tests.simulator.conftest import TOKEN, call, introduce
from tests.waiting import GUARD, until

USER = 1001


def inline(*rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Build an InlineKeyboardMarkup dict."""
    return {"inline_keyboard": list(rows)}


async def test_get_me_token_and_method_names(emu: BotApiEmulator, client: httpx.AsyncClient):
    me = (await client.post("getMe")).json()
    assert me["ok"] and me["result"]["username"] == "DodolanBot"
    assert me["result"]["is_bot"] is True
    async with httpx.AsyncClient() as other:
        bad = await other.post(f"{emu.base_url}999:wrong/getMe")
    assert bad.status_code == 401 and bad.json()["description"] == "Unauthorized"
    missing = await client.post("sendMesage", data={"chat_id": "1", "text": "x"})
    assert missing.status_code == 404
    introduce(emu, USER)
    poll = await call(client, "sendPoll", chat_id=USER, question="q", options=[{"text": "a"}])
    assert poll.status_code == 400
    assert "not supported by the Dodolan emulator" in poll.json()["description"]


async def test_rejects_unescaped_html(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    for text in ("harga < 5000", "Tom & Jerry", "<b>tebal", "<i>a</b>", "<br>"):
        resp = await call(client, "sendMessage", chat_id=USER, text=text, parse_mode="HTML")
        assert resp.status_code == 400, text
        body = resp.json()
        assert body["description"].startswith("Bad Request: can't parse entities: ")
        assert "at byte offset" in body["description"]
    assert not emu.user(USER).messages


async def test_accepts_all_allowed_html_tags(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">x</span>'
        '<tg-spoiler>y</tg-spoiler><a href="https://example.com/?a=1&amp;b=2">link</a>'
        '<code>c</code><pre><code class="language-python">p</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        " &lt;&gt;&amp;&quot;&#65;&#x42;"
    )
    resp = await call(client, "sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    assert resp.status_code == 200, resp.text
    msg = emu.user(USER).last
    assert msg.text.endswith(' <>&"AB')
    kinds = {e["type"] for e in msg.entities}
    assert kinds >= {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    }
    link = next(e for e in msg.entities if e["type"] == "text_link")
    assert link["url"] == "https://example.com/?a=1&b=2"
    pre = next(e for e in msg.entities if e["type"] == "pre")
    assert pre["language"] == "python"
    assert msg.html == html


async def test_markdown_v2_reserved_characters(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    bad = await call(
        client, "sendMessage", chat_id=USER, text="Harga 5.000!", parse_mode="MarkdownV2"
    )
    assert bad.status_code == 400 and "can't parse entities" in bad.json()["description"]
    ok = await call(
        client, "sendMessage", chat_id=USER, text="*Harga* 5\\.000\\!", parse_mode="MarkdownV2"
    )
    assert ok.status_code == 200
    assert emu.user(USER).last.text == "Harga 5.000!"
    other = await call(client, "sendMessage", chat_id=USER, text="x", parse_mode="BBCode")
    assert other.json()["description"] == "Bad Request: unsupported parse_mode"


async def test_callback_data_64_bytes_ok_65_rejected(
    emu: BotApiEmulator, client: httpx.AsyncClient
):
    introduce(emu, USER)
    ok = inline([{"text": "OK", "callback_data": "x" * 64}])
    resp = await call(client, "sendMessage", chat_id=USER, text="a", reply_markup=ok)
    assert resp.status_code == 200
    too_long = inline([{"text": "OK", "callback_data": "é" * 32 + "x"}])
    resp = await call(client, "sendMessage", chat_id=USER, text="a", reply_markup=too_long)
    assert resp.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_keyboard_rules(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    cases = {
        "Bad Request: BUTTON_TYPE_INVALID": inline(
            [{"text": "A", "callback_data": "a", "url": "https://x.id"}]
        ),
        "Bad Request: too many buttons": inline(
            [{"text": str(i), "callback_data": str(i)} for i in range(9)]
        ),
    }
    for description, markup in cases.items():
        resp = await call(client, "sendMessage", chat_id=USER, text="a", reply_markup=markup)
        assert resp.json()["description"] == description
    bad_url = inline([{"text": "A", "url": "javascript:alert(1)"}])
    resp = await call(client, "sendMessage", chat_id=USER, text="a", reply_markup=bad_url)
    assert resp.status_code == 400
    unknown = inline([{"text": "A", "callback_data": "a", "colour": "red"}])
    resp = await call(client, "sendMessage", chat_id=USER, text="a", reply_markup=unknown)
    assert "unknown field colour" in resp.json()["description"]


async def test_text_length_after_parsing(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    ok = await call(
        client, "sendMessage", chat_id=USER, text=f"<b>{'x' * 4096}</b>", parse_mode="HTML"
    )
    assert ok.status_code == 200
    emoji = await call(client, "sendMessage", chat_id=USER, text="😀" * 2049)
    assert emoji.json()["description"] == "Bad Request: message is too long"
    long = await call(client, "sendMessage", chat_id=USER, text="x" * 4097)
    assert long.json()["description"] == "Bad Request: message is too long"
    empty = await call(client, "sendMessage", chat_id=USER, text="<b> </b>", parse_mode="HTML")
    assert empty.json()["description"] == "Bad Request: message text is empty"


async def test_missing_required_and_unknown_parameter(
    emu: BotApiEmulator, client: httpx.AsyncClient
):
    introduce(emu, USER)
    missing = await call(client, "sendMessage", chat_id=USER)
    assert missing.json()["description"] == "Bad Request: parameter text is required"
    unknown = await call(client, "sendMessage", chat_id=USER, text="a", parse_mod="HTML")
    assert unknown.json()["description"] == "Bad Request: unknown parameter parse_mod"
    wrong = await call(client, "sendMessage", chat_id="abc", text="a")
    assert wrong.json()["description"] == "Bad Request: chat not found"
    typed = await call(client, "getUpdates", limit="many")
    assert typed.status_code == 400


async def test_json_body_and_blocked_user(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    resp = await client.post("sendMessage", json={"chat_id": USER, "text": "halo"})
    assert resp.json()["result"]["text"] == "halo"
    unknown_chat = await client.post("sendMessage", json={"chat_id": 42, "text": "halo"})
    assert unknown_chat.json()["description"] == "Bad Request: chat not found"
    emu.block(USER)
    blocked = await client.post("sendMessage", json={"chat_id": USER, "text": "halo"})
    assert blocked.status_code == 403
    assert blocked.json()["description"] == "Forbidden: bot was blocked by the user"
    emu.unblock(USER)
    assert (await client.post("sendMessage", json={"chat_id": USER, "text": "x"})).is_success


async def test_get_updates_offset_and_long_poll(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    first = (await call(client, "getUpdates")).json()["result"]
    assert len(first) == 1
    again = (await call(client, "getUpdates")).json()["result"]
    assert [u["update_id"] for u in again] == [first[0]["update_id"]]
    offset = first[0]["update_id"] + 1
    polls = len(emu.dispatcher.arrivals)
    poll = asyncio.create_task(call(client, "getUpdates", offset=offset, timeout=30))
    await until(emu.dispatcher.changed, lambda: len(emu.dispatcher.arrivals) > polls, "the poll")
    await asyncio.sleep(0)
    assert not poll.done()  # the long poll waits ...
    introduce(emu, 1002, "Budi")
    result = (await poll).json()["result"]  # ... and answers with the update (not [] at 30 s)
    assert [u["message"]["from"]["id"] for u in result] == [1002]
    confirmed = (await call(client, "getUpdates", offset=result[0]["update_id"] + 1)).json()
    assert confirmed["result"] == []


async def test_webhook_delivery_with_secret(emu: BotApiEmulator, client: httpx.AsyncClient):
    received: list[tuple[dict[str, Any], str | None]] = []
    arrived = asyncio.Event()

    class Hook(tornado.web.RequestHandler):
        def post(self) -> None:
            secret = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token")
            received.append((tornado.escape.json_decode(self.request.body), secret))
            arrived.set()

    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/hook", Hook)]))
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    try:
        url = f"http://127.0.0.1:{port}/hook"
        resp = await call(client, "setWebhook", url=url, secret_token="s3cret")
        assert resp.json() == {"ok": True, "result": True}
        conflict = await call(client, "getUpdates")
        assert conflict.status_code == 409
        introduce(emu, USER)
        await asyncio.wait_for(arrived.wait(), GUARD)
        assert received[0][1] == "s3cret"
        assert received[0][0]["message"]["text"] == "halo"
        info = (await call(client, "getWebhookInfo")).json()["result"]
        assert info["url"] == url and info["pending_update_count"] == 0
        assert (await call(client, "deleteWebhook")).json()["result"] is True
        assert (await call(client, "getUpdates")).status_code == 200
    finally:
        server.stop()
        await server.close_all_connections()


async def test_rate_limits_answer_429() -> None:
    limits = RateLimits(global_per_second=5, chat_per_second=1, chat_burst=3)
    async with BotApiEmulator(token=TOKEN, rate_limits=limits) as emu:
        introduce(emu, USER)
        for uid in range(2001, 2006):
            introduce(emu, uid)
        async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}/") as client:
            codes = [
                (await call(client, "sendMessage", chat_id=USER, text="x")).status_code
                for _ in range(4)
            ]
            assert codes == [200, 200, 200, 429]
            limited = await call(client, "sendMessage", chat_id=USER, text="x")
            body = limited.json()
            assert body["parameters"]["retry_after"] >= 1
            assert body["description"].startswith("Too Many Requests: retry after ")
            spread = [
                (await call(client, "sendMessage", chat_id=uid, text="x")).status_code
                for uid in range(2001, 2006)
            ]
            assert spread[:2] == [200, 200] and 429 in spread
            assert emu.stats.too_many_requests >= 2
            assert not emu.violations


async def test_the_flood_limits_refill_when_their_clock_is_moved_ahead() -> None:
    # One message per ten seconds after a burst of three: the real seconds the test takes
    # on a busy machine add a fraction of a token, the skip adds two whole ones.
    limits = RateLimits(chat_per_second=0.1, chat_burst=3)
    async with BotApiEmulator(token=TOKEN, rate_limits=limits) as emu:
        introduce(emu, USER)
        async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}/") as client:

            async def send() -> int:
                return (await call(client, "sendMessage", chat_id=USER, text="x")).status_code

            assert [await send() for _ in range(4)] == [200, 200, 200, 429]
            emu.monotonic.skip(20.0)  # twenty seconds pass on the limits' clock: two sends
            assert [await send() for _ in range(3)] == [200, 200, 429]
            with pytest.raises(ValueError, match="never goes back"):
                emu.monotonic.skip(-1.0)


async def test_multipart_document_roundtrip(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    data = bytes(range(256)) * 10
    resp = await client.post(
        "sendDocument",
        data={"chat_id": str(USER), "caption": "<b>Laporan</b>", "parse_mode": "HTML"},
        files={"document": ("laporan.pdf", data, "application/pdf")},
    )
    doc = resp.json()["result"]["document"]
    assert doc["file_name"] == "laporan.pdf" and doc["file_size"] == len(data)
    file = (await call(client, "getFile", file_id=doc["file_id"])).json()["result"]
    async with httpx.AsyncClient() as raw:
        download = await raw.get(f"{emu.base_file_url}{TOKEN}/{file['file_path']}")
    assert download.content == data
    assert emu.user(USER).last.document == ("laporan.pdf", "application/pdf", data)
    assert emu.user(USER).last.text == "Laporan"


async def test_edit_not_modified_and_missing(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    markup = inline([{"text": "A", "callback_data": "a"}])
    sent = await call(
        client,
        "sendMessage",
        chat_id=USER,
        text="<b>x</b>",
        parse_mode="HTML",
        reply_markup=markup,
    )
    mid = sent.json()["result"]["message_id"]
    same = await call(
        client,
        "editMessageText",
        chat_id=USER,
        message_id=mid,
        text="<b>x</b>",
        parse_mode="HTML",
        reply_markup=markup,
    )
    assert same.json()["description"].startswith("Bad Request: message is not modified")
    changed = await call(client, "editMessageText", chat_id=USER, message_id=mid, text="y")
    assert changed.json()["result"]["edit_date"]
    assert "reply_markup" not in changed.json()["result"]
    assert emu.user(USER).last.edited and emu.user(USER).last.buttons == []
    gone = await call(client, "editMessageText", chat_id=USER, message_id=999, text="y")
    assert gone.json()["description"] == "Bad Request: message to edit not found"


async def test_answer_callback_query_twice(emu: BotApiEmulator, client: httpx.AsyncClient):
    introduce(emu, USER)
    await call(
        client,
        "sendMessage",
        chat_id=USER,
        text="Pilih",
        reply_markup=inline([{"text": "Konfirmasi", "callback_data": "ok"}]),
    )
    press = asyncio.create_task(emu.user(USER).press("Konfirmasi"))
    updates: list[dict[str, Any]] = []
    offset = 0
    while not updates:
        batch = (await call(client, "getUpdates", offset=offset, timeout=1)).json()["result"]
        updates = [u for u in batch if "callback_query" in u]
        offset = batch[-1]["update_id"] + 1 if batch else offset
    query = updates[0]["callback_query"]
    assert query["data"] == "ok" and query["message"]["text"] == "Pilih"
    first = await call(client, "answerCallbackQuery", callback_query_id=query["id"], text="Oke")
    assert first.json()["result"] is True
    again = await call(client, "answerCallbackQuery", callback_query_id=query["id"])
    assert "query is too old" in again.json()["description"]
    assert await press == []
    assert emu.user(USER).toasts == ["Oke"]


async def test_commands_and_violations_recorded(emu: BotApiEmulator, client: httpx.AsyncClient):
    cmds = [{"command": "start", "description": "Mulai"}]
    await call(client, "setMyCommands", commands=cmds)
    await call(
        client,
        "setMyCommands",
        commands=cmds,
        language_code="id",
        scope={"type": "chat", "chat_id": 5},
    )
    assert emu.commands() == [("start", "Mulai")]
    assert emu.commands("chat", chat_id=5, language_code="id") == [("start", "Mulai")]
    assert emu.violations == []
    bad = await call(client, "setMyCommands", commands=[{"command": "Start!", "description": "x"}])
    assert bad.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"
    await call(client, "sendMessage", chat_id=777, text="x")
    assert [v.description for v in emu.violations] == [
        "Bad Request: BOT_COMMAND_INVALID",
        "Bad Request: chat not found",
    ]
    assert emu.violations[1].params == {"chat_id": 777, "text": "x"}
    assert [c.status for c in emu.calls][-2:] == [400, 400]
