"""BotApiEmulator: wires schema, state, dispatcher and HTTP server together."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from simulator.admin import AdminMethods, command_key
from simulator.dispatch import Dispatcher
from simulator.faults import Faults
from simulator.messages import MessageMethods
from simulator.ratelimit import MovableMonotonic, RateLimiter, RateLimits
from simulator.schema import Schema
from simulator.server import HttpServer
from simulator.state import Call, Stats, Violation, WorldState
from simulator.updates import UpdateQueue

if TYPE_CHECKING:
    from simulator.people import FakeUser

DEFAULT_TOKEN = "123456:TEST-token"
# How long a person waits for the bot's answer before the test fails (never reached when it
# passes); DODOLAN_TEST_GUARD shortens it while one hunts failures.
REPLY_GUARD = float(os.environ.get("DODOLAN_TEST_GUARD", "60"))


class BotApiEmulator:
    """A strict local Telegram Bot API server for tests."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        rate_limits: RateLimits | None = None,
        api_json: str | Path | None = None,
        *,
        port: int = 0,
        settle: float = 0.12,
        reply_timeout: float = REPLY_GUARD,  # a failure guard: people wait for the bot, not time
        bot_first_name: str = "Dodolan",
        bot_username: str = "DodolanBot",
        clock: Callable[[], datetime] | None = None,
        pause: float = 0.0,
    ) -> None:
        self.token = token
        self.settle = settle
        # The flood limits' clock: the bot's rate limiter should read it too (RunningBot does).
        self.monotonic = MovableMonotonic()
        # Seconds a person takes between two of their actions that wait for the bot (reading
        # the answer, then typing or tapping), skipped on ``monotonic`` rather than waited:
        # a scripted conversation then meets the per-chat limits as a person's would, at the
        # speed of the machine. 0 keeps the real pace (tests of the limits themselves).
        self.pause = pause
        self.reply_timeout = reply_timeout
        # Set by a harness that can tell when the bot has finished handling an update
        # (``await hook(update_id, seconds) -> bool``). People then wait for exactly that
        # instead of for a quiet period, which is deterministic however slow the machine.
        self.handled_hook: Callable[[int, float], Awaitable[bool]] | None = None
        self.schema = Schema(api_json)
        self.rate_limits = rate_limits or RateLimits()
        self.state = WorldState(clock)  # message dates follow it (the demo's clock)
        self.queue = UpdateQueue()
        prefix = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.messages_api = MessageMethods(self.state, self.bot_user)
        self.admin_api = AdminMethods(self.state, self.queue, self.bot_user)
        handlers = {**self.messages_api.handlers(), **self.admin_api.handlers()}
        handlers["getUpdates"] = lambda p: []
        self.dispatcher = Dispatcher(
            token,
            self.schema,
            self.state,
            self.queue,
            RateLimiter(self.rate_limits, self.monotonic),
            handlers,
        )
        self._server = HttpServer(self.dispatcher)
        self._port = port
        self._users: dict[int, FakeUser] = {}

    async def start(self) -> None:
        """Start serving on 127.0.0.1."""
        self._port = self._server.start(self._port)

    async def stop(self) -> None:
        """Stop long polls, webhook delivery and the HTTP server."""
        self.dispatcher.stopping.set()
        await self.queue.close()
        await self._server.stop()

    async def __aenter__(self) -> BotApiEmulator:
        """Start on entering an async with block."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on leaving an async with block."""
        await self.stop()

    @property
    def port(self) -> int:
        """The bound port."""
        return self._port

    @property
    def base_url(self) -> str:
        """Base URL for PTB's ApplicationBuilder().base_url (token is appended)."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """Base file URL for PTB's ApplicationBuilder().base_file_url."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    @property
    def calls(self) -> list[Call]:
        """Every call received (method, params, status, time, description)."""
        return self.dispatcher.calls

    @property
    def violations(self) -> list[Violation]:
        """Calls Telegram would have rejected (4xx other than 429, blocks and faults)."""
        return self.dispatcher.violations

    @property
    def stats(self) -> Stats:
        """Counters (calls, too_many_requests, faults_fired, updates_delivered)."""
        self.dispatcher.stats.updates_delivered = len(self.queue.delivered)
        return self.dispatcher.stats

    @property
    def faults(self) -> Faults:
        """Fault injection: emu.faults.add(kind, method=..., chat_id=..., times=...)."""
        return self.dispatcher.faults

    @property
    def latency(self) -> float:
        """Seconds added before answering every call."""
        return self.dispatcher.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        """Set the per-call latency."""
        self.dispatcher.latency = seconds

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "id",
        username: str | None = None,
        phone: str | None = None,
        last_name: str | None = None,
    ) -> FakeUser:
        """Return the fake user with this id (created on first call)."""
        from simulator.people import FakeUser

        if user_id not in self._users:
            self._users[user_id] = FakeUser(
                self, user_id, first_name, language_code, username, phone, last_name
            )
        return self._users[user_id]

    def open_chat(self, user_id: int) -> None:
        """Mark a user's private chat as known, as if they had written to the bot earlier."""
        self.state.known_chats.add(user_id)

    def block(self, user_id: int) -> None:
        """Make the user block the bot (calls to the chat answer 403)."""
        self.state.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Undo block()."""
        self.state.blocked.discard(user_id)

    def commands(
        self,
        scope_type: str = "default",
        chat_id: int | str | None = None,
        language_code: str = "",
        user_id: int | None = None,
    ) -> list[tuple[str, str]]:
        """Commands set with setMyCommands for a scope and language as (command, description)."""
        scope: dict[str, Any] = {"type": scope_type}
        if chat_id is not None:
            scope["chat_id"] = chat_id
        if user_id is not None:
            scope["user_id"] = user_id
        stored = self.state.commands.get(command_key(scope, language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    def post_raw_update(self, update: dict[str, Any]) -> int:
        """Queue an arbitrary Update dict (update_id assigned if missing); return its id."""
        for part in update.values():
            if isinstance(part, dict):
                chat = part.get("chat") or (part.get("message") or {}).get("chat")
                if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                    self.state.known_chats.add(chat["id"])
                sender = part.get("from")
                if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                    self.state.known_chats.add(sender["id"])
        body = {k: v for k, v in update.items() if k != "update_id"}
        return self.queue.push(body)

    def assert_no_violations(self) -> None:
        """Fail with the list of violations if there are any."""
        if self.violations:
            lines = "\n".join(f"  {v.method}: {v.description}" for v in self.violations)
            raise AssertionError(f"Bot API violations:\n{lines}")
