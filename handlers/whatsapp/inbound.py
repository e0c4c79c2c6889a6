"""The WhatsApp inbound side assembled: a :class:`Router` with every feature's routes.

``InboxProcessor(inbox, build_router(services, channel, window).handle)``. A feature module
adds its routes in a ``register(router: Router) -> None`` and is listed in
:data:`REGISTRARS`; the order matters only for the rows of the "Menu" list (by their own
``order``) and for words two modules would both claim (that fails loudly at start-up).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.app.container import Services
from bot.core.ports import Channel
from handlers.whatsapp import owner_menu, owner_profile, owner_signup
from handlers.whatsapp.router import InboundWindow, NumberReader, Router

REGISTRARS: tuple[Callable[[Router], None], ...] = (
    owner_signup.register,
    owner_profile.register,
    owner_menu.register,
)


def build_router(
    services: Services,
    channel: Channel,
    window: InboundWindow,
    *,
    numbers: NumberReader | None = None,
) -> Router:
    """A router with every feature's words, choice kinds, flows and menu rows."""
    router = Router(services, channel, window, numbers=numbers)
    for register in REGISTRARS:
        register(router)
    return router
