"""The WhatsApp inbound side assembled: a :class:`Router` with every feature's routes.

``InboxProcessor(inbox, build_router(services, channel).handle)``, ``channel`` being the
``WhatsAppChannel`` (it keeps the window, numbered menus and held notices). A feature module
adds its routes in a ``register(router: Router) -> None`` and is listed in
:data:`REGISTRARS`; the order matters only for the rows of the "Menu" list (by their own
``order``) and for words two modules would both claim (that fails loudly at start-up).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.services.facade import Services
from handlers.whatsapp import (
    owner_answers,
    owner_booking,
    owner_data,
    owner_learning,
    owner_menu,
    owner_outcomes,
    owner_practice,
    owner_profile,
    owner_questions,
    owner_signup,
)
from handlers.whatsapp.router import InboundChannel, Router

REGISTRARS: tuple[Callable[[Router], None], ...] = (
    owner_signup.register,
    owner_profile.register,
    owner_data.register,
    owner_menu.register,
    owner_booking.register,
    owner_answers.register,
    owner_practice.register,
    owner_outcomes.register,
    owner_questions.register,  # after owner_menu: owners' free text is a question
    owner_learning.register,  # after owner_menu: its fallback takes check-in texts first
)


def build_router(services: Services, channel: InboundChannel) -> Router:
    """A router with every feature's words, choice kinds, flows and menu rows."""
    router = Router(services, channel)
    for register in REGISTRARS:
        register(router)
    return router
