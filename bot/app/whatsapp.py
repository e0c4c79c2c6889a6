"""The WhatsApp channel of a running Dodolan: webhook in, inbox processor, Graph sends out.

:class:`WhatsAppEdge` is started beside the Telegram bot (or alone): Meta's webhook is
served on ``DODOLAN_WHATSAPP_LISTEN:DODOLAN_WHATSAPP_PORT/DODOLAN_WHATSAPP_PATH`` (put it
behind TLS: Meta only calls https URLs), every event is committed to the inbox before the
200 and handled from there by the owners' router and the status recorder; notices go out
through :class:`~handlers.whatsapp.channel.WhatsAppChannel`, driven by the same delivery
runner as Telegram's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

import httpx
from tornado.httpserver import HTTPServer

from bot.app.container import Services
from bot.core.errors import DeliveryError
from bot.core.models import Role
from bot.core.notices import ChannelName
from bot.services.channel_alerts import TOKEN_REFUSED
from handlers.whatsapp import owner_booking, templates
from handlers.whatsapp.channel import Estimate, WhatsAppChannel, pacing_for
from handlers.whatsapp.events import Event
from handlers.whatsapp.graph import GraphClient
from handlers.whatsapp.inbound import build_router
from handlers.whatsapp.inbox import InboxProcessor
from handlers.whatsapp.owner_booking import ReplySender
from handlers.whatsapp.pacing import Pacer
from handlers.whatsapp.replies import OwedReplies, Reply
from handlers.whatsapp.reports import Reports
from handlers.whatsapp.router import Router
from handlers.whatsapp.settings import WhatsAppSettings
from handlers.whatsapp.webhook import make_app, make_server
from handlers.whatsapp.window import TemplateStatus
from storage.delivery_statuses import DeliveryStatusRepository
from storage.whatsapp_contacts import WhatsAppContactRepository
from storage.whatsapp_inbox import WhatsAppInboxRepository
from storage.whatsapp_replies import WhatsAppReplyRepository

logger = logging.getLogger(__name__)


class WhatsAppEdge:
    """Everything WhatsApp in one running bot; :meth:`start` it, then use :attr:`channel`."""

    def __init__(
        self,
        settings: WhatsAppSettings,
        services: Services,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        templates_file: Path = templates.DEFAULT_PATH,
        listen: bool = True,
    ) -> None:
        self.settings = settings
        self._services = services
        self.graph = GraphClient(settings, transport)
        self.statuses = TemplateStatus()
        contacts = WhatsAppContactRepository(services.db)
        self.channel = WhatsAppChannel(
            self.graph,
            contacts,
            templates.load(templates_file),
            self.statuses,
            services.now,
            tier=settings.tier,
            pacer=Pacer(pacing_for(settings)),
        )
        self.inbox = WhatsAppInboxRepository(services.db)
        self.router: Router = build_router(services, self.channel)
        self.reports = Reports(
            DeliveryStatusRepository(services.db),
            self.statuses,
            services.identities,
            services.users,
            services.now,
            services.profile,
            sent=contacts,
        )
        self.replies = WhatsAppReplyRepository(services.db)
        self.owed = OwedReplies(self.replies, self.channel, services.catalog, services.now)
        self.processor = InboxProcessor(
            self.inbox,
            self.handle,
            replies=self.replies,
            owed=self.owed,
            flood_note=self.router.flood_note,
            now=services.now,
        )
        self._listen = listen
        self._server: HTTPServer | None = None
        self._alerts: set[asyncio.Task[None]] = set()
        self.channel.outage.on_token_refused = self._token_refused

    @property
    def port(self) -> int:
        """The port the webhook listens on (the chosen one when the setting is 0)."""
        if self._server is None:
            return self.settings.port
        sockets = list(self._server._sockets.values())
        return int(sockets[0].getsockname()[1]) if sockets else self.settings.port

    async def estimate_for(self, user_ids: Sequence[int], *, telegram: bool) -> Estimate:
        """The WhatsApp side of sending one notice to these users (those on Telegram get it
        there when ``telegram`` runs, as delivery prefers it)."""
        known = await self._services.identities.on_channel(ChannelName.WHATSAPP, user_ids)
        here = [
            ids[ChannelName.WHATSAPP]
            for ids in known.values()
            if not (telegram and ChannelName.TELEGRAM in ids)
        ]
        return await self.channel.estimate(here)

    def _token_refused(self) -> None:
        """Queue the alert to staff that WhatsApp stopped sending (once per outage)."""
        task = asyncio.create_task(self.tell_staff_token_refused())
        self._alerts.add(task)
        task.add_done_callback(self._alerts.discard)

    async def tell_staff_token_refused(self) -> None:
        """One outbox row per staff member: Meta refused the access token."""
        services = self._services
        staff = await services.users.privileged_ids()
        staff = {u for u in staff if Role.STAFF in await services.users.roles(u)}
        now = services.now()
        try:
            async with services.db.transaction() as tx:
                for user_id in sorted(staff):
                    await services.outbox.enqueue(tx, user_id, TOKEN_REFUSED, {}, now, now, 1)
        except Exception:
            logger.exception("could not queue the token alert for staff")

    def use_sender(self, sender: ReplySender) -> None:
        """Send the replies owed to owners (a seat, a cancellation) at once through ``sender``."""
        owner_booking.use_sender(self.router, sender)
        self.owed.outbox = sender

    async def handle(self, event: Event) -> list[Reply]:
        """Answer a message (the replies it owes), or record a status or a template verdict."""
        await self.reports.handle(event)
        return await self.router.handle(event)

    async def start(self) -> None:
        """Read the templates' statuses, start the inbox processor, listen for webhooks."""
        requeued = await self.inbox.requeue_interrupted()
        if requeued:
            logger.info("requeued %d WhatsApp inbox events interrupted by a stop", requeued)
        try:
            await self.channel.refresh_templates()
        except DeliveryError as exc:  # the bot still runs; staff see the problems
            logger.warning("template statuses could not be read from Meta: %s", exc.reason)
        for problem in self.channel.problems():
            logger.warning("WhatsApp template problem: %s", problem)
        self.processor.start()
        if self._listen:
            app = make_app(self.settings, self.inbox, self.processor.wake, now=self._services.now)
            self._server = make_server(app)
            self._server.listen(self.settings.port, self.settings.listen)
            logger.info(
                "WhatsApp webhook listening on %s:%d/%s",
                self.settings.listen,
                self.port,
                self.settings.path,
            )
        self.processor.wake()

    async def stop(self) -> None:
        """Stop listening, let the event in hand finish, close the Graph client."""
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
            # A kept-alive connection would still reach this stopped edge (its database
            # closed) and answer 500: close them, so Meta's next request finds the new one.
            await server.close_all_connections()
        await self.processor.stop()
        await self.graph.aclose()
