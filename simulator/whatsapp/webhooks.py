"""Webhook payloads shaped like Meta's, signed and POSTed in order, with quick retries.

Each POST carries ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the
app secret>``. A non-200 answer or a connection error is retried ``attempts`` times with a short
backoff; every attempt is recorded on the ``Delivery``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from simulator.whatsapp.state import Contact, Stats

SIGNATURE_HEADER = "X-Hub-Signature-256"


def sign(app_secret: str, raw: bytes) -> str:
    """The X-Hub-Signature-256 value Meta sends for these exact bytes."""
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    """Compact JSON bytes, as Meta posts them."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Delivery:
    """One webhook: the payload, its bytes, and every attempt (HTTP status or error name)."""

    kind: str
    payload: dict[str, Any]
    raw: bytes
    attempts: list[int | str] = field(default_factory=list)
    ok: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Payloads:
    """Builds webhook bodies for one business phone number."""

    waba_id: str
    phone_number_id: str
    display_phone_number: str
    clock: Callable[[], datetime]

    def stamp(self, at: datetime | None = None) -> str:
        """A unix-seconds string, as Meta writes timestamps."""
        return str(int((at or self.clock()).timestamp()))

    def envelope(self, field_name: str, value: dict[str, Any], **entry: Any) -> dict[str, Any]:
        """The outer object/entry/changes wrapper."""
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": self.waba_id, **entry, "changes": [{"value": value, "field": field_name}]}
            ],
        }

    def _value(self, contact: Contact, key: str, item: dict[str, Any]) -> dict[str, Any]:
        """A ``messages`` field value with metadata and the contact."""
        return {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": self.display_phone_number,
                "phone_number_id": self.phone_number_id,
            },
            "contacts": [contact_json(contact)],
            key: [item],
        }

    def message(self, contact: Contact, message: dict[str, Any]) -> dict[str, Any]:
        """An inbound message webhook."""
        return self.envelope("messages", self._value(contact, "messages", message))

    def status(
        self,
        contact: Contact,
        wamid: str,
        status: str,
        pricing: dict[str, Any] | None,
        errors: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A statuses webhook (sent, delivered, read or failed)."""
        item: dict[str, Any] = {
            "id": wamid,
            "status": status,
            "timestamp": self.stamp(),
        }
        if contact.wa_id:
            item["recipient_id"] = contact.wa_id
        item["recipient_user_id"] = contact.user_id
        if pricing is not None and status != "failed":
            item["pricing"] = pricing
        if errors:
            item["errors"] = errors
        return self.envelope("messages", self._value(contact, "statuses", item))

    def template_status(
        self, template_id: str, name: str, language: str, category: str, event: str, reason: str
    ) -> dict[str, Any]:
        """A message_template_status_update webhook."""
        value = {
            "event": event,
            "message_template_id": int(template_id),
            "message_template_name": name,
            "message_template_language": language,
            "reason": reason,
            "message_template_category": category,
        }
        now = int(self.clock().timestamp())
        return self.envelope("message_template_status_update", value, time=now)


def contact_json(contact: Contact) -> dict[str, Any]:
    """The contacts[] entry: profile name (and username), wa_id when known, BSUID."""
    profile: dict[str, Any] = {"name": contact.name}
    if contact.username:
        profile["username"] = contact.username
    out: dict[str, Any] = {"profile": profile}
    if contact.wa_id:
        out["wa_id"] = contact.wa_id
    out["user_id"] = contact.user_id
    return out


class WebhookSender:
    """Delivers webhooks to the current ``url()``: in order, one at a time by default; with
    ``concurrency`` > 1 several at once, as Meta does (then in no guaranteed order)."""

    def __init__(
        self,
        app_secret: str,
        url: Callable[[], str | None],
        stats: Stats,
        notify: Callable[[], None],
        attempts: int = 3,
        backoff: float = 0.05,
        concurrency: int = 1,
    ) -> None:
        self.app_secret = app_secret
        self.concurrency = concurrency
        self.notify = notify
        self.url = url
        self.stats = stats
        self.attempts = attempts
        self.backoff = backoff
        self.deliveries: list[Delivery] = []
        self._queue: asyncio.Queue[tuple[Delivery, float]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None

    def enqueue(self, kind: str, payload: dict[str, Any], delay: float = 0.0) -> Delivery:
        """Queue a signed POST of ``payload``; returns its Delivery record at once."""
        delivery = Delivery(kind, payload, encode(payload))
        self.deliveries.append(delivery)
        self._queue.put_nowait((delivery, delay))
        self._tasks = [t for t in self._tasks if not t.done()]
        loop = asyncio.get_running_loop()
        while len(self._tasks) < self.concurrency:
            self._tasks.append(loop.create_task(self._loop()))
        return delivery

    async def post_raw(self, raw: bytes, signature: str | None) -> int:
        """One POST of arbitrary bytes (no retries); the bot's HTTP status."""
        url = self.url()
        if url is None:
            raise AssertionError("webhook_url is not set: nowhere to post the webhook")
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        resp = await self._http().post(url, content=raw, headers=headers)
        self.stats.webhooks_posted += 1
        return resp.status_code

    async def drain(self) -> None:
        """Wait until every queued webhook is delivered or given up."""
        await self._queue.join()

    async def close(self) -> None:
        """Stop the delivery tasks and the HTTP client."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        """The shared HTTP client (created in the running loop)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10)
        return self._client

    async def _loop(self) -> None:
        """Deliver queued webhooks one by one (one of ``concurrency`` such loops)."""
        while True:
            delivery, delay = await self._queue.get()
            try:
                if delay:
                    await asyncio.sleep(delay)
                await self._deliver(delivery)
            finally:
                delivery.done.set()
                self._queue.task_done()
                self.notify()

    async def _deliver(self, delivery: Delivery) -> None:
        """POST with retries; record every attempt."""
        headers = {"Content-Type": "application/json"}
        headers[SIGNATURE_HEADER] = sign(self.app_secret, delivery.raw)
        for attempt in range(self.attempts):
            url = self.url()
            if url is None:
                delivery.attempts.append("no webhook_url")
                return
            if attempt:
                self.stats.webhook_retries += 1
            try:
                resp = await self._http().post(url, content=delivery.raw, headers=headers)
                delivery.attempts.append(resp.status_code)
                self.stats.webhooks_posted += 1
                if resp.status_code == 200:
                    delivery.ok = True
                    return
            except httpx.HTTPError as exc:
                delivery.attempts.append(type(exc).__name__)
            await asyncio.sleep(self.backoff * (2**attempt))
        self.stats.webhooks_failed += 1
