"""One staff announcement to owners on Telegram and on WhatsApp at once (issue 14).

The real bot in process with both channels configured, against the strict Telegram emulator
(Telegram's limits: 30/s overall, 1/s per chat with a burst of 3; 50 ms latency on every
call) and the strict WhatsApp emulator (``--wa-mps`` messages per second per number, 80 by
default as Meta's; the pair rate limit; the messaging tier, ``--tier`` on both the bot and
the emulator). N owners per channel are seeded straight into the database; about half of the
WhatsApp owners wrote recently (their 24-hour window is open, recorded through the channel's
window), so the rest get the marketing template. While it sends, 20 Telegram owners send
``/bantuan`` and 20 WhatsApp owners say "menu", each every 1-3 s.

Prints per channel: copies per second while sending against the channel's limit, the
templates (the copies that cost money), duplicates (target 0), limit errors (429 on Telegram;
130429 / 131056 / tier on WhatsApp; target 0), the chatting owners' reply p95, when each
channel's copies went (one channel waiting for the other shows here), and the total time.
Run: .venv/bin/python benchmarks/broadcast_two_channels.py            (~6 min, 2 x 2,500)
     .venv/bin/python benchmarks/broadcast_two_channels.py --owners 500 --tier 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from common import (
    TOKEN,
    free_port,
    grant_staff,
    machine,
    percentile,
    seed_telegram_owners,
    seed_whatsapp_owners,
    two_channel_settings,
    whatsapp_emulator,
)

from bot.app.telegram import WHATSAPP_KEY
from bot.app.whatsapp import WhatsAppEdge
from bot.core.clock import system_clock
from bot.services.broadcasts import ANNOUNCEMENT, Message
from simulator import BotApiEmulator, FakeUser, RateLimits
from simulator.whatsapp import Limits, WaMessage, WhatsAppEmulator, WhatsAppPerson
from storage.broadcasts import Audience
from storage.whatsapp_contacts import WhatsAppContactRepository
from tests.harness import RunningBot

STAFF = 9001
FIRST_TELEGRAM = 100_000
MARKER = "Pasar UMKM"
TEXT = "📢 Pasar UMKM Sabtu ini di Balai Kota! Daftar lapak lewat bot ya."
TEMPLATE = "dodolan_announcement"
WA_LIMIT_CODES = (130429, 131056)
DRAIN_SECONDS = 60.0  # after the send, for the status webhooks the emulator still holds
QUIET_SECONDS = 20.0  # no progress for this long: the rest waits for later (e.g. the tier)


@dataclass(frozen=True)
class Options:
    owners: int
    chatters: int
    wa_mps: int
    tier: int
    open_share: float


@dataclass
class Chatter:
    """One channel's chatting owners: (epoch second asked, seconds to the reply) per reply,
    and the replies that never came."""

    samples: list[tuple[float, float]]
    timeouts: int = 0

    def latencies(self, start: float = 0.0, end: float = float("inf")) -> list[float]:
        """Reply latencies of the messages sent between ``start`` and ``end``."""
        return [seconds for at, seconds in self.samples if start <= at <= end]


@dataclass(frozen=True)
class Copies:
    """One channel's announcement copies as the emulator saw them (times: epoch seconds)."""

    times: list[float]
    per_owner: dict[str, int]
    templates: int = 0

    @property
    def seconds(self) -> float:
        return max(self.times) - min(self.times) if len(self.times) > 1 else 0.0

    @property
    def per_second(self) -> float:
        return len(self.times) / self.seconds if self.seconds else float("nan")

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.per_owner.values() if n > 1)


@dataclass
class Backlog:
    """The most WhatsApp webhooks waiting at once: queued in the emulator (it posts them one
    at a time, in order, as statuses and messages) and stored but unhandled in the bot's inbox
    (handled one at a time); sampled every second."""

    emulator: int = 0
    inbox: int = 0
    emulator_at_end: int = 0
    drained_after: float | None = None  # seconds after the last copy; None: still waiting


async def drain(wa: WhatsAppEmulator, seen: Backlog, ended: float) -> None:
    """Let the emulator post the webhooks still queued (statuses), for at most DRAIN_SECONDS;
    ``ended`` is the perf_counter() second the last copy was done."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wa.drain(), DRAIN_SECONDS)
        seen.drained_after = time.perf_counter() - ended


async def watch(
    edge: WhatsAppEdge, wa: WhatsAppEmulator, stop: asyncio.Event, seen: Backlog
) -> None:
    while not stop.is_set():
        queued = sum(not d.done.is_set() for d in wa.deliveries)
        summary = await edge.inbox.summary()
        unhandled = sum(n for status, n in summary.items() if status not in ("done", "failed"))
        seen.emulator, seen.inbox = max(seen.emulator, queued), max(seen.inbox, unhandled)
        await asyncio.sleep(1.0)
    seen.emulator_at_end = sum(not d.done.is_set() for d in wa.deliveries)


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, default=2500, help="owners per channel")
    parser.add_argument("--chatters", type=int, default=20, help="chatting owners per channel")
    parser.add_argument("--wa-mps", type=int, default=80, help="WhatsApp messages/s per number")
    parser.add_argument("--tier", type=int, default=10_000, help="WhatsApp messaging tier")
    parser.add_argument("--open-share", type=float, default=0.5, help="WhatsApp windows open")
    args = parser.parse_args(argv)
    return Options(args.owners, args.chatters, args.wa_mps, args.tier, args.open_share)


def wa_number(n: int) -> str:
    return f"62813{n:08d}"


async def seed(
    database: Path, tg: BotApiEmulator, wa: WhatsAppEmulator, opts: Options
) -> tuple[list[FakeUser], list[tuple[int, WhatsAppPerson]]]:
    started = time.perf_counter()
    telegram = await seed_telegram_owners(database, tg, opts.owners, FIRST_TELEGRAM)
    whatsapp = await seed_whatsapp_owners(database, wa, [wa_number(n) for n in range(opts.owners)])
    await grant_staff(database, STAFF)
    print(
        f"seeded {len(telegram)} + {len(whatsapp)} owners in {time.perf_counter() - started:.0f} s"
    )
    return telegram, whatsapp


def edge_of(bot: RunningBot) -> WhatsAppEdge:
    edge = bot.application.bot_data[WHATSAPP_KEY] if bot.application else None
    assert isinstance(edge, WhatsAppEdge)
    return edge


async def open_windows(bot: RunningBot, people: list[WhatsAppPerson]) -> None:
    """They wrote a moment ago: the channel's window records it, the emulator opens it."""
    edge = edge_of(bot)
    now = datetime.now(UTC)
    for person in people:
        assert person.wa_id is not None
        await edge.channel.saw_inbound(person.wa_id, now)
        person.open_window()


async def chat_telegram(user: FakeUser, stop: asyncio.Event, seen: Chatter) -> None:
    """/bantuan every 1-3 s, timing each reply (until the bot has handled the update)."""
    await asyncio.sleep(random.uniform(0.0, 1.0))
    while not stop.is_set():
        at, started = time.time(), time.perf_counter()
        try:
            await user.send("/bantuan", within=60)
        except AssertionError:
            seen.timeouts += 1
        else:
            seen.samples.append((at, time.perf_counter() - started))
        await asyncio.sleep(random.uniform(1.0, 3.0))


async def chat_whatsapp(person: WhatsAppPerson, stop: asyncio.Event, seen: Chatter) -> None:
    """ "menu" every 1-3 s, timing the first message the bot sends back."""
    await asyncio.sleep(random.uniform(0.0, 1.0))
    while not stop.is_set():
        started = datetime.now(UTC)
        try:
            replies = await person.say("menu", within=60)
        except AssertionError:
            seen.timeouts += 1
        else:
            seen.samples.append(
                (started.timestamp(), (replies[0].sent_at - started).total_seconds())
            )
        await asyncio.sleep(random.uniform(1.0, 3.0))


async def announce(bot: RunningBot) -> tuple[float, int]:
    """Send the announcement; wait until every copy is done or nothing moves for a while.
    Returns the seconds it took and the copies left for later."""
    started = time.perf_counter()
    sent = await bot.services.broadcasts.send(STAFF, ANNOUNCEMENT, Audience("all"), Message(TEXT))
    last_change, done = time.perf_counter(), -1
    while True:
        progress = await bot.services.broadcasts.progress(sent.id)
        finished = progress.sent + progress.failed + progress.blocked + progress.skipped
        if finished != done:
            last_change, done = time.perf_counter(), finished
        if not progress.remaining or time.perf_counter() - last_change > QUIET_SECONDS:
            return last_change - started, progress.remaining
        await asyncio.sleep(0.5)


def telegram_copies(tg: BotApiEmulator, since: float) -> Copies:
    copies = [
        c
        for c in tg.calls
        if c.time >= since
        and c.method == "sendMessage"
        and c.status == 200
        and MARKER in str(c.params.get("text", ""))
    ]
    per_owner: dict[str, int] = {}
    for call in copies:
        chat = str(call.params["chat_id"])
        per_owner[chat] = per_owner.get(chat, 0) + 1
    return Copies([c.time for c in copies], per_owner)


def whatsapp_copies(wa: WhatsAppEmulator, since: float) -> Copies:
    times, per_owner, templates = [], {}, 0
    for stored in wa.world.outbox:
        message = WaMessage.of(stored)
        if stored.sent_at.timestamp() < since or MARKER not in (message.text or ""):
            continue
        times.append(stored.sent_at.timestamp())
        per_owner[stored.user_id] = per_owner.get(stored.user_id, 0) + 1
        templates += message.template == TEMPLATE
    return Copies(times, per_owner, templates)


def all_telegram_per_second(tg: BotApiEmulator, copies: Copies) -> float:
    """Every send/edit Telegram accepted while the copies went, per second (limit 30)."""
    if not copies.seconds:
        return float("nan")
    first, last = min(copies.times), max(copies.times)
    window = [
        c
        for c in tg.calls
        if first <= c.time <= last and c.status == 200 and c.method.startswith(("send", "edit"))
    ]
    return len(window) / copies.seconds


def all_whatsapp_per_second(wa: WhatsAppEmulator, copies: Copies) -> float:
    """Every message WhatsApp accepted while the copies went, per second."""
    if not copies.seconds:
        return float("nan")
    first, last = min(copies.times), max(copies.times)
    inside = [m for m in wa.world.outbox if first <= m.sent_at.timestamp() <= last]
    return len(inside) / copies.seconds


def when(copies: Copies, since: float) -> str:
    if not copies.times:
        return "none sent"
    return f"from {min(copies.times) - since:.1f} s to {max(copies.times) - since:.1f} s"


def latency(values: list[float]) -> str:
    if not values:
        return "no replies"
    p50, p95 = percentile(values, 50), percentile(values, 95)
    return (
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {max(values):.1f} s "
        f"({len(values)} replies)"
    )


def report_chatters(seen: Chatter, phases: dict[str, Copies], chatters: int) -> None:
    """Reply latency overall, and while each channel's copies were going out."""
    print(f"  replies to {chatters} chatters    {latency(seen.latencies())}")
    for name, copies in phases.items():
        if copies.times:
            inside = seen.latencies(min(copies.times), max(copies.times))
            print(f"    while {name} copies went  {latency(inside)}")
    print(f"    no reply within 60 s    {seen.timeouts}")


@dataclass
class Run:
    """What one run measured, for the report."""

    opts: Options
    since: float
    seconds: float
    left: int
    telegram: Chatter
    whatsapp: Chatter
    tier_used_bot: int
    backlog: Backlog


def report_telegram(tg: BotApiEmulator, wa: WhatsAppEmulator, run: Run) -> None:
    copies = telegram_copies(tg, run.since)
    print("Telegram (limit 30 msg/s overall, 50 ms latency):")
    print(f"  owners reached            {len(copies.per_owner)} of {run.opts.owners}")
    print(f"  copies sent               {when(copies, run.since)} after the send")
    print(f"  copies/s while sending    {copies.per_second:.1f}")
    print(f"  all messages/s then       {all_telegram_per_second(tg, copies):.1f}   (limit 30)")
    print(f"  duplicates                {copies.duplicates}   (target 0)")
    print(f"  429 responses             {tg.stats.too_many_requests}   (target 0)")
    print(f"  Bot API violations        {len(tg.violations)}")
    phases = {"Telegram": copies, "WhatsApp": whatsapp_copies(wa, run.since)}
    report_chatters(run.telegram, phases, run.opts.chatters)


def report_whatsapp(tg: BotApiEmulator, wa: WhatsAppEmulator, run: Run) -> None:
    copies, stats = whatsapp_copies(wa, run.since), wa.stats
    codes = [c.code for c in wa.calls if c.code is not None]
    limited = {code: codes.count(code) for code in (*WA_LIMIT_CODES, wa.limits.tier_error_code)}
    print(f"WhatsApp (limit {run.opts.wa_mps} msg/s per number; bulk takes at most 80% of it):")
    print(f"  owners reached            {len(copies.per_owner)} of {run.opts.owners}")
    print(f"  copies sent               {when(copies, run.since)} after the send")
    print(f"  copies/s while sending    {copies.per_second:.1f}")
    print(f"  all messages/s then       {all_whatsapp_per_second(wa, copies):.1f}")
    print(f"  as template (paid)        {copies.templates}   (marketing, window closed)")
    print(f"  free-form (window open)   {len(copies.times) - copies.templates}")
    print(f"  duplicates                {copies.duplicates}   (target 0)")
    print(f"  limit errors              {sum(limited.values())}   {limited}   (target 0)")
    print(f"  other refusals            {stats.refused - sum(limited.values())}")
    print(f"  Cloud API violations      {len(wa.violations)}")
    print(
        f"  tier {run.opts.tier} (bot and emulator)  used: bot {run.tier_used_bot}, "
        f"emulator {wa.tier_used}"
    )
    print(
        f"  webhooks waiting, most    {run.backlog.emulator} in the emulator, "
        f"{run.backlog.inbox} in the bot's inbox ({run.backlog.emulator_at_end} in the "
        "emulator when the last copy went)"
    )
    drained = run.backlog.drained_after
    cleared = f"{drained:.0f} s" if drained is not None else f"not {DRAIN_SECONDS:.0f} s later"
    print(f"  emulator's webhooks all posted  {cleared} after the last copy was done")
    phases = {"Telegram": telegram_copies(tg, run.since), "WhatsApp": copies}
    report_chatters(run.whatsapp, phases, run.opts.chatters)


async def during_send(
    bot: RunningBot, wa: WhatsAppEmulator, telegram: list[FakeUser], whatsapp: list[WhatsAppPerson]
) -> tuple[float, float, int, Chatter, Chatter, Backlog]:
    """Chatters on both channels talk while the announcement goes out."""
    stop, seen_tg, seen_wa, backlog = asyncio.Event(), Chatter([]), Chatter([]), Backlog()
    talkers = [asyncio.create_task(chat_telegram(u, stop, seen_tg)) for u in telegram]
    talkers += [asyncio.create_task(chat_whatsapp(p, stop, seen_wa)) for p in whatsapp]
    talkers.append(asyncio.create_task(watch(edge_of(bot), wa, stop, backlog)))
    await asyncio.sleep(3)
    since = time.time()
    seconds, left = await announce(bot)
    ended = time.perf_counter()
    stop.set()
    await asyncio.gather(*talkers)  # a chatter still waiting for a reply may take up to 60 s
    await drain(wa, backlog, ended)
    return since, seconds, left, seen_tg, seen_wa, backlog


async def run(folder: Path, tg: BotApiEmulator, wa: WhatsAppEmulator, opts: Options) -> Run:
    database = folder / "bench.sqlite3"
    telegram, whatsapp = await seed(database, tg, wa, opts)
    extra = {"DODOLAN_WHATSAPP_TIER": str(opts.tier), "DODOLAN_WHATSAPP_MPS": str(opts.wa_mps)}
    settings = two_channel_settings(database, tg, wa, free_port(), extra)
    bot = RunningBot(settings, system_clock, tg, background_delivery=True)
    await bot.start()
    try:
        people = [person for _, person in whatsapp]
        await open_windows(bot, people[: round(len(people) * opts.open_share)])
        tg.latency = 0.05
        since, seconds, left, seen_tg, seen_wa, backlog = await during_send(
            bot, wa, telegram[: opts.chatters], people[: opts.chatters]
        )
        tier_used = await WhatsAppContactRepository(bot.services.db).tier_used(datetime.now(UTC))
    finally:
        await bot.stop()
    return Run(opts, since, seconds, left, seen_tg, seen_wa, tier_used, backlog)


async def main() -> None:
    opts = parse()
    print(f"broadcast_two_channels · {machine()}")
    print(
        f"{opts.owners} Telegram + {opts.owners} WhatsApp owners, "
        f"{round(opts.owners * opts.open_share)} WhatsApp windows open; {opts.chatters} "
        f"chatters per channel; WhatsApp {opts.wa_mps} msg/s, tier {opts.tier}"
    )
    random.seed(14)
    tg = BotApiEmulator(token=TOKEN, rate_limits=RateLimits())
    await tg.start()
    wa = await whatsapp_emulator(Limits(messages_per_second=opts.wa_mps, tier=opts.tier))
    try:
        with tempfile.TemporaryDirectory() as name:
            result = await run(Path(name), tg, wa, opts)
    finally:
        await wa.stop()
        await tg.stop()
    report_telegram(tg, wa, result)
    report_whatsapp(tg, wa, result)
    print(
        f"Total: the last copy done {result.seconds:.0f} s after the send "
        f"(copies left for later: {result.left})"
    )


if __name__ == "__main__":
    asyncio.run(main())
