"""Telegram's content limits: text formatting, lengths, keyboards, commands."""

from __future__ import annotations

import re
from typing import Any

from simulator.errors import bad_request
from simulator.html_parse import EntityParseError, parse_html, utf16_len
from simulator.markdown import parse_markdown_v2

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_ROW = 8
MAX_TOAST = 200
_INLINE_NON_ACTION = {"text", "icon_custom_emoji_id", "style"}
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def format_text(
    raw: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode (or explicit entities) to raw text like Telegram does."""
    if entities is not None:
        return raw, list(entities)
    if parse_mode is None or parse_mode == "":
        return raw, []
    try:
        if parse_mode.lower() == "html":
            return parse_html(raw)
        if parse_mode.lower() == "markdownv2":
            return parse_markdown_v2(raw)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    raise bad_request("unsupported parse_mode")


def check_text(
    raw: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Parse message text and enforce the 1-4096 length limit."""
    text, ents = format_text(raw, parse_mode, entities)
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, ents


def check_caption(
    raw: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str | None, list[dict[str, Any]]]:
    """Parse a media caption and enforce the 0-1024 length limit."""
    if raw is None:
        return None, []
    text, ents = format_text(raw, parse_mode, entities)
    if utf16_len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return (text if text else None), ents


def check_reply_markup(markup: dict[str, Any] | None) -> None:
    """Enforce Telegram's keyboard rules on a decoded reply_markup."""
    if markup is None:
        return
    if "inline_keyboard" in markup:
        _check_inline(markup["inline_keyboard"])
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not rows or any(not row for row in rows):
            raise bad_request("keyboard must be non-empty")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text", "")
                if not text.strip():
                    raise bad_request("BUTTON_TEXT_INVALID")
    elif "remove_keyboard" in markup and markup["remove_keyboard"] is not True:
        raise bad_request("remove_keyboard must be True")


def _check_inline(rows: list[list[dict[str, Any]]]) -> None:
    """Validate an inline keyboard."""
    total = sum(len(row) for row in rows)
    if total > MAX_BUTTONS or any(len(row) > MAX_ROW for row in rows):
        raise bad_request("too many buttons")
    for row in rows:
        for button in row:
            actions = [k for k in button if k not in _INLINE_NON_ACTION]
            if len(actions) != 1 or not button.get("text", "").strip():
                raise bad_request("BUTTON_TYPE_INVALID")
            if "callback_data" in button:
                size = len(button["callback_data"].encode("utf-8"))
                if not 1 <= size <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not re.match(r"^(https?://[^\s/$.?#][^\s]*|tg://\S+)$", url, re.I):
                    raise bad_request(f"inline keyboard button URL '{url}' is invalid")


def check_commands(commands: list[dict[str, Any]]) -> None:
    """Enforce BotCommand rules for setMyCommands."""
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for cmd in commands:
        if not _COMMAND_RE.match(cmd["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(cmd["description"]) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def check_toast(text: str | None) -> None:
    """Enforce the answerCallbackQuery text limit."""
    if text is not None and len(text) > MAX_TOAST:
        raise bad_request("MESSAGE_TOO_LONG")
