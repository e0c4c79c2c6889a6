"""WhatsAppEmulator: a strict local WhatsApp Cloud API (Graph) server for tests."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from simulator.whatsapp.errors import invalid
from simulator.whatsapp.faults import Faults
from simulator.whatsapp.pacing import Limits, Pacer
from simulator.whatsapp.people import WhatsAppPerson
from simulator.whatsapp.sends import MessagesEndpoint, SendOptions
from simulator.whatsapp.server import HttpServer
from simulator.whatsapp.state import Call, Contact, Stats, Violation, World, bsuid_for
from simulator.whatsapp.templates import STATUSES, Template, TemplateStore
from simulator.whatsapp.webhooks import Delivery, Payloads, WebhookSender, sign

AUTO = "auto"


def _utcnow() -> datetime:
    """The real time, timezone-aware."""
    return datetime.now(UTC)


class WhatsAppEmulator:
    """The Cloud API for one business phone number of one WhatsApp Business Account."""

    def __init__(
        self,
        phone_number_id: str = "106540352242922",
        waba_id: str = "419561257915477",
        access_token: str = "TEST-whatsapp-token",
        app_secret: str = "test-app-secret",
        webhook_url: str | None = None,
        clock: Callable[[], datetime] | None = None,
        *,
        display_phone_number: str = "6281130000000",
        limits: Limits | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        port: int = 0,
        settle: float = 0.12,
        reply_timeout: float = 60.0,  # a failure guard: people wait for the bot, not time
        webhook_attempts: int = 3,
        webhook_backoff: float = 0.05,
        webhook_concurrency: int = 1,
        async_errors: bool = False,
        auto_approve: bool = False,
    ) -> None:
        self.phone_number_id, self.waba_id = phone_number_id, waba_id
        self.access_token, self.app_secret = access_token, app_secret
        self.webhook_url = webhook_url
        self.clock = clock or _utcnow
        self.display_phone_number = display_phone_number
        self.limits = limits or Limits()
        self.settle, self.reply_timeout = settle, reply_timeout
        self.auto_approve = auto_approve
        # Set by a harness that knows when the bot has finished handling an inbound message
        # (``await hook(wamid, seconds) -> bool``); people then wait for exactly that.
        self.handled_hook: Callable[[str, float], Awaitable[bool]] | None = None
        self.world = World()
        self.templates = TemplateStore()
        self.faults = Faults()
        self.payloads = Payloads(waba_id, phone_number_id, display_phone_number, self.clock)
        self.webhooks = WebhookSender(
            app_secret, lambda: self.webhook_url, self.world.stats, self.world.activity.notify,
            webhook_attempts, webhook_backoff, webhook_concurrency,
        )  # fmt: skip
        self.pacer = Pacer(self.limits, monotonic)
        self.messages_api = MessagesEndpoint(
            self.world, self.templates, self.pacer, self.faults, self.payloads, self.webhooks,
            self.clock, SendOptions(async_errors=async_errors),
        )  # fmt: skip
        self._server = HttpServer(self)
        self._port = port
        self._people: dict[str, WhatsAppPerson] = {}

    async def start(self) -> None:
        """Serve on 127.0.0.1."""
        self._port = self._server.start(self._port)

    async def stop(self) -> None:
        """Stop webhook delivery and the HTTP server."""
        await self.webhooks.close()
        await self._server.stop()

    async def __aenter__(self) -> WhatsAppEmulator:
        """Start on entering ``async with``."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on leaving ``async with``."""
        await self.stop()

    @property
    def port(self) -> int:
        """The bound port."""
        return self._port

    @property
    def base_url(self) -> str:
        """The Graph root the bot uses instead of https://graph.facebook.com."""
        return f"http://127.0.0.1:{self._port}"

    def messages_url(self, version: str = "v23.0") -> str:
        """The send endpoint of this phone number."""
        return f"{self.base_url}/{version}/{self.phone_number_id}/messages"

    @property
    def calls(self) -> list[Call]:
        """Every request (method, path, body, status, error code, details)."""
        return self.world.calls

    @property
    def violations(self) -> list[Violation]:
        """Requests Meta would refuse that a correct bot never makes."""
        return self.world.violations

    @property
    def stats(self) -> Stats:
        """Counters: calls, messages_sent, refused, throughput/pair/tier, webhooks, faults."""
        return self.world.stats

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook queued (kind, payload, raw bytes, attempts, ok)."""
        return self.webhooks.deliveries

    @property
    def tier_used(self) -> int:
        """Unique recipients of out-of-window templates in the moving 24 hours."""
        return self.pacer.tier_used

    def person(
        self,
        wa_id: str | None = None,
        name: str = "Test",
        *,
        user_id: str | None = None,
        username: str | None = None,
    ) -> WhatsAppPerson:
        """The person with this phone number (or, phone-less, this BSUID/username)."""
        seed = wa_id or user_id or username
        if seed is None:
            raise ValueError("a person needs a wa_id, a user_id or a username")
        uid = user_id or bsuid_for(seed)
        if uid not in self._people:
            contact = Contact(uid, wa_id, name, username)
            self.world.contacts[uid] = contact
            self._people[uid] = WhatsAppPerson(self, contact)
        return self._people[uid]

    def unreachable(self, who: str, flag: bool = True) -> None:
        """Make sends to a wa_id or BSUID fail with 131026 (or undo with flag=False)."""
        contact = self.world.contact_for(who)
        if contact is None:
            raise KeyError(f"no person {who!r}")
        contact.unreachable = flag

    def create_template(self, body: Any) -> dict[str, Any]:
        """POST message_templates: validate, store PENDING (or approve), answer like Meta."""
        if not isinstance(body, dict):
            raise invalid("The request body must be a JSON object.")
        errors = self.messages_api.validator.errors("TemplateCreateRequest", body)
        if errors:
            raise invalid(" ".join(errors[:3]))
        template = self.templates.create(body)
        if self.auto_approve:
            self.approve_template(template.name, template.language)
        return {
            "id": template.template_id,
            "status": template.status,
            "category": template.category,
        }

    def add_template(
        self,
        name: str,
        language: str,
        body: str,
        *,
        category: str = "UTILITY",
        header: str | None = None,
        footer: str | None = None,
        quick_replies: tuple[str, ...] = (),
        examples: tuple[str, ...] = (),
        status: str = "APPROVED",
    ) -> Template:
        """Seed a template directly (no webhook), e.g. an approved reminder for a test."""
        components: list[dict[str, Any]] = []
        if header:
            components.append({"type": "HEADER", "format": "TEXT", "text": header})
        part: dict[str, Any] = {"type": "BODY", "text": body}
        if examples:
            part["example"] = {"body_text": [list(examples)]}
        components.append(part)
        if footer:
            components.append({"type": "FOOTER", "text": footer})
        if quick_replies:
            buttons = [{"type": "QUICK_REPLY", "text": t} for t in quick_replies]
            components.append({"type": "BUTTONS", "buttons": buttons})
        template = self.templates.create(
            {"name": name, "language": language, "category": category, "components": components}
        )
        template.status = status
        return template

    def template(self, name: str, language: str) -> Template:
        """A stored template (KeyError listing the known ones)."""
        return self.templates.get(name, language)

    def approve_template(self, name: str, language: str) -> Template:
        """APPROVED, with a status webhook."""
        return self.set_template_status(name, language, "APPROVED")

    def reject_template(
        self, name: str, language: str, reason: str = "INVALID_FORMAT"
    ) -> Template:
        """REJECTED with a reason, with a status webhook."""
        return self.set_template_status(name, language, "REJECTED", reason)

    def set_template_status(
        self, name: str, language: str, status: str, reason: str = "NONE"
    ) -> Template:
        """Any status (PAUSED, DISABLED, …); posts message_template_status_update."""
        if status not in STATUSES:
            raise ValueError(f"unknown template status {status!r}; expected one of {STATUSES}")
        template = self.templates.get(name, language)
        template.status, template.reason = status, reason
        if self.webhook_url is not None:
            payload = self.payloads.template_status(
                template.template_id, name, language, template.category, status, reason
            )
            self.webhooks.enqueue("template_status", payload)
        return template

    def upload(self, data: bytes, mime_type: str, filename: str | None = None) -> str:
        """Store media directly (as if uploaded) and return its id."""
        return self.world.add_media(data, mime_type, filename).media_id

    def sign(self, raw: bytes) -> str:
        """The X-Hub-Signature-256 value for these bytes."""
        return sign(self.app_secret, raw)

    async def deliver(self, payload: dict[str, Any]) -> Delivery:
        """POST any webhook payload, signed, with retries; wait until it is done."""
        delivery = self.webhooks.enqueue("custom", payload)
        await delivery.done.wait()
        return delivery

    async def deliver_raw(self, body: bytes, signature: str | None = AUTO) -> int:
        """POST raw bytes once (``signature``: AUTO signs them, None sends no header)."""
        header = self.sign(body) if signature == AUTO else signature
        return await self.webhooks.post_raw(body, header)

    async def drain(self) -> None:
        """Wait until every queued webhook is delivered or given up."""
        await self.webhooks.drain()

    def assert_no_violations(self) -> None:
        """Fail listing every violation."""
        if self.violations:
            lines = "\n".join(f"  {v.path}: ({v.code}) {v.details}" for v in self.violations)
            raise AssertionError(f"WhatsApp Cloud API violations:\n{lines}")
