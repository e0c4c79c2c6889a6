"""SIGKILL the bot while reminders are pending and while sends are in flight, and in the
middle of a burst of bookings: after each restart every reminder and every booking
confirmation arrives, once, except sends that were in flight at a kill (re-sent and counted
as uncertain, as handlers/telegram/delivery.py documents)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.clock import system_clock
from bot.core.models import Consent
from bot.core.notices import ChannelName
from bot.services import notices
from bot.services.delivery import WORKERS
from bot.services.sessions import SessionDraft
from bot.services.signup import CONSENT_PURPOSE, CONSENT_VERSION
from simulator import BotApiEmulator, FakeUser
from storage.owners import OwnerRepository
from storage.sessions import SessionRepository
from tests.e2e.test_process import bot_env, bot_process
from tests.harness import TOKEN
from tests.waiting import GUARD, until, until_stored

OWNERS = 24
MAX_KILLS = 8
BOOKERS = 20  # owners tapping "book" at once in each round of the booking test
CONFIRMED = "Kursi Anda sudah aman"


async def open_services(database: Path) -> Services:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "DODOLAN_DATABASE": str(database)}, require_token=False
    )
    return await Services.start(settings, system_clock)


async def seed(database: Path, emulator: BotApiEmulator) -> list[int]:
    """Owners booked on a session starting in an hour, with reminders that fell due over the
    last 12 seconds, in order (overdue at a start, as if they fell due while the bot was down:
    the restarted bot sends them the way it sends one falling due later)."""
    services = await open_services(database)
    try:
        now = datetime.now(UTC)
        start = now + timedelta(hours=1)
        session = await services.sessions.create(
            SessionDraft(
                "Balas chat pembeli", start, start + timedelta(hours=2), OWNERS, "Balai Kota"
            ),
            created_by=None,
        )
        users = list(range(50_000, 50_000 + OWNERS))  # their Telegram ids
        internal = []
        for i, telegram_id in enumerate(users):
            emulator.user(telegram_id, f"Owner {i}", language_code="id")
            emulator.open_chat(telegram_id)
            internal.append(
                await services.identities.register(
                    ChannelName.TELEGRAM, str(telegram_id), "id", now
                )
            )
        async with services.db.transaction() as tx:
            for i, user_id in enumerate(internal):
                booking = await SessionRepository(services.db).insert_booking(
                    tx, session.id, user_id, "confirmed", now
                )
                due = now - timedelta(seconds=(OWNERS - i) * 0.5)
                await services.outbox.enqueue(
                    tx, user_id, "reminder", {"booking_id": booking.id, "rule": "t"}, due, now
                )
        return users
    finally:
        await services.close()


def reminder_counts(emulator: BotApiEmulator, users: list[int]) -> dict[int, int]:
    return {u: sum("Pengingat sesi" in m.text for m in emulator.user(u).messages) for u in users}


# A row's person by their Telegram id (as the emulator knows them), not the bot's internal id.
TELEGRAM_ID = (
    "(SELECT CAST(external_id AS INTEGER) FROM identities"
    " WHERE identities.user_id = {table}.user_id AND channel = 'telegram')"
)


def query(database: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Read the bot's database from outside, as an operator would while it runs."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(sql, params).fetchall()
    conn.close()
    return rows


def outbox_rows(database: Path) -> list[tuple[int, str, int]]:
    """Each reminder's owner (by Telegram id), status and how often it was cut off."""
    person = TELEGRAM_ID.format(table="outbox")
    return query(database, f"SELECT {person} AS p, status, interrupted FROM outbox ORDER BY p")


def sends(emulator: BotApiEmulator) -> int:
    """How many sends the emulator has received so far (answered or not)."""
    return sum(method == "sendMessage" for method, _ in emulator.dispatcher.arrivals)


async def send_arrives(emulator: BotApiEmulator, after: int) -> None:
    """Wait until the bot's next send reaches the emulator (it is in flight in the bot)."""
    await until(emulator.dispatcher.changed, lambda: sends(emulator) > after, "a send")


async def quiet(emulator: BotApiEmulator) -> None:
    """Wait until the emulator has answered every call it received (a dead bot's calls that
    were already on their way land before the test looks)."""
    await asyncio.sleep(0)  # the emulator reads what the dead bot's sockets still held
    await until(emulator.dispatcher.changed, lambda: not emulator.dispatcher.answering, "quiet")


def in_flight(database: Path) -> set[tuple[int, int]]:
    """Rows claimed by a sender and not finished, by id and attempt: after a kill, the sends
    it cut off (a row claimed again after a restart is a new attempt)."""
    return set(query(database, "SELECT id, attempts FROM outbox WHERE status = 'sending'"))


async def test_three_kill_restart_cycles_deliver_every_reminder_once(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    database = tmp_path / "dodolan.sqlite3"
    users = await seed(database, emulator)
    emulator.latency = 0.25  # slow sends, so a kill catches sends in flight
    env = bot_env(emulator, tmp_path, DODOLAN_DATABASE=str(database))
    kills = caught = 0
    left: set[tuple[int, int]] = set()  # sends cut off by the last kill
    while kills < 3 or (caught == 0 and kills < MAX_KILLS):  # kill until one cuts a send off
        async with bot_process(tmp_path, **env) as bot:
            await send_arrives(emulator, sends(emulator))  # this run has a send in flight
            bot.proc.send_signal(signal.SIGKILL)
            await bot.proc.wait()
            kills += 1
        await quiet(emulator)
        cut_off, left = in_flight(database) - left, in_flight(database)
        caught += len(cut_off)
    assert caught > 0, f"none of {kills} kills caught a send in flight"
    emulator.latency = 0.0
    async with bot_process(tmp_path, **env) as bot:
        await until(
            emulator.state.activity,
            lambda: all(n >= 1 for n in reminder_counts(emulator, users).values()),
            "every owner's reminder",
        )
        await until_stored(
            lambda: all(status == "sent" for _, status, _ in outbox_rows(database)),
            "every reminder recorded as sent",
        )
        code, _ = await bot.terminate()
    assert code == 0
    rows = outbox_rows(database)
    assert [status for _, status, _ in rows] == ["sent"] * OWNERS  # nothing lost
    counts = reminder_counts(emulator, users)
    interrupted = {user for user, _, n in rows if n > 0}
    duplicates = {user for user, n in counts.items() if n > 1}
    assert all(n >= 1 for n in counts.values())
    assert duplicates <= interrupted  # only sends in flight at a kill may repeat...
    assert all(counts[u] <= 1 + n for u, _, n in rows)
    assert sum(n for _, _, n in rows) == caught  # every send cut off was counted and re-sent
    assert len(interrupted) <= kills * WORKERS  # ...and those are bounded


async def seed_bookers(database: Path, emulator: BotApiEmulator, count: int) -> int:
    """Signed-up owners and an open session with a seat for each; return the session id."""
    services = await open_services(database)
    try:
        now = datetime.now(UTC)
        start = now + timedelta(days=3)
        session = await services.sessions.create(
            SessionDraft("Foto produk", start, start + timedelta(hours=2), count, "Balai Kota"),
            created_by=None,
        )
        owners = OwnerRepository(services.db)
        consent = Consent(CONSENT_PURPOSE, CONSENT_VERSION, now)
        for telegram_id in range(60_000, 60_000 + count):
            name = f"Pemilik {telegram_id}"
            emulator.user(telegram_id, name, language_code="id")
            account = await services.users.arrived(
                ChannelName.TELEGRAM, str(telegram_id), "id", name
            )
            profile = {
                "full_name": name,
                "business_name": f"Usaha {telegram_id}",
                "category": "kuliner",
                "kecamatan": "klojen",
                "phone": f"0812{telegram_id:08d}",
                "marketplaces": ["shopee"],
            }
            await owners.create(account.id, profile, consent, now)
        return session.id
    finally:
        await services.close()


def confirmations(user: FakeUser) -> tuple[int, int]:
    """How many booking confirmations, and calendar files, the owner received."""
    texts = sum(CONFIRMED in m.text for m in user.messages)
    return texts, sum(bool(m.document) for m in user.messages)


def booked(database: Path) -> set[int]:
    """The Telegram ids of the owners with a confirmed seat."""
    person = TELEGRAM_ID.format(table="bookings")
    rows = query(database, f"SELECT {person} FROM bookings WHERE status = 'confirmed'")
    return {user_id for (user_id,) in rows}


def replies(database: Path) -> dict[int, tuple[str, int]]:
    """Each owner's (by Telegram id) booking confirmation row: its status and how often it
    was cut off."""
    person = TELEGRAM_ID.format(table="outbox")
    rows = query(
        database,
        f"SELECT {person}, status, interrupted FROM outbox WHERE kind = ?",
        notices.BOOKING_CONFIRMED,
    )
    return {user_id: (status, n) for user_id, status, n in rows}


async def test_bookings_committed_before_a_kill_are_confirmed_once_after_restart(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    database = tmp_path / "dodolan.sqlite3"
    session_id = await seed_bookers(database, emulator, BOOKERS * 4)
    people = [emulator.user(60_000 + i) for i in range(BOOKERS * 4)]
    emulator.latency = 0.2  # every call takes a while, so bookings commit before their reply
    env = bot_env(emulator, tmp_path, DODOLAN_DATABASE=str(database))
    owed: set[int] = set()  # booked, but had heard nothing when the bot died
    told: set[int] = set()  # their confirmation was recorded as sent before the bot died
    for group in (people[i : i + BOOKERS] for i in range(0, len(people), BOOKERS)):
        async with bot_process(tmp_path, **env) as bot:
            await asyncio.gather(*(p.command("jadwal", within=GUARD) for p in group))
            taps = [  # a burst: everyone taps at once
                asyncio.create_task(p.press_data(f"bk:v1:book:{session_id}", within=GUARD))
                for p in group
            ]
            everyone = asyncio.gather(*taps, return_exceptions=True)

            def some_heard_others_untold(
                group: list[FakeUser] = group, everyone: asyncio.Future[Any] = everyone
            ) -> bool:
                heard = {p.id for p in group if confirmations(p)[0]}
                return bool(heard and booked(database) - heard) or everyone.done()

            # Kill once some have heard and other bookings are untold (or all were answered:
            # then the next group tries again).
            await until(
                emulator.state.activity, some_heard_others_untold, "a confirmation", also=everyone
            )
            bot.proc.send_signal(signal.SIGKILL)
            await bot.proc.wait()
            for tap in taps:
                tap.cancel()
            await everyone
        await quiet(emulator)
        owed |= booked(database) - {p.id for p in people if confirmations(p)[0]}
        told |= {user for user, (status, _) in replies(database).items() if status == "sent"}
        if owed and told:
            break
    assert owed, "no kill fell between a booking's commit and its confirmation"
    emulator.latency = 0.0
    async with bot_process(tmp_path, **env) as bot:
        await people[0].command("bantuan", within=GUARD)  # the bot is up
        seated = booked(database)
        await until(  # the owed replies fall due within notices.REPLY_GRACE
            emulator.state.activity,
            lambda: all(confirmations(emulator.user(u))[0] for u in seated),
            "a confirmation for every booking",
        )
        await until_stored(
            lambda: all(status == "sent" for status, _ in replies(database).values()),
            "every confirmation recorded as sent",
        )
        code, _ = await bot.terminate()
    assert code == 0
    rows, seated = replies(database), booked(database)
    for user in sorted(owed):  # booked, and nothing sent before the kill: told once, now
        if not rows.get(user, ("", 0))[1]:  # (unless a later kill cut its send off)
            assert confirmations(emulator.user(user)) == (1, 1), user
    for user in sorted(told):  # told before a kill: not told again
        if not rows[user][1]:  # (unless an earlier kill cut a send of it off: then re-sent)
            assert confirmations(emulator.user(user)) == (1, 1), user
    for person in people:  # a confirmation repeats only if a kill cut its send off
        most = 1 + rows.get(person.id, ("", 0))[1] if person.id in seated else 0
        assert person.id not in seated or confirmations(person)[0] >= 1, person
        assert confirmations(person)[0] <= most, person
    assert told, "no confirmation was recorded as sent before a kill"
    assert set(rows) == booked(database) and all(s == "sent" for s, _ in rows.values())
