"""Route one Bot API call: token, faults, validation, limits, handler, records."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.errors import ApiError, bad_request
from simulator.faults import Fault, Faults
from simulator.ratelimit import RateLimiter, is_limited_method
from simulator.schema import Schema, UploadedFile
from simulator.state import Call, Signal, Stats, Violation, WorldState
from simulator.updates import UpdateQueue

UNSUPPORTED = "method is not supported by the Dodolan emulator"


@dataclass
class Reply:
    """An HTTP answer; body None means drop the connection without answering."""

    status: int
    body: dict[str, Any] | None


def _printable(params: dict[str, Any]) -> dict[str, Any]:
    """Replace uploaded files with a short description for records."""
    return {
        k: (f"<file {v.filename!r} {len(v.data)} bytes>" if isinstance(v, UploadedFile) else v)
        for k, v in params.items()
    }


class Dispatcher:
    """Validates and executes calls, recording calls, violations and stats."""

    def __init__(
        self,
        token: str,
        schema: Schema,
        state: WorldState,
        queue: UpdateQueue,
        limiter: RateLimiter,
        handlers: dict[str, Callable[[dict[str, Any]], Any]],
    ) -> None:
        self.token = token
        self.schema = schema
        self.state = state
        self.queue = queue
        self.limiter = limiter
        self.handlers = handlers
        self.faults = Faults()
        self.latency = 0.0
        self.calls: list[Call] = []
        self.violations: list[Violation] = []
        self.stats = Stats()
        self.stopping = asyncio.Event()
        # For tests that wait on the bot rather than on time: every call as it arrives (before
        # its latency or fault), the calls being answered now (long polls aside), and a signal
        # fired on each change of either.
        self.arrivals: list[tuple[str, Any]] = []
        self.answering = 0
        self.changed = Signal()

    async def sleep(self, seconds: float) -> None:
        """Sleep, waking early when the emulator stops."""
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), seconds)

    async def handle(
        self,
        token: str,
        method_name: str,
        raw: dict[str, Any],
        files: dict[str, UploadedFile],
        disconnected: Callable[[], bool],
    ) -> Reply:
        """Execute one call end to end."""
        self.stats.calls += 1
        long_poll = method_name.lower() == "getupdates"
        self.arrivals.append((method_name, raw.get("chat_id")))
        self.answering += not long_poll
        self.changed.notify()
        try:
            return await self._handle(token, method_name, raw, files, disconnected)
        finally:
            self.answering -= not long_poll
            self.changed.notify()

    async def _handle(
        self,
        token: str,
        method_name: str,
        raw: dict[str, Any],
        files: dict[str, UploadedFile],
        disconnected: Callable[[], bool],
    ) -> Reply:
        await self.sleep(self.latency)
        method = self.schema.resolve_method(method_name) or method_name
        params: dict[str, Any] = raw
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if self.schema.resolve_method(method_name) is None:
                raise ApiError(404, "Not Found")
            fields = {f["name"] for f in self.schema.methods[method].get("fields", [])}
            for name, upload in files.items():
                if name in fields and name not in raw:
                    raw[name] = upload
            fault = self.faults.take(method, raw.get("chat_id"))
            if fault is not None:
                self.stats.faults_fired += 1
                if fault.kind == "drop":
                    self._record(method, raw, 0, "dropped connection (injected)")
                    return Reply(0, None)
                self._raise_fault(fault)
                await self.sleep(fault.delay)
                if fault.kind == "hold":
                    await self._held(fault)
            params = self.schema.validate_call(method, raw, files)
            handler = self.handlers.get(method)
            if handler is None:
                raise bad_request(UNSUPPORTED)
            self._check_chat(params)
            if is_limited_method(method):
                self.limiter.acquire(params.get("chat_id"))
            if method == "getUpdates":
                result = await self.queue.get_updates(params, disconnected)
            else:
                result = handler(params)
        except ApiError as exc:
            if exc.code == 429:
                self.stats.too_many_requests += 1
            self._record(method, params, exc.code, exc.description)
            if exc.violation and not disconnected():
                self.violations.append(
                    Violation(method, _printable(params), exc.description, exc.code)
                )
            return Reply(exc.code, exc.body())
        self._record(method, params, 200, "")
        return Reply(200, {"ok": True, "result": result})

    def _record(self, method: str, params: dict[str, Any], status: int, desc: str) -> None:
        """Append a Call record."""
        self.calls.append(Call(method, _printable(params), status, time.time(), desc))

    async def _held(self, fault: Fault) -> None:
        """Keep a call waiting until the test releases it (or the emulator stops)."""
        fault.held.set()
        released = asyncio.ensure_future(fault.release.wait())
        stopping = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait((released, stopping), return_when=asyncio.FIRST_COMPLETED)
        released.cancel()
        stopping.cancel()

    def _raise_fault(self, fault: Fault) -> None:
        """Raise the ApiError of an injected fault (slow faults do not raise)."""
        if fault.kind == "429":
            retry = max(1, int(fault.retry_after))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry, violation=False)
        if fault.kind == "403_blocked":
            raise ApiError(403, "Forbidden: bot was blocked by the user", violation=False)
        if fault.kind == "500":
            raise ApiError(500, "Internal Server Error", violation=False)
        if fault.kind == "502":
            raise ApiError(502, "Bad Gateway", violation=False)

    def _check_chat(self, params: dict[str, Any]) -> None:
        """Reject unknown chats and chats whose user blocked the bot."""
        if "chat_id" not in params:
            return
        chat_id = params["chat_id"]
        if not isinstance(chat_id, int) or chat_id not in self.state.known_chats:
            raise bad_request("chat not found")
        if chat_id in self.state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user", violation=False)
