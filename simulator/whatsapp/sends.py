"""POST /{version}/{phone_number_id}/messages: validate, check the recipient, pace, store.

Order of checks, as Meta answers: schema (100) → supported by the emulator (131051) → limits
(100) → recipient (131026) → injected faults → throughput (130429) → pair rate (131056) →
24-hour window (131047, non-template only) → media ids → template (132001/132015/132016/
132000/132018) → messaging tier.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.whatsapp import rules
from simulator.whatsapp.errors import GraphError, invalid
from simulator.whatsapp.faults import Fault, Faults
from simulator.whatsapp.pacing import Pacer
from simulator.whatsapp.schema import Validator
from simulator.whatsapp.state import Contact, OutMessage, StoredMedia, Violation, World, new_wamid
from simulator.whatsapp.templates import TemplateStore, render
from simulator.whatsapp.webhooks import Payloads, WebhookSender

ASYNC_CODES = (131026, 131047)


def prepare(body: dict[str, Any]) -> dict[str, Any]:
    """Apply Meta's defaults before validation: ``type`` is ``text`` when left out."""
    return body if "type" in body or "status" in body else {**body, "type": "text"}


@dataclass
class SendOptions:
    """Behaviour switches of the messages endpoint."""

    async_errors: bool = False  # 131026/131047 as 200 + a ``failed`` status webhook
    status_delay: float = 0.005  # before the sent/delivered webhooks, after the answer


class MessagesEndpoint:
    """Serves sends and read receipts against the world state."""

    def __init__(
        self,
        world: World,
        templates: TemplateStore,
        pacer: Pacer,
        faults: Faults,
        payloads: Payloads,
        webhooks: WebhookSender,
        clock: Callable[[], datetime],
        options: SendOptions,
    ) -> None:
        self.world = world
        self.templates = templates
        self.pacer = pacer
        self.faults = faults
        self.payloads = payloads
        self.webhooks = webhooks
        self.clock = clock
        self.options = options
        self.validator = Validator()

    def handle(self, raw: Any) -> tuple[dict[str, Any], Fault | None]:
        """Answer one POST body; raises GraphError. Returns the answer and any slow/drop fault."""
        if not isinstance(raw, dict):
            raise invalid("The request body must be a JSON object.")
        body = prepare(raw)
        if "status" in body:
            return self._read_receipt(body), None
        self._validate(body)
        contact = self.world.contact_for(body["to"])
        if contact is None:
            raise GraphError(131026, f"Recipient {body['to']} is not a WhatsApp user.")
        fault = self.faults.take({contact.user_id, contact.wa_id or ""})
        if fault is not None and fault.kind not in ("slow", "drop"):
            self.world.stats.faults_fired += 1
            raise fault.error()
        try:
            return self._send(body, contact), fault
        except GraphError as exc:
            if not (self.options.async_errors and exc.code in ASYNC_CODES):
                raise
            return self._failed(body, contact, exc), fault

    def _validate(self, body: dict[str, Any]) -> None:
        """Schema, then what the emulator supports, then Meta's other limits."""
        errors = self.validator.errors("Message", body)
        if errors:
            raise invalid(" ".join(errors[:3]))
        why = rules.unsupported(body)
        if why:
            raise GraphError(131051, why, violation=True)
        problems = rules.problems(body)
        if problems:
            raise invalid(" ".join(problems[:3]))

    def _send(self, body: dict[str, Any], contact: Contact) -> dict[str, Any]:
        """Recipient, pacing, window, media and template checks; then store and answer."""
        if contact.unreachable:
            raise GraphError(131026, "Message undeliverable: the recipient cannot be reached.")
        self.pacer.throughput()
        self.pacer.pair(contact.user_id)
        now = self.clock()
        in_window = contact.window_open(now)
        kind = body["type"]
        if kind != "template" and not in_window:
            raise GraphError(
                131047,
                "Message failed to send because more than 24 hours have passed since the "
                "customer last replied to this number.",
                violation=True,
            )
        media = self._media(body)
        rendered: dict[str, Any] = {}
        category = None
        if kind == "template":
            spec = body["template"]
            template = self.templates.sendable(spec["name"], spec["language"]["code"])
            rendered = dataclasses.asdict(render(template, spec.get("components", [])))
            category = template.category
            if not in_window:
                self.pacer.tier(contact.user_id, now)
                self.pacer.count_tier(contact.user_id, now)
        message = OutMessage(new_wamid(), contact.user_id, body, now, "sent", media, rendered)
        self.world.outbox.append(message)
        self.world.stats.messages_sent += 1
        self.world.activity.notify()
        pricing = _pricing(category, in_window)
        for status in ("sent", "delivered"):
            self._status(contact, message.wamid, status, pricing)
        message.status = "delivered"
        return self._answer(body, contact, message.wamid, kind == "template")

    def _media(self, body: dict[str, Any]) -> StoredMedia | None:
        """Documents and images sent by id must be uploaded; links are taken as they are."""
        kind = body["type"]
        if kind not in ("document", "image"):
            return None
        media_id = body[kind].get("id")
        if media_id is None:
            return None
        stored = self.world.media.get(str(media_id))
        if stored is None:
            raise invalid(f"Media id {media_id} was not found (upload it first).")
        return stored

    def _failed(self, body: dict[str, Any], contact: Contact, exc: GraphError) -> dict[str, Any]:
        """Accept the request, then report the error in a ``failed`` status webhook."""
        if exc.violation:
            self.world.violations.append(Violation("messages", body, exc.code, exc.details))
        wamid = new_wamid()
        self._status(contact, wamid, "failed", None, [exc.status_error()])
        return self._answer(body, contact, wamid, body["type"] == "template")

    def _status(
        self,
        contact: Contact,
        wamid: str,
        status: str,
        pricing: dict[str, Any] | None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        """Queue one statuses webhook when a webhook URL is set."""
        if self.webhooks.url() is None:
            return
        payload = self.payloads.status(contact, wamid, status, pricing, errors)
        self.webhooks.enqueue(f"status:{status}", payload, self.options.status_delay)

    def mark_read(self, contact: Contact) -> None:
        """The person opened the chat: every delivered message becomes read."""
        for message in self.world.sent_to(contact.user_id):
            if message.status in ("sent", "delivered"):
                message.status = "read"
                category = message.rendered and self._category(message)
                pricing = _pricing(category or None, True)
                self._status(contact, message.wamid, "read", pricing)

    def _category(self, message: OutMessage) -> str | None:
        """The template category of a stored template message."""
        spec = message.body.get("template")
        if not spec:
            return None
        template = self.templates.items.get((spec["name"], spec["language"]["code"]))
        return template.category if template else None

    def _answer(
        self, body: dict[str, Any], contact: Contact, wamid: str, template: bool
    ) -> dict[str, Any]:
        """Meta's success body."""
        entry: dict[str, Any] = {"id": wamid}
        if template:
            entry["message_status"] = "accepted"
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": contact.wa_id or contact.user_id}],
            "messages": [entry],
        }

    def _read_receipt(self, body: dict[str, Any]) -> dict[str, Any]:
        """Mark an inbound message read (optionally showing a typing indicator)."""
        errors = self.validator.errors("ReadReceipt", body)
        if errors:
            raise invalid(" ".join(errors[:3]))
        inbound = next((m for m in self.world.inbox if m.wamid == body["message_id"]), None)
        if inbound is None:
            raise invalid(f"Invalid message_id {body['message_id']}: no such inbound message.")
        inbound.read = True
        return {"success": True}


def _pricing(category: str | None, in_window: bool) -> dict[str, Any]:
    """The pricing object of a status (per-message pricing since July 2025)."""
    if category is None:
        return {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    free = in_window and category == "UTILITY"
    return {
        "billable": not free,
        "pricing_model": "PMP",
        "category": category.lower(),
        "type": "free_customer_service" if free else "regular",
    }
