"""The WhatsApp channel: a notice becomes Cloud API messages, inside the window or as a template.

For each notice the channel decides, from the person's last message (:class:`Windows`):

* **window open** → free-form messages (``render``): text, reply buttons, a list or a
  numbered menu, and the attachment; if Meta still answers 131047 (outside the window), the
  window is marked closed and the notice is sent once more, as a template;
* **window closed** → the approved template for the notice's kind (``window.use_for``),
  counted against the messaging tier; no approved template → ``OutsideWindow``. A free-form
  message is never attempted outside the window. When a quick reply of the template carries
  ``OPEN_PAYLOAD`` ("tap to read it"), the notice's free-form messages are kept (files
  uploaded already) and :meth:`WhatsAppChannel.deliver_held` sends them when the person taps.

Errors from ``GraphClient`` are domain errors already and pass through unchanged, except
those about every send (Meta failing, a refused token, the number's rate limits): they pause
all sends for a while (:class:`~handlers.whatsapp.outage.Outage`), and
``TemplateProblem`` (the template is missing, unapproved, paused, disabled or differs): the
template is marked unusable for :meth:`WhatsAppChannel.problems` and ``OutsideWindow`` raised.

**Recipients.** ``Recipient.external_id`` is the wa_id (digits, a leading ``+`` allowed) or,
for a person with a username and no phone number, their BSUID (``CC.digits``). Both go in
``to``: the emulator accepts a BSUID there; Meta's own field for BSUID sends is not confirmed
in WHATSAPP-FACTS (§1.4), so check it before usernames reach Indonesia. Any other id is
``Unreachable``. Logs name the internal user id, never the number.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import mimetypes
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.errors import DeliveryError, OutsideWindow, Rejected, RetryLater, Unreachable
from bot.core.notices import Attachment, ChannelName, Notice, Recipient, SentRef
from bot.core.whatsapp_ports import ContactStore
from bot.core.whatsapp_records import HeldNotice
from handlers.whatsapp.graph import GraphClient, MetaFault, TemplateProblem, TokenRejected
from handlers.whatsapp.outage import Outage
from handlers.whatsapp.pacing import Pacer, PacingLimits
from handlers.whatsapp.payloads import Payload
from handlers.whatsapp.render import Part, render
from handlers.whatsapp.screens import for_whatsapp
from handlers.whatsapp.settings import DEFAULT_TIER, WhatsAppSettings
from handlers.whatsapp.templates import Template, TemplateCatalog
from handlers.whatsapp.window import (
    ALL_USES,
    OPEN_PAYLOAD,
    TemplateStatus,
    TemplateUse,
    Windows,
    quick_replies,
    template_message,
    use_for,
)

UPLOAD_REUSE = timedelta(days=7)  # well inside the 30 days WhatsApp keeps an upload
UPLOADS_KEPT = 64  # media ids remembered (the files a class or an announcement sends)
logger = logging.getLogger(__name__)

MENU_LIFETIME = timedelta(days=7)
HOLD_LIFETIME = timedelta(days=7)
_WA_ID = re.compile(r"^\+?\d{7,15}$")
_BSUID = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9]{1,64}$")
_NUMBER = re.compile(r"#?\s*(\d{1,2})\s*[.)]?")
_TEMPLATE_STATES = {132001: "NOT APPROVED (132001)", 132015: "PAUSED", 132016: "DISABLED"}


def pacing_for(settings: WhatsAppSettings) -> PacingLimits:
    """The pacing limits the settings ask for."""
    return PacingLimits(messages_per_second=settings.messages_per_second)


def _key(external_id: str) -> str:
    """The form a person's id is sent and stored in (a wa_id without its ``+``)."""
    external = external_id.strip()
    return external.lstrip("+") if _WA_ID.match(external) else external


def address(recipient: Recipient) -> str:
    """The ``to`` of a recipient: their wa_id or BSUID; Unreachable for anything else."""
    if recipient.channel is not ChannelName.WHATSAPP:
        raise Rejected(f"whatsapp: a {recipient.channel} recipient was given to WhatsApp")
    external = recipient.external_id.strip()
    if _WA_ID.match(external):
        return external.lstrip("+")
    if _BSUID.match(external):
        return external
    raise Unreachable("whatsapp: the recipient's id is neither a phone number nor a BSUID")


@dataclass(frozen=True)
class Estimate:
    """The WhatsApp side of a planned announcement."""

    recipients: int
    templates: int  # outside their 24-hour window: the approved template, billed per delivery
    tier_left: int  # people the messaging tier still allows today outside the window
    days: int  # days the sending takes because of the tier (1: all today)


class WhatsAppChannel:
    """Sends notices through one business phone number."""

    name = ChannelName.WHATSAPP

    def __init__(
        self,
        graph: GraphClient,
        contacts: ContactStore,
        catalog: TemplateCatalog,
        statuses: TemplateStatus,
        now: Clock,
        *,
        tier: int = DEFAULT_TIER,
        pacer: Pacer | None = None,
    ) -> None:
        self._graph = graph
        self._contacts = contacts
        self._catalog = catalog
        self._statuses = statuses
        self._now = now
        self._tier = tier
        self._pacer = pacer or Pacer()
        self.windows = Windows(contacts, now)
        self.outage = Outage(now)
        self._uploads: OrderedDict[str, tuple[str, datetime]] = OrderedDict()
        self._uploading: dict[str, asyncio.Future[str]] = {}  # copies sent side by side wait

    async def saw_inbound(
        self, external_id: str, at: datetime, received: datetime | None = None
    ) -> None:
        """Record a message Meta stamped ``at`` and we got at ``received`` (default: now):
        the person's window is open for 24 hours (see :meth:`Windows.saw_inbound`)."""
        await self.windows.saw_inbound(_key(external_id), at, received=received)

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Deliver one notice: free-form inside the window, else as its template."""
        if notice.replaces is not None:
            raise Rejected("whatsapp: a sent message cannot be edited")
        notice = for_whatsapp(notice, recipient.language)  # "/jadwal" reads "jadwal" here
        to = address(recipient)
        if await self.windows.is_open(to):
            try:
                return await self._free_form(recipient, to, notice, bulk=bulk)
            except OutsideWindow:
                await self.windows.refused(to)
                logger.warning(
                    "user %s: Meta says the window is closed; sending %s as a template",
                    recipient.user_id,
                    notice.kind or "the notice",
                )
        return await self._template(recipient, to, notice, bulk=bulk)

    async def resolve_number(self, external_id: str, text: str) -> str | None:
        """The choice id a reply such as "2" picks from the person's last numbered menu."""
        match = _NUMBER.fullmatch(text.strip())
        if match is None:
            return None
        menu = await self._contacts.menu(_key(external_id))
        if menu is None or self._now() - menu.sent_at > MENU_LIFETIME:
            return None
        index = int(match[1]) - 1
        return menu.choice_ids[index] if 0 <= index < len(menu.choice_ids) else None

    async def download_media(self, media_id: str, max_bytes: int) -> tuple[bytes, str]:
        """The bytes and type of a file a person sent, through the Graph media endpoint."""
        return await self._graph.download_media(media_id, max_bytes)

    async def deliver_held(self, external_id: str) -> list[SentRef]:
        """Send the notices held behind "tap to read it" templates (the person just tapped)."""
        to, sent = _key(external_id), []
        if not await self.windows.is_open(to):
            return []
        for held in await self._contacts.held(to):
            if self._now() - held.held_at <= HOLD_LIFETIME:
                sent.append(await self._send_held(to, held))
            await self._contacts.release_held(held.id)  # kept if a send above failed
        return sent

    async def _send_held(self, to: str, held: HeldNotice) -> SentRef:
        ready = self._pacer.reserve(to, len(held.parts), bulk=False)
        wamid = ""
        for payload, moment in zip(held.parts, ready, strict=True):
            await self._pacer.wait_until(moment)
            wamid = await self._deliver(payload, bulk=False)
        if held.menu is not None:
            await self._contacts.save_menu(to, held.menu, self._now())
        return SentRef(self.name, wamid)

    async def estimate(self, external_ids: Sequence[str]) -> Estimate:
        """What sending one notice to each of these people would take: how many go as
        templates (billed by Meta), and over how many days the messaging tier spreads them."""
        closed = [x for x in external_ids if not await self.windows.is_open(x)]
        free_today = max(0, self._tier - await self._contacts.tier_used(self._now()))
        later = max(0, len(closed) - free_today)
        days = 1 + -(-later // self._tier) if later else 1
        return Estimate(len(external_ids), len(closed), free_today, days)

    def problems(self) -> list[str]:
        """The templates the channel needs that Meta would not send now, one line each."""
        wanted = [(u.name, lang) for u in ALL_USES for lang in self._catalog.languages(u.name)]
        return self._statuses.problems(wanted)

    async def refresh_templates(self) -> None:
        """Read every template's status from Meta again."""
        await self._statuses.refresh(self._graph)

    async def _free_form(
        self, recipient: Recipient, to: str, notice: Notice, *, bulk: bool
    ) -> SentRef:
        rendering = render(to, notice, recipient.language, self._sendable(recipient, notice))
        ready = self._pacer.reserve(to, len(rendering.parts), bulk=bulk)
        wamid = ""
        for part, moment in zip(rendering.parts, ready, strict=True):
            payload = await self._filled(part)
            await self._pacer.wait_until(moment)
            wamid = await self._deliver(payload, bulk=bulk)
        if rendering.menu is not None:
            await self._contacts.save_menu(to, rendering.menu, self._now())
        elif any(c.url is None for c in notice.choices):
            await self._contacts.clear_menu(to)  # a newer question: "2" no longer means the old
        return SentRef(self.name, wamid)

    def _sendable(self, recipient: Recipient, notice: Notice) -> Attachment | None:
        """The notice's attachment if WhatsApp can send it (not another channel's file)."""
        attachment = notice.attachment
        if attachment is None or attachment.content is not None:
            return attachment
        if attachment.ref and attachment.ref_channel in (None, ChannelName.WHATSAPP):
            return attachment
        logger.warning(
            "user %s: the %s of a %s notice is a %s file; sending its text only",
            recipient.user_id,
            attachment.kind,
            notice.kind or "-",
            attachment.ref_channel or "unknown",
        )
        return None

    async def _filled(self, part: Part) -> Payload:
        """The part's payload, with the media id of its file once uploaded."""
        if part.upload is None or part.upload.content is None:
            return part.payload
        kind = str(part.payload["type"])
        name = part.upload.name or "dokumen"
        mime = part.upload.mime_type or _mime(kind, name, part.upload.content)
        media_id = await self._media_id(name, mime, part.upload.content)
        return {**part.payload, kind: {**part.payload[kind], "id": media_id}}

    async def _media_id(self, name: str, mime: str, content: bytes) -> str:
        """The media id of these bytes: uploaded once, then reused while WhatsApp keeps it.

        A lesson file sent to a whole class is uploaded once, not once per owner; the id is
        this edge's cache of the file the bot keeps (WhatsApp keeps uploads for 30 days).
        """
        key = f"{hashlib.sha256(content).hexdigest()}:{mime}"
        cached = self._uploads.get(key)
        if cached is not None and self._now() - cached[1] < UPLOAD_REUSE:
            return cached[0]
        pending = self._uploading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        upload = asyncio.ensure_future(self._graph.upload_media(name, mime, content))
        self._uploading[key] = upload
        try:
            media_id = await asyncio.shield(upload)
        finally:
            del self._uploading[key]
        self._uploads[key] = (media_id, self._now())
        self._uploads.move_to_end(key)
        while len(self._uploads) > UPLOADS_KEPT:
            self._uploads.popitem(last=False)
        return media_id

    async def _deliver(self, payload: Payload, *, bulk: bool) -> str:
        """Send one message, unless Meta fails for everyone (then every send waits)."""
        self.outage.check()
        await self._pacer.number_slot(bulk=bulk)
        try:
            wamid = await self._graph.send(payload)
        except RetryLater as exc:
            if not exc.everyone:
                raise
            own = not isinstance(exc, MetaFault) or exc.own_delay
            token = isinstance(exc, TokenRejected)
            raise self.outage.hit(exc, own_delay=own, token=token) from exc
        self.outage.ok()
        await self._contacts.remember_sent(wamid, str(payload["to"]), self._now())
        return wamid

    async def _template(
        self, recipient: Recipient, to: str, notice: Notice, *, bulk: bool
    ) -> SentRef:
        use = use_for(notice)
        template = self._approved(use, recipient.language)
        payload = template_message(to, use, template, notice)
        now = self._now()
        slot = await self._contacts.reserve_tier(to, now, self._tier)
        if not slot.granted:
            delay = max(slot.at - now, timedelta(seconds=1))
            raise RetryLater("whatsapp: the messaging tier is used up", delay, everyone=True)
        try:
            ready = self._pacer.reserve(to, 1, bulk=bulk)
            await self._pacer.wait_until(ready[0])
            wamid = await self._deliver(payload, bulk=bulk)
        except Exception as exc:
            if slot.new:
                await self._contacts.release_tier(to, slot.at)
            if isinstance(exc, TemplateProblem):
                raise self._unusable(use, recipient.language, exc) from exc
            raise
        logger.info("user %s: %s sent as template %s", recipient.user_id, notice.kind, use.name)
        if OPEN_PAYLOAD in quick_replies(use, template, notice):
            await self._hold(recipient, to, notice)
        return SentRef(self.name, wamid)

    async def _hold(self, recipient: Recipient, to: str, notice: Notice) -> None:
        """Keep the notice's free-form messages for the person's tap on its template."""
        try:
            rendering = render(to, notice, recipient.language, self._sendable(recipient, notice))
            parts = [await self._filled(part) for part in rendering.parts]
        except DeliveryError as exc:  # the template went out; only the details are missing
            logger.warning(
                "user %s: %s not kept for later: %s", recipient.user_id, notice.kind, exc
            )
            return
        await self._contacts.hold(to, notice.kind, parts, rendering.menu, self._now())

    def _approved(self, use: TemplateUse, language: str) -> Template:
        """The template if Meta approved it in this language; else OutsideWindow."""
        status = self._statuses.status(use.name, language)
        if status != "APPROVED":
            raise OutsideWindow(
                f"whatsapp: outside the 24-hour window and template {use.name} ({language}) "
                f"is {status or 'not at Meta'}"
            )
        try:
            return self._catalog.get(use.name, language)
        except KeyError:
            raise OutsideWindow(
                f"whatsapp: template {use.name} is not written in {language}"
            ) from None

    def _unusable(self, use: TemplateUse, language: str, exc: TemplateProblem) -> OutsideWindow:
        """Mark a template Meta refused, so staff see it; the notice cannot go now."""
        state = _TEMPLATE_STATES.get(exc.code, f"REFUSED ({exc.code})")
        self._statuses.update(use.name, language, state)
        return OutsideWindow(f"whatsapp: template {use.name} ({language}) refused: {state}")


def _mime(kind: str, name: str, content: bytes) -> str:
    """The MIME type to upload a file as."""
    if kind == "image":
        return "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
