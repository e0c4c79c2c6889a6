"""Outcome check-ins 1, 3 and 6 months after an attended session: does the owner sell online
now (and where), how many online orders last month, and what stops them.

Planned at attendance (rows and outbox rows in its transaction, timed from the session's real
end); each answer is a button (``oc:v1:<check-in>:<s|m|o|x>:<value>``) decided here for both
edges, which render the next question with :func:`question`. What stops the owner is free
text (a dialog), or skipped. Answers are kept per owner and month, over time; the free text
also goes to the question desk as a ticket about the session, so a person reads it and may
answer (the owner is told who and by when).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, StaleAction
from bot.core.models import TrainingSession
from bot.core.notices import Choice, Notice, NoticeKind
from bot.core.outcomes import ORDERS, Checkin
from bot.core.ports import OutboxWriter, Transaction, UnitOfWork
from bot.i18n import Catalog
from bot.services.dialogs import DialogService
from bot.services.owner_screens import with_lead
from bot.services.practice import TicketDesk, promise_text
from bot.services.tips import clamp_quiet
from bot.services.unexpected import CLOSED, Expects, Received, WrittenReply, refusal
from bot.services.validation import MARKETPLACES, NO_MARKETPLACE, clean_text

KIND = NoticeKind.OUTCOME_CHECKIN
MONTHS = {1: 30, 3: 91, 6: 182}  # check-in month -> days after the session's end
MARKETS = tuple(m for m in MARKETPLACES if m != NO_MARKETPLACE)
SELLS, MARKET, ORDER, SKIP = "s", "m", "o", "x"
DONE = "done"
FLOW, OBSTACLE_STEP = "outcome", "obstacle"
OBSTACLE_MAX = 500
ORDER_IDS = {"0": "0", "1-5": "5", "6-20": "20", "20+": "21"}  # value -> short id


class Step(StrEnum):
    """The question to show next."""

    SELLS = "sells"
    MARKETS = "markets"
    ORDERS = "orders"
    OBSTACLE = "obstacle"
    THANKS = "thanks"


def outcome_ref(booking_id: int) -> str:
    """The outbox ``ref`` of a booking's check-ins."""
    return f"outcome:{booking_id}"


class OutcomeStore(Protocol):
    """Check-ins as stored."""

    async def add(
        self, tx: Transaction, booking_id: int, user_id: int, month: int, due_at: datetime
    ) -> int | None: ...
    async def get(self, row_id: int) -> Checkin | None: ...
    async def of_user(self, user_id: int) -> list[Checkin]: ...
    async def save(
        self,
        tx: Transaction,
        row_id: int,
        sells: bool | None,
        markets: tuple[str, ...],
        orders: str | None,
        now: datetime,
    ) -> None: ...
    async def save_obstacle(self, tx: Transaction, row_id: int, text: str) -> None: ...


def tapped(choice_id: str | None) -> tuple[int, str, str]:
    """The check-in, the kind and the value of a tapped answer (``oc:v1:<row>:<kind>:<value>``),
    read once for every channel; StaleAction if the choice is not one (old, foreign, forged)."""
    parts = ids.parse(choice_id, ids.OUTCOME, 3)
    if parts is None or not parts[0].isdigit():
        raise StaleAction(choice_id)
    return int(parts[0]), parts[1], parts[2]


def obstacle_saved(catalog: Catalog, language: str, promise: str | None) -> Notice:
    """The thanks for what stops the owner, with who reads it and by when (if anyone does)."""
    saved = catalog.text(language, "outcome.obstacle_saved")
    return Notice(f"{saved}\n\n{promise}" if promise else saved)


def obstacle_again(catalog: Catalog, language: str, checkin: Checkin, lead: str) -> Notice:
    """The obstacle question again, under ``lead``: why what was sent could not be taken (a
    photo, only emoji, too long), as sign-up's questions are asked again."""
    return with_lead(lead, question(catalog, language, checkin, Step.OBSTACLE))


def question(catalog: Catalog, language: str, checkin: Checkin, step: Step) -> Notice:
    """The check-in's next question with its buttons (the same on every channel)."""

    def choice(kind: str, value: str, key: str) -> Choice:
        return Choice(
            ids.pack(ids.OUTCOME, str(checkin.id), kind, value), catalog.text(language, key)
        )

    def t(key: str, **params: object) -> str:
        return catalog.text(language, f"outcome.{key}", **params)

    if step is Step.SELLS:
        text = t(f"ask_sells_{checkin.month}", title=checkin.session_title)
        yes, no = choice(SELLS, "y", "outcome.yes"), choice(SELLS, "n", "outcome.no")
        return Notice(text, (yes, no), rows=(2,), params={"title": checkin.session_title})
    if step is Step.MARKETS:
        chosen = ", ".join(
            catalog.text(language, f"option.marketplaces.{m}") for m in checkin.marketplaces
        )
        text = t("ask_markets", chosen=chosen or "-")
        markets = tuple(
            choice(MARKET, m, f"option.marketplaces.{m}")
            for m in MARKETS
            if m not in checkin.marketplaces
        )
        return Notice(text, (*markets, choice(MARKET, DONE, "outcome.markets_done")))
    if step is Step.ORDERS:
        buttons = tuple(
            choice(ORDER, ORDER_IDS[o], f"outcome.orders.{ORDER_IDS[o]}") for o in ORDERS
        )
        return Notice(t("ask_orders"), buttons, rows=(2, 2))
    if step is Step.OBSTACLE:
        return Notice(t("ask_obstacle"), (choice(SKIP, "-", "outcome.skip"),))
    return Notice(t("thanks"))


class OutcomeService:
    """Plan the check-ins and take their answers."""

    def __init__(
        self,
        db: UnitOfWork,
        store: OutcomeStore,
        outbox: OutboxWriter,
        dialogs: DialogService,
        tz: ZoneInfo,
        now: Clock,
        *,
        desk: TicketDesk | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self._db, self._store, self._outbox = db, store, outbox
        self._dialogs, self._tz, self._now = dialogs, tz, now
        self._desk, self._catalog = desk, catalog

    async def attended(
        self,
        tx: Transaction,
        booking_id: int,
        user_id: int,
        session: TrainingSession,
        now: datetime,
    ) -> None:
        """Plan the 1-, 3- and 6-month check-ins of an attendee."""
        for month, days in MONTHS.items():
            due = max(clamp_quiet(session.ends_at + timedelta(days=days), self._tz), now)
            row = await self._store.add(tx, booking_id, user_id, month, due)
            if row is not None:
                await self._outbox.enqueue(
                    tx, user_id, KIND, {"checkin": row}, due, now, 7, outcome_ref(booking_id)
                )

    async def unattended(self, tx: Transaction, booking_id: int) -> None:
        """Withdraw the check-ins of an attendance taken back."""
        await self._outbox.cancel_ref(tx, outcome_ref(booking_id))

    async def to_send(self, row_id: int) -> Checkin | None:
        """The check-in to send now; None once answered."""
        checkin = await self._store.get(row_id)
        return checkin if checkin is not None and checkin.sells_online is None else None

    async def answer(
        self, user_id: int, row_id: int, kind: str, value: str
    ) -> tuple[Checkin, Step]:
        """Take one button; return the check-in as it is now and the next question."""
        checkin = await self._store.get(row_id)
        if checkin is None or checkin.user_id != user_id or checkin.orders is not None:
            if kind == SKIP and checkin is not None and checkin.user_id == user_id:
                await self._dialogs.end(user_id)
                return checkin, Step.THANKS
            raise StaleAction(row_id)
        sells, markets, orders = checkin.sells_online, checkin.marketplaces, None
        if kind == SELLS and value in ("y", "n") and sells is None:
            sells = value == "y"
            step = Step.MARKETS if sells else Step.OBSTACLE
            orders = None if sells else "0"
        elif kind == MARKET and sells and (value in MARKETS or (value == DONE and markets)):
            step = Step.ORDERS if value == DONE else Step.MARKETS
            markets = markets if value == DONE or value in markets else (*markets, value)
        elif kind == ORDER and sells is not None and value in ORDER_IDS.values():
            orders = next(o for o, short in ORDER_IDS.items() if short == value)
            step = Step.OBSTACLE
        else:
            raise StaleAction(row_id)
        async with self._db.transaction() as tx:
            await self._store.save(tx, row_id, sells, markets, orders, self._now())
        if step is Step.OBSTACLE:
            await self._dialogs.move(user_id, FLOW, OBSTACLE_STEP, {"checkin": row_id})
        updated = await self._store.get(row_id)
        assert updated is not None
        return updated, step

    async def awaited_obstacle(self, user_id: int) -> Checkin | None:
        """The check-in whose free-text answer the owner's dialog waits for."""
        dialog = await self._dialogs.current(user_id)
        if dialog is None or dialog.flow != FLOW or dialog.step != OBSTACLE_STEP:
            return None
        return await self._store.get(int(dialog.data["checkin"]))

    async def obstacle_step(
        self,
        user_id: int,
        received: Received,
        text: str | None,
        *,
        channel: str,
        language: str,
    ) -> WrittenReply | None:
        """Answer what the owner sent at the obstacle question, once for every channel: kept
        (thanks, with who reads it and by when); refused (a photo, a location, blank text,
        only emoji, too long: why, then the question again, which stays open); or the
        question is closed meanwhile. None: nothing is awaited and nothing was typed."""
        assert self._catalog is not None, "the check-in's answers need the catalog"
        catalog = self._catalog
        typed = (text or "").strip() if received is Received.TEXT else ""
        if not typed:
            checkin = await self.awaited_obstacle(user_id)
            if checkin is None:
                return None
            lead = catalog.text(language, refusal(received, Expects.TEXT))
            return WrittenReply(obstacle_again(catalog, language, checkin, lead), asks=True)
        try:
            promise = await self.received_obstacle(
                user_id, typed, channel=channel, language=language
            )
        except StaleAction:
            return WrittenReply(Notice(catalog.text(language, CLOSED)), asks=False)
        except InvalidInput as refused:
            checkin = await self.awaited_obstacle(user_id)
            if checkin is None:
                return WrittenReply(Notice(catalog.text(language, CLOSED)), asks=False)
            lead = catalog.text(language, refused.key, **refused.params)
            return WrittenReply(obstacle_again(catalog, language, checkin, lead), asks=True)
        return WrittenReply(obstacle_saved(catalog, language, promise), asks=False)

    async def received_obstacle(
        self, user_id: int, text: str, *, channel: str = "telegram", language: str = "id"
    ) -> str | None:
        """Keep what stops the owner, in their words, and end the check-in; pass it to the
        question desk about the session. Return the desk's promise to the owner, if any."""
        checkin = await self.awaited_obstacle(user_id)
        if checkin is None or checkin.user_id != user_id:
            await self._dialogs.end(user_id)
            raise StaleAction(user_id)
        obstacle = clean_text(text, max_length=OBSTACLE_MAX)
        draft = None
        if self._desk is not None and self._catalog is not None:
            label = self._catalog.text(language, "practice_desk.obstacle", month=checkin.month)
            question = f"{label} «{checkin.session_title}»:\n{obstacle}"
            draft = await self._desk.draft_about(user_id, checkin.session_id, question, channel)
        async with self._db.transaction() as tx:  # the answer and its ticket, or neither
            await self._store.save_obstacle(tx, checkin.id, obstacle)
            ticket = await self._desk.open_in(tx, draft) if self._desk and draft else None
        await self._dialogs.end(user_id)  # kept and handed: a failure above lets her send again
        if self._desk is None or ticket is None:
            return None
        return promise_text(await self._desk.promised(user_id, ticket, language))

    async def of_user(self, user_id: int) -> list[Checkin]:
        """The owner's check-ins (for /datasaya)."""
        return await self._store.of_user(user_id)
