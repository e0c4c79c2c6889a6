"""The one role check every privileged command, step and button goes through."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.core.errors import NotAllowed
from bot.core.models import Role
from handlers.telegram.context import DodolanContext

logger = logging.getLogger(__name__)

Callback = Callable[[Update, DodolanContext], Coroutine[Any, Any, Any]]


def requires(role: Role, refusal: str = "auth.not_allowed") -> Callable[[Callback], Callback]:
    """Run the callback only if the user holds ``role`` now, as the database says.

    ``refusal`` is the catalog key of what others are told (one naming the right role).
    """

    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def guarded(update: Update, context: DodolanContext) -> Any:
            me = context.account.id if context.account is not None else None
            try:
                if me is None:
                    raise NotAllowed(0, role.value)
                await context.services.users.require(me, role)
            except NotAllowed:
                logger.warning("refused %s to user %s", callback.__name__, me)
                await refuse(update, context, refusal)
                return None
            return await callback(update, context)

        return guarded

    return decorate


async def refuse(
    update: Update, context: DodolanContext, refusal: str = "auth.not_allowed"
) -> None:
    """Tell the user, kindly, that this is not for them; change nothing."""
    text = context.t(refusal)
    if update.callback_query is not None:
        context.tap_stale = True  # not taken: a second tap is refused the same way
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
