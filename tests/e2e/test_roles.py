"""The one role check: read from the database on every call, refusing kindly."""

from __future__ import annotations

from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler

from bot.core.models import Role
from handlers.telegram.auth import requires
from handlers.telegram.context import DodolanContext
from simulator import BotApiEmulator, FakeUser
from tests.harness import RunningBot, settings_for


def install_guarded_command(bot: RunningBot) -> None:
    """Add a staff-only /rahasia command and button ahead of every other handler."""

    @requires(Role.STAFF)
    async def secret(update: Update, context: DodolanContext) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer("ok")
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "rahasia staf")

    async def entry(update: Update, context: DodolanContext) -> None:
        await secret(update, context)
        raise ApplicationHandlerStop

    assert bot.application is not None
    bot.application.add_handler(CommandHandler("rahasia", entry), group=-2)
    bot.application.add_handler(CallbackQueryHandler(entry, pattern="^staff:"), group=-2)


async def test_owner_is_refused_and_staff_allowed(
    bot: RunningBot, siti: FakeUser, staff: FakeUser
) -> None:
    install_guarded_command(bot)
    (refusal,) = await siti.command("rahasia")
    assert refusal.text == "Maaf, fitur ini khusus untuk petugas atau pelatih program."
    (allowed,) = await staff.command("rahasia")
    assert allowed.text == "rahasia staf"


async def test_revoked_role_takes_effect_at_once(bot: RunningBot, staff: FakeUser) -> None:
    install_guarded_command(bot)
    await staff.command("rahasia")
    await bot.services.users.bootstrap_staff([])  # DODOLAN_STAFF_IDS emptied
    (refusal,) = await staff.command("rahasia")
    assert "khusus untuk petugas" in refusal.text


async def test_forged_staff_button_from_an_owner_changes_nothing(
    bot: RunningBot, siti: FakeUser
) -> None:
    install_guarded_command(bot)
    await siti.command("bantuan")
    await siti.press_data("staff:v1:export")
    assert siti.toasts[-1] == "Maaf, fitur ini khusus untuk petugas atau pelatih program."
    assert all(m.text != "rahasia staf" for m in siti.messages)


async def test_staff_removed_from_the_settings_get_the_owner_menu_at_the_next_start(
    bot: RunningBot, staff: FakeUser, emulator: BotApiEmulator, database: Path
) -> None:
    await staff.command("bantuan")
    await bot.restart()  # a start-up gives staff who use the bot their menu
    assert "umumkan" in dict(emulator.commands("chat", chat_id=staff.id))
    bot.settings = settings_for(emulator, database, DODOLAN_STAFF_IDS="")
    await bot.restart()
    menu = dict(emulator.commands("chat", chat_id=staff.id))
    assert "umumkan" not in menu and "daftar" in menu
