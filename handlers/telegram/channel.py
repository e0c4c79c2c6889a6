"""The Telegram channel: a notice becomes one Bot API call (HTML text, inline keyboard, file).

Platform errors become the delivery errors of :mod:`bot.core.errors`:

* ``RetryAfter`` (429) → ``RetryLater`` after Telegram's ``retry_after``;
* ``Forbidden`` (403, the person blocked the bot) → ``Unreachable``;
* ``BadRequest`` (400) → ``Rejected``;
* any other ``NetworkError`` (timeouts, 5xx) → ``RetryLater`` with no delay: a passing fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.core.errors import Rejected, RetryLater, Unreachable
from bot.core.notices import Attachment, ChannelName, Choice, Notice, Recipient, SentRef
from bot.core.ports import FileRefs


def keyboard(
    choices: Sequence[Choice], rows: Sequence[int] | None = None
) -> InlineKeyboardMarkup | None:
    """Lay choices out as an inline keyboard: ``rows`` gives row sizes, else one per row."""
    if not choices:
        return None
    buttons = [_button(choice) for choice in choices]
    sizes = list(rows) if rows else [1] * len(buttons)
    laid_out: list[list[InlineKeyboardButton]] = []
    start = 0
    for size in sizes:
        if start >= len(buttons):
            break
        laid_out.append(buttons[start : start + size])
        start += size
    if start < len(buttons):
        laid_out.extend([b] for b in buttons[start:])
    return InlineKeyboardMarkup(laid_out)


def _button(choice: Choice) -> InlineKeyboardButton:
    if choice.url is not None:
        return InlineKeyboardButton(choice.title, url=choice.url)
    return InlineKeyboardButton(choice.title, callback_data=choice.id)


class TelegramChannel:
    """Sends notices with the bot's paced Bot API client.

    A kept file (an attachment with a ``key``) is sent by the file id Telegram gave it the
    first time, from ``file_refs`` (this edge's cache, kept in the database); it is uploaded
    only when no id is cached, or the cached one is refused.
    """

    name = ChannelName.TELEGRAM

    def __init__(self, bot: ExtBot[Any], file_refs: FileRefs | None = None) -> None:
        self._bot = bot
        self._file_refs = file_refs

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Send one notice to the recipient's private chat."""
        try:
            chat_id = int(recipient.external_id)
            if notice.replaces is not None:
                return await self._replace(chat_id, notice, bulk=bulk)
            sent = await self._send(chat_id, notice, bulk=bulk)
        except RetryAfter as exc:
            wait = exc.retry_after
            delay = wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
            raise RetryLater("429 retry after", delay) from exc
        except Forbidden as exc:
            raise Unreachable(f"forbidden: {exc.message}") from exc
        except BadRequest as exc:
            raise Rejected(exc.message) from exc
        except NetworkError as exc:
            raise RetryLater(f"network: {exc.message}", timedelta(0)) from exc
        return SentRef(self.name, str(sent.message_id))

    async def _replace(self, chat_id: int, notice: Notice, *, bulk: bool) -> SentRef:
        """Edit a message sent before: new text, no buttons (gone or unchanged is done)."""
        await self._bot.edit_message_text(
            notice.text,
            chat_id=chat_id,
            message_id=int(notice.replaces or 0),
            reply_markup=None,
            rate_limit_args={"bulk": bulk},
        )
        return SentRef(self.name, str(notice.replaces))

    async def _send(self, chat_id: int, notice: Notice, *, bulk: bool) -> Message:
        limits: dict[str, bool] = {"bulk": bulk}
        markup = keyboard(notice.choices, notice.rows)
        attachment = notice.attachment
        if attachment is None:
            return await self._bot.send_message(
                chat_id, notice.text, reply_markup=markup, rate_limit_args=limits
            )
        caption = notice.text or None
        send = self._bot.send_photo if attachment.kind == "photo" else self._bot.send_document
        cached = await self._cached(attachment)
        if cached is not None:
            try:
                return await send(
                    chat_id, cached, caption=caption, reply_markup=markup, rate_limit_args=limits
                )
            except BadRequest:
                if attachment.content is None:
                    raise
                # a cached id Telegram no longer takes: upload the kept bytes instead
        sent = await send(
            chat_id,
            self._file(attachment),
            caption=caption,
            reply_markup=markup,
            rate_limit_args=limits,
        )
        await self._remember(attachment, sent)
        return sent

    async def _cached(self, attachment: Attachment) -> str | None:
        """The file id Telegram already knows the attachment by, if any."""
        if attachment.ref is not None and attachment.ref_channel in (None, self.name):
            return attachment.ref  # Telegram's own file id or a public URL: nothing uploaded
        if attachment.key is None or self._file_refs is None:
            return None
        return await self._file_refs.channel_ref(self.name, attachment.key)

    def _file(self, attachment: Attachment) -> InputFile:
        """The kept bytes to upload; Rejected if the attachment has none."""
        if attachment.content is None:
            raise Rejected("the attachment is no file this channel can send")
        return InputFile(BytesIO(attachment.content), filename=attachment.name)

    async def _remember(self, attachment: Attachment, sent: Message) -> None:
        """Cache the file id Telegram gave an uploaded kept file, to send it by that next."""
        if attachment.key is None or self._file_refs is None:
            return
        file_id = sent.photo[-1].file_id if sent.photo else None
        if sent.document is not None:
            file_id = sent.document.file_id
        if file_id is not None:
            await self._file_refs.remember_ref(self.name, attachment.key, file_id)
