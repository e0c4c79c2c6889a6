"""Fake people talking to a real PTB Application (polling and webhook) via the emulator."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from simulator import BotApiEmulator, RateLimits
from tests.simulator.conftest import TOKEN


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with an inline keyboard; echo the deep-link payload."""
    assert update.effective_chat is not None
    payload = " ".join(context.args or [])
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Konfirmasi", callback_data="ok"),
                InlineKeyboardButton("Web", url="https://example.com"),
            ]
        ]
    )
    await context.bot.send_message(
        update.effective_chat.id,
        f"<b>Halo</b> {payload}".strip(),
        parse_mode="HTML",
        reply_markup=keyboard,
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the callback with a toast and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Tersimpan")
    await query.edit_message_text("Dikonfirmasi ✅")


async def ask_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for the user's phone with a reply keyboard."""
    assert update.effective_chat is not None
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("Kirim nomor", request_contact=True)]], one_time_keyboard=True
    )
    await context.bot.send_message(update.effective_chat.id, "Nomor HP?", reply_markup=markup)


async def got_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm a received contact and remove the keyboard."""
    assert update.message is not None and update.message.contact is not None
    contact = update.message.contact
    own = contact.user_id == update.message.from_user.id  # type: ignore[union-attr]
    await update.message.reply_text(
        f"{contact.phone_number} own={own}", reply_markup=ReplyKeyboardRemove()
    )


async def got_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download a document and report its size."""
    assert update.message is not None and update.message.document is not None
    file = await update.message.document.get_file()
    data = await file.download_as_bytearray()
    await update.message.reply_text(f"{update.message.document.file_name}: {len(data)} byte")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


def build_app(emu: BotApiEmulator) -> Application:  # type: ignore[type-arg]
    """A tiny bot exercising the people API."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("phone", ask_phone))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.CONTACT, got_contact))
    app.add_handler(MessageHandler(filters.Document.ALL, got_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


@contextlib.asynccontextmanager
async def polling(emu: BotApiEmulator) -> AsyncIterator[BotApiEmulator]:
    """Run the tiny bot with long polling against the emulator."""
    app = build_app(emu)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        try:
            yield emu
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
async def polling_bot(emu: BotApiEmulator) -> AsyncIterator[BotApiEmulator]:
    """The tiny bot, polling the shared emulator."""
    async with polling(emu):
        yield emu


async def test_conversation_with_buttons(polling_bot: BotApiEmulator):
    emu = polling_bot
    siti = emu.user(1001, first_name="Siti", phone="+6281234567890")
    replies = await siti.command("start", "promo")
    assert [r.text for r in replies] == ["Halo promo"]
    assert siti.last.has_button("Konfirmasi") and siti.last.entities[0]["type"] == "bold"
    replies = await siti.press("Konfirmasi")
    assert [r.text for r in replies] == ["Dikonfirmasi ✅"] and replies[0].edited
    assert siti.toasts == ["Tersimpan"]
    assert len(siti.messages) == 1
    with pytest.raises(AssertionError, match="no button"):
        await siti.press("Konfirmasi")
    echo_reply = await siti.send("harga <5000> & ongkir")
    assert echo_reply[0].text == "harga <5000> & ongkir"
    emu.assert_no_violations()


async def test_contact_keyboard_documents_and_silence(polling_bot: BotApiEmulator):
    emu = polling_bot
    budi = emu.user(1002, first_name="Budi", phone="+6281111111111")
    replies = await budi.command("phone")
    assert replies[0].reply_keyboard == [["Kirim nomor"]]
    replies = await budi.press("Kirim nomor")
    assert replies[0].text == "+6281111111111 own=True" and replies[0].remove_keyboard
    replies = await budi.share_contact(own=False)
    assert replies[0].text.endswith("own=False")
    replies = await budi.send_document("nota.pdf", b"%PDF-1.4 test", "application/pdf")
    assert replies[0].text == "nota.pdf: 13 byte"
    await budi.send_sticker(expect_reply=False)
    await budi.send_photo(expect_reply=False)
    with pytest.raises(AssertionError, match="no bot action"):
        await budi.send_voice(within=0.3)
    emu.assert_no_violations()


async def test_a_persons_pause_keeps_a_long_conversation_within_the_chat_limit() -> None:
    # One reply a second per chat, no burst to speak of, and a bot with no rate limiter of
    # its own: replies as fast as the machine would be refused (429). A person who takes
    # two seconds before each message never meets the limit, and nobody waits those seconds.
    limits = RateLimits(chat_per_second=1, chat_burst=1)
    async with BotApiEmulator(token=TOKEN, rate_limits=limits, pause=2.0) as emu:
        async with polling(emu):
            siti = emu.user(1001, first_name="Siti")
            for n in range(5):
                assert [r.text for r in await siti.command("start", f"n{n}")] == [f"Halo n{n}"]
        assert emu.stats.too_many_requests == 0
        assert emu.monotonic.ahead == 10.0


async def test_webhook_mode_application(emu: BotApiEmulator, unused_tcp_port: int):
    app = build_app(emu)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=unused_tcp_port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{unused_tcp_port}/hook",
            secret_token="rahasia",
        )
        try:
            siti = emu.user(1001, first_name="Siti")
            replies = await siti.send("halo")
            assert replies[0].text == "halo"
            assert emu.queue.webhook is not None and emu.queue.webhook.secret_token == "rahasia"
        finally:
            await app.updater.stop()
            await app.stop()
    emu.assert_no_violations()
