"""The bot's Bot API client: edits that change nothing are done, callbacks are answered once.

Two answers from Telegram are not failures of what the bot meant to do, and every handler
would otherwise have to know them:

* an ``editMessage*`` call answered 400 "message is not modified" (a double tap, a refresh
  that shows the same thing) or "message to edit not found" (the message was deleted) has
  nothing left to do;
* a callback query can be answered once; a second ``answerCallbackQuery`` (for example the
  error handler apologising after a handler already answered) fails with 400 "query is too
  old … or query ID is invalid".

:class:`DodolanBot` treats the first as done (the call returns ``True``, as Telegram does for
inline messages) and remembers which callback queries it answered, so a second answer is
skipped and :func:`handlers.telegram.common.on_error` can tell whether the spinner still
turns.
It also remembers what it last put on each message it edited, so an edit that would change
nothing (the second tap of a double tap clearing buttons already cleared) is not even sent.
Every handler gets this through ``context.bot`` and ``query.answer()`` / ``query.edit_*``,
so no call site can forget it.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

logger = logging.getLogger(__name__)

# Edits whose failure means "nothing to do": the message already shows this, or is gone.
_EDIT_DONE = ("message is not modified", "message to edit not found")
# A query already answered, or older than Telegram keeps it: answering again cannot help.
_QUERY_GONE = ("query is too old", "query id is invalid")
# Callback query ids are remembered this long (by count); Telegram forgets them in minutes.
ANSWERED_MEMORY = 10_000


class DodolanBot(ExtBot[None]):
    """PTB's ``ExtBot`` with idempotent edits and callbacks answered at most once."""

    def __init__(self, token: str, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._shown: OrderedDict[tuple[str, str], tuple[str | None, str]] = OrderedDict()

    def was_answered(self, callback_query_id: str) -> bool:
        """Whether this bot already answered (or gave up answering) the callback query."""
        return callback_query_id in self._answered

    async def _do_post(
        self, endpoint: str, data: dict[str, Any], **kwargs: Any
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send one call; absorb the answers that mean the call has nothing left to do."""
        if endpoint == "answerCallbackQuery":
            return await self._answer_once(data, **kwargs)
        if endpoint == "sendMessage":
            sent = await super()._do_post(endpoint, data, **kwargs)
            if isinstance(sent, dict) and "message_id" in sent:
                key = (str(data.get("chat_id")), str(sent["message_id"]))
                self._note(key, (_text_signature(data), _markup_signature(data)))
            return sent
        if endpoint not in _TRACKED_EDITS:
            if endpoint.startswith("editMessage"):  # a caption or media edit: forget the message
                edited = _message_key(data)
                if edited is not None:
                    self._shown.pop(edited, None)
            return await super()._do_post(endpoint, data, **kwargs)
        target, shown = _message_key(data), self._after_edit(endpoint, data)
        if target is not None and self._shown.get(target) == shown:
            logger.debug("%s skipped: the message already shows this", endpoint)
            return True
        try:
            result = await super()._do_post(endpoint, data, **kwargs)
        except BadRequest as exc:
            if not _matches(exc, _EDIT_DONE):
                raise
            logger.debug("%s changed nothing: %s", endpoint, exc.message)
            result = True
        if target is not None:
            self._note(target, shown)
        return result

    def _note(self, key: tuple[str, str], shown: tuple[str | None, str]) -> None:
        _keep(self._shown, key, shown)

    def _after_edit(self, endpoint: str, data: dict[str, Any]) -> tuple[str | None, str]:
        """What the message shows after this edit: (text or None if unchanged, markup)."""
        markup = _markup_signature(data)
        if endpoint == "editMessageText":
            return _text_signature(data), markup
        key = _message_key(data)
        known = self._shown.get(key) if key is not None else None
        return (known[0] if known else None), markup

    async def _answer_once(
        self, data: dict[str, Any], **kwargs: Any
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        query_id = str(data.get("callback_query_id", ""))
        if query_id in self._answered:
            logger.debug("callback query already answered; not answering again")
            return True
        _keep(self._answered, query_id, None)
        try:
            return await super()._do_post("answerCallbackQuery", data, **kwargs)
        except BadRequest as exc:
            if _matches(exc, _QUERY_GONE):
                logger.info("callback query could not be answered: %s", exc.message)
                return False
            raise


# Edits whose effect is fully described by their parameters (media edits are not tracked).
_TRACKED_EDITS = frozenset({"editMessageText", "editMessageReplyMarkup"})


def _message_key(data: dict[str, Any]) -> tuple[str, str] | None:
    if data.get("inline_message_id"):
        return ("inline", str(data["inline_message_id"]))
    if data.get("chat_id") is None or data.get("message_id") is None:
        return None
    return (str(data["chat_id"]), str(data["message_id"]))


def _text_signature(data: dict[str, Any]) -> str:
    return _signature([data.get("text"), data.get("parse_mode"), data.get("entities")])


def _markup_signature(data: dict[str, Any]) -> str:
    """The inline keyboard a message carries: a reply keyboard or none at all is "none"."""
    markup = data.get("reply_markup")
    plain = _plain(markup) if markup is not None else None
    rows = plain.get("inline_keyboard") if isinstance(plain, dict) else None
    return _signature(rows if rows and any(rows) else None)


def _signature(value: Any) -> str:
    return json.dumps(value, default=_plain, sort_keys=True, ensure_ascii=False)


def _plain(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else str(value)


def _keep(memory: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    """Remember ``key`` as the newest entry, forgetting the oldest beyond ANSWERED_MEMORY."""
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > ANSWERED_MEMORY:
        memory.popitem(last=False)


def _matches(exc: BadRequest, fragments: tuple[str, ...]) -> bool:
    text = exc.message.lower()
    return any(fragment in text for fragment in fragments)


__all__ = ["ANSWERED_MEMORY", "DodolanBot"]
