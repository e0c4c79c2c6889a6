"""Pending updates: long-polling getUpdates and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from simulator.errors import ApiError
from simulator.state import Signal

_DEFAULT_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}


@dataclass
class WebhookConfig:
    """The active webhook settings."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None


class UpdateQueue:
    """Updates waiting to be fetched by getUpdates or delivered to the webhook."""

    def __init__(self, webhook_attempts: int = 3, webhook_backoff: float = 0.05) -> None:
        self.pending: list[dict[str, Any]] = []
        self.next_id = 100_001
        self.signal = Signal()
        self.delivered: set[int] = set()
        self.allowed_updates: list[str] | None = None
        self.webhook: WebhookConfig | None = None
        self.last_error: tuple[int, str] | None = None
        self.webhook_attempts = webhook_attempts
        self.webhook_backoff = webhook_backoff
        self.closing = False
        self._poll_token = 0
        self._task: asyncio.Task[None] | None = None

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (assigning update_id) and return its id."""
        update = {"update_id": self.next_id, **update}
        self.next_id += 1
        self.pending.append(update)
        self.signal.notify()
        return int(update["update_id"])

    def confirm(self, offset: int) -> None:
        """Forget updates with id below offset (negative: keep the last -offset)."""
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def _allowed(self, update: dict[str, Any]) -> bool:
        """Whether an update passes the allowed_updates filter."""
        allowed = self.allowed_updates
        if self.webhook is not None and self.webhook.allowed_updates is not None:
            allowed = self.webhook.allowed_updates
        kind = next(k for k in update if k != "update_id")
        if not allowed:
            return kind not in _DEFAULT_EXCLUDED
        return kind in allowed

    def _select(self, limit: int) -> list[dict[str, Any]]:
        """Drop filtered-out updates and return up to limit pending ones."""
        self.pending = [u for u in self.pending if self._allowed(u)]
        return self.pending[:limit]

    async def get_updates(
        self, params: dict[str, Any], disconnected: Callable[[], bool]
    ) -> list[dict[str, Any]]:
        """Serve getUpdates with Telegram's long-polling semantics."""
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_token += 1
        mine = self._poll_token
        self.signal.notify()
        if "offset" in params:
            self.confirm(params["offset"])
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"]
        limit = max(1, min(100, params.get("limit", 100)))
        deadline = time.monotonic() + max(0, params.get("timeout", 0))
        while True:
            event = self.signal.event
            if mine != self._poll_token:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._select(limit)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self.closing or disconnected():
                if batch:
                    self.delivered.update(u["update_id"] for u in batch)
                    self.signal.notify()
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def set_webhook(self, config: WebhookConfig, drop_pending: bool) -> None:
        """Activate a webhook and start the delivery task."""
        if drop_pending:
            self.pending.clear()
        self.webhook = config
        self.signal.notify()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._deliver_loop())

    def delete_webhook(self, drop_pending: bool) -> None:
        """Deactivate the webhook."""
        if drop_pending:
            self.pending.clear()
        self.webhook = None
        self.signal.notify()

    async def close(self) -> None:
        """Stop long polls and the webhook task."""
        self.closing = True
        self.signal.notify()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _deliver_loop(self) -> None:
        """POST pending updates to the webhook in order, retrying a few times."""
        async with httpx.AsyncClient(timeout=10) as client:
            while self.webhook is not None and not self.closing:
                event = self.signal.event
                batch = self._select(1)
                if not batch:
                    await event.wait()
                    continue
                update, config = batch[0], self.webhook
                ok = await self._post(client, config, update)
                if update in self.pending:
                    self.pending.remove(update)
                if ok:
                    self.delivered.add(update["update_id"])
                    self.signal.notify()

    async def _post(
        self, client: httpx.AsyncClient, config: WebhookConfig, update: dict[str, Any]
    ) -> bool:
        """Try to deliver one update; record the last error on failure."""
        headers = {}
        if config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = config.secret_token
        for attempt in range(self.webhook_attempts):
            try:
                resp = await client.post(config.url, json=update, headers=headers)
                if 200 <= resp.status_code < 300:
                    return True
                error = f"Wrong response from the webhook: {resp.status_code} {resp.reason_phrase}"
            except httpx.HTTPError as exc:
                error = f"Connection failed: {type(exc).__name__}"
            self.last_error = (int(time.time()), error)
            await asyncio.sleep(self.webhook_backoff * (2**attempt))
        return False

    def webhook_info(self) -> dict[str, Any]:
        """Build the WebhookInfo object."""
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
        if self.last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info
