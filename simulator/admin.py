"""Bot-level methods: getMe, commands, webhooks, menu button, close, logOut."""

from __future__ import annotations

import re
from typing import Any

from simulator.errors import bad_request
from simulator.limits import check_commands
from simulator.state import WorldState
from simulator.updates import UpdateQueue, WebhookConfig

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LANG_RE = re.compile(r"^([a-z]{2})?$")

CommandKey = tuple[str, "int | str | None", "int | None", str]


def command_key(scope: dict[str, Any] | None, language_code: str) -> CommandKey:
    """Key under which a command list is stored: (scope type, chat_id, user_id, lang)."""
    scope = scope or {"type": "default"}
    return (scope["type"], scope.get("chat_id"), scope.get("user_id"), language_code)


class AdminMethods:
    """Implementations of bot-level Bot API methods."""

    def __init__(self, state: WorldState, queue: UpdateQueue, bot_user: dict[str, Any]) -> None:
        self.state = state
        self.queue = queue
        self.bot_user = bot_user
        self.logged_out = False
        self.closed = False

    def handlers(self) -> dict[str, Any]:
        """Map method names to handler callables."""
        return {
            "getMe": lambda p: self.bot_user,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": lambda p: self.queue.webhook_info(),
            "setChatMenuButton": self.set_chat_menu_button,
            "close": self.close,
            "logOut": self.log_out,
        }

    def _key(self, p: dict[str, Any]) -> CommandKey:
        """Validate language_code and build the command storage key."""
        lang = p.get("language_code", "")
        if not _LANG_RE.match(lang):
            raise bad_request("invalid language code specified")
        return command_key(p.get("scope"), lang)

    def set_my_commands(self, p: dict[str, Any]) -> bool:
        """setMyCommands."""
        check_commands(p["commands"])
        key = self._key(p)
        if p["commands"]:
            self.state.commands[key] = list(p["commands"])
        else:
            self.state.commands.pop(key, None)
        return True

    def get_my_commands(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        """getMyCommands."""
        return list(self.state.commands.get(self._key(p), []))

    def delete_my_commands(self, p: dict[str, Any]) -> bool:
        """deleteMyCommands."""
        self.state.commands.pop(self._key(p), None)
        return True

    def set_webhook(self, p: dict[str, Any]) -> bool:
        """setWebhook (http URLs are allowed so local bots can receive updates)."""
        url = p["url"]
        drop = bool(p.get("drop_pending_updates", False))
        if url == "":
            self.queue.delete_webhook(drop)
            return True
        if not re.match(r"^https?://[^\s/]+", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        max_conn = p.get("max_connections", 40)
        if not 1 <= max_conn <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        config = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=max_conn,
            allowed_updates=p.get("allowed_updates"),
            ip_address=p.get("ip_address"),
        )
        self.queue.set_webhook(config, drop)
        return True

    def delete_webhook(self, p: dict[str, Any]) -> bool:
        """deleteWebhook."""
        self.queue.delete_webhook(bool(p.get("drop_pending_updates", False)))
        return True

    def set_chat_menu_button(self, p: dict[str, Any]) -> bool:
        """setChatMenuButton."""
        self.state.menu_buttons[p.get("chat_id")] = p.get("menu_button", {"type": "default"})
        return True

    def close(self, p: dict[str, Any]) -> bool:
        """close."""
        self.closed = True
        return True

    def log_out(self, p: dict[str, Any]) -> bool:
        """logOut."""
        self.logged_out = True
        return True
