"""Command menus (``setMyCommands``): one per role and language."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.core.models import Role
from bot.core.notices import ChannelName
from bot.i18n import LANGUAGES, Catalog
from bot.services.facade import Services
from bot.services.owner_menu import owner_menu

logger = logging.getLogger(__name__)

# The commands staff and trainers see in their menu, in the order shown; the names are per
# language because Indonesian users type /bantuan where English users type /help. The owners'
# menu is the service's (bot.services.owner_menu), with Telegram's /start and /batal around it.
_STAFF_ID = (
    "umumkan",
    "riwayat",
    "sesibaru",
    "sesi",
    "peserta",
    "statistik",
    "ekspor",
    "pelatih",
    "jadwal",
    "bahasa",
    "bantuan",
    "batal",
)
_STAFF_EN = (
    "broadcast",
    "history",
    "newsession",
    "managesessions",
    "participants",
    "stats",
    "export",
    "trainers",
    "sessions",
    "language",
    "help",
    "cancel",
)
_TRAINER_ID = ("start", "kelas", "peserta", "riwayat", "jadwal", "bahasa", "bantuan", "batal")
_TRAINER_EN = (
    "start",
    "myclasses",
    "participants",
    "history",
    "sessions",
    "language",
    "help",
    "cancel",
)
MENUS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.TRAINER: {"id": _TRAINER_ID, "en": _TRAINER_EN},
    Role.STAFF: {"id": _STAFF_ID, "en": _STAFF_EN},
}
_AROUND = {"id": ("start", "batal"), "en": ("start", "cancel")}  # first and last, for owners


def menu_for(catalog: Catalog, roles: frozenset[Role], language: str) -> list[BotCommand]:
    """Return the menu of the most privileged role the user holds."""
    role = next(r for r in (Role.STAFF, Role.TRAINER, Role.OWNER) if r in roles)
    if role is Role.OWNER:
        return _owner_menu(catalog, language)
    return [
        BotCommand(name, catalog.text(language, f"command.{name}"))
        for name in MENUS[role][language]
    ]


def _owner_menu(catalog: Catalog, language: str) -> list[BotCommand]:
    """The owners' menu: every entry of the service's, one command each, set per chat."""
    first, last = _AROUND[language]
    entries = owner_menu(catalog, language, registered=None)
    return [
        BotCommand(first, catalog.text(language, f"command.{first}")),
        *(BotCommand(e.command_name(language), e.command) for e in entries),
        BotCommand(last, catalog.text(language, f"command.{last}")),
    ]


async def set_default_menus(bot: Bot, catalog: Catalog) -> None:
    """Set the owners' menu for all private chats: Indonesian by default, English for ``en``."""
    scope = BotCommandScopeAllPrivateChats()
    owner = frozenset({Role.OWNER})
    await bot.set_my_commands(menu_for(catalog, owner, "id"), scope=scope)
    for language in LANGUAGES:
        await bot.set_my_commands(
            menu_for(catalog, owner, language), scope=scope, language_code=language
        )


async def set_user_menu(
    bot: Bot, catalog: Catalog, chat_id: int, roles: frozenset[Role], language: str
) -> None:
    """Give one private chat the menu of its user's role and language (best effort)."""
    try:
        await bot.set_my_commands(
            menu_for(catalog, roles, language), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError as exc:
        logger.warning("could not set the menu of a chat: %s", exc)


async def refresh_menu_of(bot: Bot, services: Services, user_id: int) -> None:
    """Set the menu of another person's Telegram chat to the roles and language they have
    now (nothing if they have no Telegram chat or no account)."""
    account = await services.users.get(user_id)
    chat = await services.identities.external_id(user_id, ChannelName.TELEGRAM)
    if account is not None and chat is not None:
        roles = await services.users.roles(user_id)
        await set_user_menu(bot, services.catalog, int(chat), roles, account.language)
