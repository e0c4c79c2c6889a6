"""The callback context every handler receives, with typed access to the services."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.core.models import Dialog, User
from bot.i18n import DEFAULT_LANGUAGE
from bot.services.facade import Services

SERVICES_KEY = "services"


class DodolanContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    """PTB's context plus the services and the account of the user behind the update.

    PTB builds one context per update and shares it across handler groups, so the account
    loaded by the first group's handler in :mod:`handlers.telegram.common` is visible to
    every handler.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.account: User | None = None
        self.first_contact = False  # the account was made by this update (a new person)
        self.dialog_before: Dialog | None = None  # the conversation a command interrupted
        self.prompted = False  # the current question was sent while handling this update
        self.tap_stale = False  # the tapped button changed nothing (not remembered as taken)

    @property
    def services(self) -> Services:
        """The running bot's services."""
        services: Services | None = self.bot_data.get(SERVICES_KEY)  # put there by post_init
        if services is None:
            raise RuntimeError("services are not started; post_init has not run")
        return services

    @property
    def me(self) -> int:
        """The internal id of the person behind this private update (never their Telegram id:
        that one only addresses their chat)."""
        if self.account is None:
            raise RuntimeError("no account: the update did not come from a person in private")
        return self.account.id

    @property
    def chat(self) -> int:
        """The Telegram id of the chat the update came from: where answers go."""
        if self._chat_id is None:
            raise RuntimeError("the update came from no chat")
        return self._chat_id

    @property
    def language(self) -> str:
        """The language the user reads."""
        return self.account.language if self.account else DEFAULT_LANGUAGE

    def t(self, key: str, /, **params: object) -> str:
        """Return catalog text ``key`` in the user's language, parameters escaped."""
        return self.services.catalog.text(self.language, key, **params)


DodolanApplication = Application[Any, DodolanContext, Any, Any, Any, Any]
