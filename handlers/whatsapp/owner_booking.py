"""Owners' sessions and bookings on WhatsApp: "jadwal", one-tap booking, "bookingsaya".

The rules are :class:`~bot.services.booking.BookingService`'s, as on Telegram, with the same
choice ids (``bk:v1:book:<session>``, ``bk:v1:cancel:<booking>``, ...) and texts. Nothing
can be edited on WhatsApp, so each step is one new message: a card with its buttons, the
question "really cancel?", the list of sessions to move to. Every tap is checked again by
the service; an old, repeated or forged one is answered and changes nothing (:func:`refuse`).

The reply about a change (the confirmation with its calendar file, "cancelled") is the
outbox row the service committed with the change. :func:`tell` sends it at once through the
delivery's send-now path given to :func:`use_sender` (the assembly's delivery runner);
without one, the delivery workers send it when it falls due.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.core import choices as ids
from bot.core.errors import BookingRefused, NotRegistered, Refusal, StaleAction
from bot.core.markup import plain
from bot.core.models import TrainingSession
from bot.core.notices import Choice, Notice
from bot.formatting import format_clock, format_datetime
from bot.i18n import Catalog, Html
from bot.services import signup
from bot.services.booking import BookingView
from bot.services.session_texts import place, seats, when
from handlers.whatsapp import screens
from handlers.whatsapp.markup import shorten
from handlers.whatsapp.owner_signup import step_for
from handlers.whatsapp.router import Audience, MenuItem, Router, Turn

SESSION_LINK_PREFIX = "sesi-"  # a sign-up started from a session remembers it, as on Telegram
MAX_LISTED = 10  # a WhatsApp list holds ten rows
MAX_CARDS = 3  # up to this many sessions come as cards; more as one list
ROW_TITLE = 24
ITEMS = (
    MenuItem("jadwal", "wab.menu.jadwal", "wab.menu.jadwal_about", 20),
    MenuItem(
        "bookingsaya", "wab.menu.bookingsaya", "wab.menu.bookingsaya_about", 30, Audience.OWNERS
    ),
)


class ReplySender(Protocol):
    """The delivery's send-now path (``bot.app.delivery.DeliveryRunner`` is one)."""

    async def send_now(self, message_id: int) -> None:
        """Send one promised reply now, unless a worker took it already."""
        ...


_SENDERS: WeakKeyDictionary[Router, ReplySender] = WeakKeyDictionary()


def use_sender(router: Router, sender: ReplySender) -> None:
    """Send the replies owed by ``router``'s handlers through ``sender`` as they commit."""
    _SENDERS[router] = sender


async def tell(turn: Turn, message_id: int | None) -> None:
    """Send the reply about the change just committed (the outbox sends it if this cannot)."""
    sender = _SENDERS.get(turn.router)
    if message_id is not None and sender is not None:
        await sender.send_now(message_id)


async def refuse(
    turn: Turn, error: StaleAction | Refusal, stale_key: str = "booking.stale"
) -> None:
    """Say why a tap changed nothing (a double tap: that it was taken), then the open question."""
    turn.was_stale = True
    if turn.router.repeated(turn):
        await turn.say("wa.stale.repeat")
        return
    if isinstance(error, Refusal):
        await turn.say(error.key, **error.params)
    else:
        await turn.say(stale_key)
    await turn.resume()


async def trainer_names(turn: Turn, sessions: Sequence[TrainingSession]) -> dict[int, str]:
    """The display names of the sessions' trainers."""
    return await turn.services.users.display_names(
        [s.trainer_id for s in sessions if s.trainer_id]
    )


@dataclass(frozen=True)
class Views:
    """Pure builders of the session and booking messages in one reader's language."""

    catalog: Catalog
    language: str
    tz: ZoneInfo

    @classmethod
    def of(cls, turn: Turn) -> Views:
        """The builders for the person of ``turn``."""
        return cls(turn.services.catalog, turn.language, turn.services.settings.timezone)

    def t(self, key: str, /, **params: object) -> str:
        """Catalog text in the reader's language."""
        return self.catalog.text(self.language, key, **params)

    def _choice(self, key: str, *parts: str, kind: str = ids.BOOKING) -> Choice:
        return Choice(ids.pack(kind, *parts), self.t(key))

    def card(self, session: TrainingSession, trainers: Mapping[int, str]) -> str:
        """A session as owners see it (the Telegram card's text)."""
        trainer = trainers.get(session.trainer_id or 0) or self.t("session.no_trainer")
        return self.t(
            "session.card",
            title=session.title,
            when=when(session, self.tz, self.language),
            place=Html(place(self.catalog, self.language, session)),
            trainer=trainer,
            seats=Html(seats(self.catalog, self.language, session)),
        )

    def session(
        self,
        session: TrainingSession,
        trainers: Mapping[int, str],
        bookable: bool,
        *,
        lead: str | None = None,
        from_list: bool = False,
    ) -> Notice:
        """The session's card with its book (or waitlist) button while it can be booked."""
        choices: list[Choice] = []
        if bookable:
            full = session.seats_left < 1
            key, action = (
                ("wab.button.join_waitlist", "wait") if full else ("booking.book", "book")
            )
            choices.append(self._choice(key, action, str(session.id)))
        if from_list:
            choices.append(self._choice("booking.back_to_list", "list", "0"))
        return screens.with_lead(lead, Notice(self.card(session, trainers), tuple(choices)))

    def row(self, session: TrainingSession, choice_id: str) -> Choice:
        """A list row: "Sab 12/12 09.00 · Foto…", the full title and place below it."""
        start = session.starts_at.astimezone(self.tz)
        day = format_date(start, "EEE dd/MM", locale=self.language)
        title = shorten(
            f"{day} {format_clock(start, self.tz, self.language)} · {session.title}", ROW_TITLE
        )
        about = f"{session.title} · {plain(place(self.catalog, self.language, session))}"
        return Choice(choice_id, title, about)

    def schedule(self, sessions: Sequence[TrainingSession]) -> Notice:
        """Every bookable session in one message, a list row to open each one's card."""
        lines = [
            self.t(
                "booking.list_line",
                number=number,
                title=s.title,
                when=when(s, self.tz, self.language),
                seats=Html(seats(self.catalog, self.language, s)),
            )
            for number, s in enumerate(sessions, start=1)
        ]
        rows = tuple(self.row(s, ids.pack(ids.BOOKING, "show", str(s.id))) for s in sessions)
        return Notice("\n\n".join([self.t("wab.schedule.many"), *lines]), rows)

    def booking(self, view: BookingView, trainers: Mapping[int, str]) -> Notice:
        """An owner's seat, waitlist place or offer as it is now, with what they can do."""
        card, booking, ident = (
            Html(self.card(view.session, trainers)),
            view.booking,
            str(view.booking.id),
        )
        if booking.status == "offered":
            expires = booking.offer_expires_at or view.session.starts_at
            until = format_datetime(expires, self.tz, self.language)
            return Notice(
                self.t("booking.mine_offered", until=until, card=card), self.offer(ident)
            )
        if booking.status == "waitlisted":
            text = self.t("booking.mine_waitlisted", rank=view.rank or 0, card=card)
            return Notice(text, (self._choice("wab.button.leave_waitlist", "cancelask", ident),))
        if booking.status == "confirmed" and booking.attended_at is not None:
            return Notice(self.t("booking.mine_attended", card=card))
        if booking.status == "confirmed":
            return Notice(
                self.t("booking.mine_confirmed", card=card),
                (
                    self._choice("wab.button.move", "movelist", ident),
                    self._choice("booking.cancel", "cancelask", ident),
                ),
            )
        return Notice(self.t("booking.mine_ended", card=card))

    def offer(self, ident: str) -> tuple[Choice, ...]:
        """ "Take the seat" / "No, thanks" for a waitlist offer."""
        return (
            self._choice("booking.take", "take", ident, kind=ids.OFFER),
            self._choice("booking.skip", "skip", ident, kind=ids.OFFER),
        )

    def cancel_question(self, view: BookingView, trainers: Mapping[int, str]) -> Notice:
        """The booking's card with "Really cancel?" and yes / no."""
        ident, session = str(view.booking.id), view.session
        text = self.t(
            "booking.cancel_ask",
            card=Html(self.card(session, trainers)),
            title=session.title,
            when=when(session, self.tz, self.language),
        )
        yes = self._choice("booking.cancel_yes", "cancel", ident)
        return Notice(text, (yes, self._choice("booking.cancel_no", "keep", ident)))

    def move_targets(self, booking_id: int, targets: Sequence[TrainingSession]) -> Notice:
        """The sessions with a free seat the booking can move to, one list row each."""
        rows = tuple(
            self.row(s, ids.pack(ids.BOOKING, "move", str(booking_id), str(s.id))) for s in targets
        )
        return Notice(self.t("booking.move_choose"), rows)


async def show_session(
    turn: Turn, session: TrainingSession, *, lead: str | None = None, from_list: bool = False
) -> None:
    """Send one session's card with its booking button (under ``lead``)."""
    now = turn.services.now()
    bookable = session.status == "open" and session.cutoff_at > now
    trainers = await trainer_names(turn, [session])
    notice = Views.of(turn).session(session, trainers, bookable, lead=lead, from_list=from_list)
    await turn.send(notice)


async def list_sessions(turn: Turn) -> None:
    """Show the bookable sessions: up to three cards with their button, more as one list."""
    sessions = (await turn.services.sessions.bookable())[:MAX_LISTED]
    if not sessions:
        await turn.say("booking.none_open")
        return
    if len(sessions) > MAX_CARDS:
        await turn.send(Views.of(turn).schedule(sessions))
        return
    for index, session in enumerate(sessions):
        await show_session(
            turn, session, lead=turn.t("booking.list_intro") if index == 0 else None
        )


async def open_session_link(turn: Turn, code: str) -> None:
    """Show the session behind a session code (a poster's link, or after sign-up)."""
    session = await turn.services.sessions.by_code(code)
    if session is None or session.status == "cancelled":
        await turn.say("booking.session_gone")
        return
    await show_session(turn, session)


async def my_bookings(turn: Turn) -> None:
    """Show the owner's bookings, offers and waitlist places, one message each."""
    views = await turn.services.booking.current(turn.user_id)
    if not views:
        await turn.say("booking.mine_none")
        return
    trainers = await trainer_names(turn, [v.session for v in views])
    for view in views:
        await turn.send(Views.of(turn).booking(view, trainers))


async def tapped_booking(turn: Turn) -> None:
    """Book, wait, open a session, ask to cancel, cancel, keep, list move targets, or move."""
    parts = ids.parse(turn.choice_id, ids.BOOKING, 2) or ids.parse(turn.choice_id, ids.BOOKING, 3)
    numbers = [int(p) for p in parts[1:]] if parts and all(p.isdigit() for p in parts[1:]) else []
    step = _STEPS.get((parts[0], len(numbers))) if parts and numbers else None
    if step is None or (parts is not None and parts[0] == "list" and numbers != [0]):
        await turn.stale()  # no button of ours has this shape
        return
    try:
        await step(turn, *numbers)
    except (StaleAction, Refusal) as error:
        await refuse(turn, error)


async def _book(turn: Turn, session_id: int) -> None:
    await _take(turn, session_id, waitlist=False)


async def _wait(turn: Turn, session_id: int) -> None:
    await _take(turn, session_id, waitlist=True)


async def _take(turn: Turn, session_id: int, *, waitlist: bool) -> None:
    """A seat, or a waitlist place; a seat gone since the card was sent: the card again."""
    services = turn.services
    try:
        view = await services.booking.book(turn.user_id, session_id, waitlist=waitlist)
    except NotRegistered:
        await _sign_up_first(turn, session_id)
        return
    except BookingRefused as refusal:
        session = await services.sessions.get(session_id)
        if refusal.key != "booking.just_filled" or session is None:
            raise
        await show_session(turn, session, lead=turn.t(refusal.key))  # now with "waitlist"
        return
    await tell(turn, view.notice)


async def _sign_up_first(turn: Turn, session_id: int) -> None:
    """Start sign-up, remembering the session, with its first question."""
    services = turn.services
    session = await services.sessions.get(session_id)
    if session is None:
        await turn.stale()  # a session that never was: nothing to sign up for
        return
    dialog = await services.signup.begin(turn.user_id, SESSION_LINK_PREFIX + session.code)
    lead = turn.t("booking.sign_up_first")
    turn.prompted = True
    if dialog is None or dialog.step == signup.CONSENT:
        await turn.send(screens.consent_notice(services.catalog, turn.language, lead))
    else:
        await turn.send(screens.with_lead(lead, step_for(turn, dialog)))


async def _show(turn: Turn, session_id: int) -> None:
    """Open one session's card from the list."""
    session = await turn.services.sessions.get(session_id)
    if session is None or session.status == "cancelled":
        raise StaleAction(session_id)
    await show_session(turn, session, from_list=True)


async def _list(turn: Turn, _: int) -> None:
    """The list of sessions again, from a card opened from it."""
    sessions = (await turn.services.sessions.bookable())[:MAX_LISTED]
    if not sessions:
        raise StaleAction("list")
    await turn.send(Views.of(turn).schedule(sessions))


async def _cancel_ask(turn: Turn, booking_id: int) -> None:
    """Ask "really cancel?" about the owner's booking."""
    view = await turn.services.booking.changeable(turn.user_id, booking_id)
    trainers = await trainer_names(turn, [view.session])
    await turn.send(Views.of(turn).cancel_question(view, trainers))


async def _cancel(turn: Turn, booking_id: int) -> None:
    """Cancel the booking; the reply owed confirms it."""
    view = await turn.services.booking.cancel(turn.user_id, booking_id)
    await tell(turn, view.notice)


async def _keep(turn: Turn, booking_id: int) -> None:
    """Keep the booking after all (if it is still the owner's)."""
    await turn.services.booking.changeable(turn.user_id, booking_id)
    await turn.say("booking.kept")


async def _move_list(turn: Turn, booking_id: int) -> None:
    """Offer the sessions with a free seat the booking can move to."""
    services = turn.services
    view = await services.booking.changeable(turn.user_id, booking_id)
    bookable = await services.sessions.bookable()
    targets = [s for s in bookable if s.id != view.session.id and s.seats_left > 0]
    if not targets:
        await turn.say("booking.move_none")
        return
    await turn.send(Views.of(turn).move_targets(booking_id, targets[:MAX_LISTED]))


async def _move(turn: Turn, booking_id: int, session_id: int) -> None:
    """Move the seat to another session; the reply owed confirms it."""
    moved = await turn.services.booking.move(turn.user_id, booking_id, session_id)
    await tell(turn, moved.notice)


Step = Callable[..., Awaitable[None]]
_STEPS: dict[tuple[str, int], Step] = {
    ("book", 1): _book,
    ("wait", 1): _wait,
    ("show", 1): _show,
    ("list", 1): _list,
    ("cancelask", 1): _cancel_ask,
    ("cancel", 1): _cancel,
    ("keep", 1): _keep,
    ("movelist", 1): _move_list,
    ("move", 2): _move,
}


def register(router: Router, sender: ReplySender | None = None) -> None:
    """Add "jadwal" and "bookingsaya", their menu rows and the booking buttons."""
    router.add_word("jadwal", ("schedule", "sessions", "sesi", "jadwal sesi"), list_sessions)
    router.add_word(
        "bookingsaya",
        ("booking saya", "my booking", "my bookings", "booking", "bookings"),
        my_bookings,
    )
    router.add_choice(ids.BOOKING, tapped_booking)
    for item in ITEMS:
        router.add_menu_item(item)
    if sender is not None:
        use_sender(router, sender)
