"""Replies owed to people who wrote: stored with their event, sent oldest first, never dropped.

The router does not send while it answers a message; it collects :class:`Reply` values, and the
inbox processor stores them in the transaction that marks the event done
(``storage/whatsapp_replies.py``). :class:`OwedReplies` then sends one person's replies in
order:

* **An outage of any length.** ``RetryLater`` puts the reply back after the error's delay (the
  channel pauses every send while Meta fails: :mod:`handlers.whatsapp.outage`); the person's
  newer replies wait behind it, so when Meta answers again each goes once, oldest first. A
  reply is never given up for a passing fault; only ``Rejected``, ``OutsideWindow`` and
  ``Unreachable`` end it as failed, as for an outbox row.
* **Late.** A reply that goes out :data:`LATE` or more after the message it answers starts
  with a short apology saying why.
* **Uncertain.** A reply whose send may have reached Meta (a crash mid-send, a timeout after
  the request went out) is counted ``uncertain`` and tried again when due, unless a newer
  reply has reached the person meanwhile: then it is skipped, not sent blindly. It does not
  hold up the person's newer replies.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.core.errors import DeliveryError, RetryLater
from bot.core.notices import Attachment, Category, ChannelName, Choice, Notice, Recipient
from bot.core.ports import Channel
from bot.core.whatsapp_ports import ReplyQueue, ReplyReport
from bot.core.whatsapp_records import NewReply, OwedReply
from bot.i18n import Catalog

logger = logging.getLogger(__name__)

LATE = timedelta(hours=1)


@dataclass(frozen=True)
class Reply:
    """One message owed to the person a turn answers: a notice, or a committed outbox row."""

    recipient: Recipient
    notice: Notice | None = None
    outbox_id: int | None = None

    def stored(self) -> NewReply:
        """The row to store."""
        r = self.recipient
        body = notice_to_json(self.notice) if self.notice is not None else {}
        return NewReply(r.user_id, r.external_id, r.language, body, self.outbox_id)


class OutboxSender(Protocol):
    """The delivery's send-now path (``bot.app.delivery.DeliveryRunner`` is one)."""

    async def send_now(self, message_id: int) -> None:
        """Send one promised row now, unless a worker took it already."""
        ...


def notice_to_json(notice: Notice) -> dict[str, Any]:
    """A notice as JSON (its follow-ups are stored as replies of their own)."""
    attachment = notice.attachment
    return {
        "text": notice.text,
        "choices": [[c.id, c.title, c.description, c.url] for c in notice.choices],
        "rows": list(notice.rows) if notice.rows is not None else None,
        "attachment": None
        if attachment is None
        else {
            "kind": attachment.kind,
            "name": attachment.name,
            "content": base64.b64encode(attachment.content).decode()
            if attachment.content is not None
            else None,
            "ref": attachment.ref,
            "ref_channel": attachment.ref_channel,
            "mime_type": attachment.mime_type,
            "key": attachment.key,
        },
        "category": notice.category,
        "kind": notice.kind,
        "params": notice.params,
        "choices_label": notice.choices_label,
        "replaces": notice.replaces,
    }


def notice_from_json(data: dict[str, Any]) -> Notice:
    """The notice :func:`notice_to_json` stored."""
    found = data.get("attachment")
    attachment = None
    if found is not None:
        content = found.get("content")
        channel = found.get("ref_channel")
        attachment = Attachment(
            kind=found["kind"],
            name=found.get("name"),
            content=base64.b64decode(content) if content is not None else None,
            ref=found.get("ref"),
            ref_channel=ChannelName(channel) if channel else None,
            mime_type=found.get("mime_type"),
            key=found.get("key"),
        )
    rows = data.get("rows")
    return Notice(
        text=data["text"],
        choices=tuple(Choice(*c) for c in data.get("choices", [])),
        rows=tuple(rows) if rows is not None else None,
        attachment=attachment,
        category=Category(data.get("category", Category.LOGISTICS)),
        kind=data.get("kind", ""),
        params=dict(data.get("params", {})),
        choices_label=data.get("choices_label"),
        replaces=data.get("replaces"),
    )


def _next(owed: list[OwedReply], now: datetime) -> tuple[OwedReply | None, datetime | None]:
    """The person's reply to send now, else when one falls due.

    Replies go in order. An uncertain one (it may have arrived) goes only when no other is
    owed, so that a newer reply sent meanwhile makes it unnecessary.
    """
    later = min((r.due_at for r in owed), default=None)
    plain = [r for r in owed if not r.uncertain]
    if plain:
        return (plain[0], None) if plain[0].due_at <= now else (None, plain[0].due_at)
    due = [r for r in owed if r.due_at <= now]
    return (due[0], None) if due else (None, later)


class OwedReplies:
    """Sends each person's owed replies through the WhatsApp channel, oldest first."""

    def __init__(
        self,
        replies: ReplyQueue,
        channel: Channel,
        catalog: Catalog,
        now: Callable[[], datetime],
    ) -> None:
        self._replies = replies
        self._channel = channel
        self._catalog = catalog
        self._now = now
        self.outbox: OutboxSender | None = None  # without one, delivery workers send those

    async def send(self, external_id: str) -> datetime | None:
        """Send the person's due replies in order; when the next falls due (None: none owed).

        Recording one reply's outcome and claiming the next is one transaction, so a turn's
        messages follow each other closely.
        """
        owed = await self._replies.owed(external_id)
        reply, later = _next(owed, self._now())
        if reply is None:
            return later
        if not await self._replies.claim(reply.id):
            return self._now()  # taken meanwhile: look again on the next round
        while True:
            outcome = await self._attempt(reply)
            if isinstance(outcome, timedelta):
                return self._now() + outcome
            owed = [r for r in owed if r.id != reply.id]
            following, later = _next(owed, self._now())
            status, error = outcome
            claimed = await self._replies.finish(
                reply.id,
                status,
                self._now(),
                error,
                then_claim=following.id if following is not None else None,
            )
            if following is None:
                return later
            if not claimed:
                return self._now()
            reply = following

    async def _attempt(self, reply: OwedReply) -> tuple[str, str | None] | timedelta:
        """Send one claimed reply: its outcome (status, error), or the delay it must wait
        (recorded already)."""
        now = self._now()
        if reply.uncertain and await self._replies.answered_since(reply):
            return "skipped", "a newer reply was answered"
        if reply.outbox_id is not None:
            if self.outbox is not None:
                await self.outbox.send_now(reply.outbox_id)
            return "sent", None
        recipient = Recipient(
            reply.user_id, ChannelName.WHATSAPP, reply.external_id, reply.language
        )
        try:
            await self._channel.send(recipient, self._notice(reply, now), bulk=False)
        except RetryLater as exc:
            await self._replies.retry_later(
                reply.id, now + exc.delay, exc.reason, uncertain=exc.uncertain
            )
            return exc.delay
        except DeliveryError as exc:
            logger.warning("user %s: a reply was not sent: %s", reply.user_id, exc.reason)
            return "failed", exc.reason
        except Exception as exc:  # one bad reply must not stop the person's others
            logger.exception("user %s: a reply could not be sent", reply.user_id)
            return "failed", type(exc).__name__
        return "sent", None

    def _notice(self, reply: OwedReply, now: datetime) -> Notice:
        """The stored notice, with an apology first when it is an hour or more late."""
        notice = notice_from_json(reply.notice)
        late = now - reply.created_at
        if not reply.first or late < LATE:
            return notice
        hours = max(1, int(late.total_seconds() // 3600))
        apology = self._catalog.text(reply.language, "wa.late.reply", hours=hours)
        return replace(notice, text=f"{apology}\n\n{notice.text}")


async def report_lines(replies: ReplyReport, now: datetime) -> list[str]:
    """The WhatsApp replies part of ``dodolan outbox``: what waits, why, and what is uncertain."""
    counts = await replies.summary()
    waiting = await replies.waiting()
    lines = ["WhatsApp replies owed to people who wrote:"]
    for status in ("pending", "sending", "sent", "skipped", "failed"):
        lines.append(f"  {status:<10} {counts.get(status, 0):>6}")
    lines.append(
        f"  uncertain  {counts.get('uncertain', 0):>6}  "
        "(in flight at a crash or a timeout: may have arrived twice)"
    )
    if waiting:
        lines.append("Waiting (oldest first):")
        lines += [
            f"  #{r.id} to user {r.user_id}, waiting {_minutes(now - r.created_at)}, "
            f"attempts {r.attempts}, next {_minutes(r.due_at - now, ahead=True)}: "
            f"{r.last_error or 'not tried yet'}"
            for r in waiting
        ]
    return lines


def _minutes(span: timedelta, *, ahead: bool = False) -> str:
    minutes = int(span.total_seconds() // 60)
    if ahead:
        return "now" if minutes <= 0 else f"in {minutes} min"
    return f"{minutes} min"
