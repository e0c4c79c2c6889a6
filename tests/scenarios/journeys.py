"""Steps many scenarios share, written once against the channel-free driver."""

from __future__ import annotations

from bot.app.telegram import WHATSAPP_KEY
from bot.app.whatsapp import WhatsAppEdge
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver, TextDriver, WhatsAppDriver

AGREE = "✅ Setuju"


async def sign_up(person: Driver, name: str = "Siti Aminah") -> None:
    """Answer every sign-up question (after the consent was shown) and confirm."""
    await person.tap(AGREE)
    await person.say(name)
    await person.say(f"Warung {name.split()[0]}")
    await person.tap("Kuliner/makanan-minuman")
    await person.tap("Klojen")
    await person.share_contact()
    await person.tap("Shopee")
    await person.tap("Selesai")
    await person.tap("Lewati")
    await person.tap("✅ Konfirmasi")


def paced_by_the_fake_clock(bot: RunningBot) -> None:
    """Let the WhatsApp pacer refill as the fake clock moves (hours pass in these scenarios,
    and its per-person bucket would otherwise refill only in real seconds)."""
    edge = bot.application.bot_data.get(WHATSAPP_KEY) if bot.application else None
    if isinstance(edge, WhatsAppEdge):
        edge.channel._pacer.monotonic = lambda: bot.clock().timestamp()


async def time_passes(bot: RunningBot, *people: Driver) -> None:
    """Run what is due at the fake clock's time: offers expire, the outbox is sent. A text
    channel person's notices are sent by their edge first (the bot cannot reach them). A
    WhatsApp person opens what came as a template (declared: outside the 24-hour window the
    bot may only send a template, and its "read it" tap brings the notice)."""
    await bot.services.booking.expire()
    edges = {id(p.edge): p.edge for p in people if isinstance(p, TextDriver)}
    for edge in edges.values():
        await edge.deliver_due()
    on_whatsapp = [(p, len(p.person.messages)) for p in people if isinstance(p, WhatsAppDriver)]
    await bot.tick()
    for person, since in on_whatsapp:  # outside the 24-hour window: a template, tapped open
        await person.open_templates(since)
