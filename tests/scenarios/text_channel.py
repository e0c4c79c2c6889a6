"""A third channel, used only in tests: plain text, numbered choices, no buttons, no edits.

It keeps the seam honest (issue 21, point 2): a channel should be an edge and nothing more,
so this one is written against the core alone. :class:`TextChannel` is a
:class:`~bot.core.ports.Channel` (a notice becomes text with its choices numbered under it);
:class:`TextEdge` is its inbound side: a number picks the choice of that number in the last
reply, a "/word" is a word, anything else is text. Each input is passed to the same services
and screens the Telegram and WhatsApp edges call (``SignupService`` and
``owner_screens.step_screen`` for sign-up, ``BookingService`` and ``session_screens`` for
booking); replies owed by a change go through the same ``DeliveryService.send_now`` path.

What the edge has to decide for itself is what the other two edges decide too (which
service method a choice id means, what follows a confirmed sign-up); scenarios whose journey
needs a decision that only lives in an edge are marked for this channel (see ``conftest``).
The home words (``owner_home``) and the book tap (``booking_steps.take_place``) are core steps;
so are the answers to an offer or a reminder (``BookingService``), the stars and comment
(``feedback``), the language picker (``owner_screens.language_picker``), the erase question
(``owner_home.erase_question``), a typed check-in (``attendance.typed_checkin``), tips and
the daily tip settings (``tip_steps.TipSteps``), announcements off/on, and a question to the
Dinas (the question desk's ``Reply``).

What the bot sends on its own (an offer, a reminder, the question after a session, a
staff answer, an announcement) is an outbox row: :meth:`TextEdge.deliver_due` sends this
edge's people's rows through the same send-now path, before the bot's own drain.

Limits of the seam, found while writing it: ``ChannelName`` is a closed enum and the
``identities`` table allows only Telegram and WhatsApp, so this channel's name is a stand-in
(:data:`TEXT`) and its people are known to this edge only, not to the assembled delivery.
The assembly's channels are a registry (``bot.app.channels``) this channel could join; who is
reached where stays the database's, and is kept closed to a channel that exists only here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from bot.app.container import Services
from bot.app.delivery import programme_builders
from bot.core import choices as ids
from bot.core.errors import InvalidInput, NotAllowed, Refusal, StaleAction
from bot.core.markup import plain
from bot.core.models import Dialog
from bot.core.notices import ChannelName, Notice, Recipient, SentRef
from bot.services import (
    feedback,
    owner_home,
    owner_screens,
    question_taps,
    session_screens,
)
from bot.services.attendance import typed_checkin
from bot.services.booking_steps import take_place
from bot.services.delivery import DeliveryService
from bot.services.dialogs import ask_again_after
from bot.services.my_bookings import bookings_screen
from bot.services.notice_answers import OFFER_STALE, THANKS, answer_offer, answer_reminder
from bot.services.profile_steps import ProfileSteps, Step
from bot.services.question_intent import BOOKINGS, TIPS
from bot.services.session_lists import SessionLists
from bot.services.tip_steps import TipSteps
from bot.services.unexpected import Received, stale_tap
from storage.database import to_db_time

TEXT = cast(ChannelName, "text")  # not a ChannelName: the core knows two channels only
# The text channel's people get ids of their own, far above what the allocator hands out in a
# test (it starts at 2**53 on a new database, migration 0015).
FIRST_TEXT_ID = 2**53 + 7_000_000


class _Gone(StaleAction):
    """The choice names no page, session or choice of ours (not a booking that moved on)."""


@dataclass(frozen=True)
class TextMessage:
    """One message as the text channel shows it: the lines, and what each number means."""

    text: str  # the visible text, choices as "1. Setuju" lines under it
    body: str  # the text without the numbered lines
    choices: tuple[tuple[int, str, str], ...]  # (number, title, choice id)
    file: tuple[str, bytes] | None = None
    reply: int = 0  # which reply (input answered) it belongs to; numbers count within one


@dataclass
class TextChannel:
    """Sends notices as plain text; choices are numbered across one reply."""

    name: ChannelName = TEXT
    inbox: dict[str, list[TextMessage]] = field(default_factory=dict)
    _numbered: dict[str, int] = field(default_factory=dict)  # the last number used per person
    _replies: dict[str, int] = field(default_factory=dict)

    def new_reply(self, external_id: str) -> None:
        """Start numbering choices from 1 again (a new input was received)."""
        self._numbered[external_id] = 0
        self._replies[external_id] = self._replies.get(external_id, 0) + 1

    def menu(self, external_id: str) -> dict[int, tuple[str, str]]:
        """The numbered choices of the newest reply that had any: number → (title, id)."""
        messages = self.inbox.get(external_id, [])
        newest = next((m.reply for m in reversed(messages) if m.choices), None)
        return {
            n: (title, choice_id)
            for m in messages
            if m.reply == newest
            for n, title, choice_id in m.choices
        }

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Render the notice as text with numbered choices and keep it for the person."""
        start = self._numbered.get(recipient.external_id, 0)
        choices = tuple(
            (start + n, c.title, c.id)
            for n, c in enumerate((c for c in notice.choices if c.url is None), start=1)
        )
        self._numbered[recipient.external_id] = start + len(choices)
        body = plain(notice.text).strip()
        lines = [body, *(f"{n}. {title}" for n, title, _ in choices)]
        file = None
        if notice.attachment is not None and notice.attachment.content is not None:
            file = (notice.attachment.name or notice.attachment.kind, notice.attachment.content)
        messages = self.inbox.setdefault(recipient.external_id, [])
        reply = self._replies.get(recipient.external_id, 0)
        messages.append(TextMessage("\n".join(lines), body, choices, file, reply))
        return SentRef(TEXT, f"text.{len(messages)}")


class _Identities:
    """Where this edge's people are reached: on the text channel, by their own id."""

    async def channels(self, user_id: int) -> dict[ChannelName, str]:
        return {TEXT: str(user_id)} if user_id >= FIRST_TEXT_ID else {}


class TextEdge:
    """The inbound side: a line of text in, the core called, the reply sent out as text."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.channel = TextChannel()
        self.delivery = DeliveryService(
            services.outbox,
            services.users,
            programme_builders(services),  # the notices every channel is sent
            {TEXT: self.channel},
            services.now,
            identities=_Identities(),  # type: ignore[arg-type]
        )

    async def deliver_due(self) -> int:
        """Send the due outbox rows of this edge's people (offers, reminders, questions after
        a session), through the same send-now path; the assembled delivery cannot reach them.
        Call it before the bot's own drain, which would skip them as unreachable."""
        rows = await self.services.db.fetch_all(
            "SELECT id, user_id FROM outbox WHERE status = 'pending' AND due_at <= ? "
            "AND user_id >= ? ORDER BY priority, due_at, id",
            (to_db_time(self.services.now()), FIRST_TEXT_ID),
        )
        for row in rows:
            self.channel.new_reply(str(row["user_id"]))  # the bot spoke first: new numbers
            await self.delivery.send_now(row["id"])
        return len(rows)

    async def receive(self, user_id: int, line: str) -> None:
        """Handle one line the person typed."""
        self.channel.new_reply(str(user_id))
        user = await self.services.users.seen(user_id, "id")
        self._language = user.language
        self._user_id = user_id
        line = line.strip()
        picked = self._picked(user_id, line)
        if picked is not None:
            await self._choice(picked)
        elif line.startswith("/"):
            await self._word(line[1:].lower())
        else:
            await self._text(line)

    # -- the three kinds of input -------------------------------------------------------

    def _picked(self, user_id: int, line: str) -> str | None:
        """The choice id a number means, in the newest reply that offered choices."""
        if not line.isdigit():
            return None
        found = self.channel.menu(str(user_id)).get(int(line))
        return found[1] if found else None

    async def _word(self, word: str) -> None:
        before = await self.services.dialogs.current(self._user_id)
        words = {
            "start": self._start,
            "daftar": self._start,
            "jadwal": self._schedule,
            "bookingsaya": self._my_bookings,
            "profil": self._profile,
            "bahasa": self._choose_language,
            "menu": self._help,
            "bantuan": self._help,
            "datasaya": self._my_data,
            "hapusdata": self._erase_data,
            "berhenti": self._announcements_off,
            "mulai": self._announcements_on,
            "tips": self._tip,
            "tipsharian": self._daily_tips,
        }
        prompted = await words.get(word, self._unknown_word)()
        after = await self.services.dialogs.current(self._user_id)
        again = ask_again_after(before, after)
        if again is not None and not prompted:
            await self._step(again)

    async def _text(self, text: str) -> None:
        dialog = await self.services.dialogs.current(self._user_id)
        code = typed_checkin(text)
        step_open = dialog is not None
        if code is not None and await self._check_in(code, step_open=step_open):  # any step
            after = await self.services.dialogs.current(self._user_id)
            again = ask_again_after(dialog, after)
            if again is not None:
                await self._step(again)
            return
        if dialog is not None and dialog.flow == feedback.FLOW:
            await self.services.feedback.received_comment(self._user_id, text)
            await self._say("feedback.saved")
            return
        try:
            step = await self._steps().typed(self._user_id, text)
        except InvalidInput as refusal:
            lead = self._t(refusal.key, **refusal.params)
            await self._show(await self._steps().asked_again(self._user_id, lead))
            return
        if step is None:
            await self._stray(text)
            return
        await self._show(step)

    async def _check_in(self, code: str, *, step_open: bool = False) -> bool:
        attendance = self.services.attendance
        answer = await attendance.checked_in(self._user_id, code, step_open=step_open)
        if answer is None:
            return False
        key, params = answer
        await self._say(key, **params)
        return True

    async def _stray(self, text: str) -> None:
        """What no step waits for, decided by bot.services.unprompted as on every channel: a
        question for the Dinas, a welcome into sign-up, a welcome back or a pointer, with the
        help under the last two."""
        services, language = self.services, self._language
        answer = await services.unprompted.answer(
            self._user_id, Received.TEXT, text, TEXT, language
        )
        if answer.reply is not None:
            if answer.reply.own == BOOKINGS:
                await self._my_bookings()
            elif answer.reply.own == TIPS:
                await self._daily_tips()
            for notice in answer.reply.notices:
                await self._send(notice)
        elif answer.greet:
            await self._start()
        elif answer.lead is not None:
            menu = owner_home.help_screen(
                services.catalog, language, answer.roles, registered=answer.registered
            )
            await self._send(Notice(f"{answer.lead}\n\n{menu.text}"))

    async def _choice(self, choice_id: str) -> None:
        kind = choice_id.split(":", 1)[0]
        handler = {
            ids.SIGNUP: TextEdge._signup_choice,
            ids.ANSWER: TextEdge._answer_choice,
            ids.BOOKING: TextEdge._booking_choice,
            ids.PROFILE: TextEdge._profile_choice,
            ids.OFFER: TextEdge._offer_choice,
            ids.REMINDER: TextEdge._reminder_choice,
            ids.FEEDBACK: TextEdge._feedback_choice,
            ids.LANGUAGE: TextEdge._language_choice,
            ids.ERASE: TextEdge._erase_choice,
            ids.TIPS: TextEdge._tips_choice,
            ids.QUESTION: TextEdge._question_choice,
        }.get(kind)
        try:
            if handler is None:
                raise _Gone(choice_id)
            await handler(self, choice_id)
        except StaleAction as stale:
            gone = isinstance(stale, _Gone)
            await self._say(stale_tap(booking_changed=not gone, question_follows=False))
        except Refusal as refusal:
            await self._say(refusal.key, **refusal.params)

    # -- words --------------------------------------------------------------------------

    async def _start(self) -> bool:
        dialog = await self.services.signup.begin(self._user_id)
        if dialog is None:
            owner = await self.services.profile.get(self._user_id)
            await self._say("welcome.back", name=owner.full_name if owner else "")
            return False
        await self._step(dialog)
        return True

    async def _schedule(self) -> bool:
        for notice in await self._lists().schedule():
            await self._send(notice)
        return False

    def _lists(self) -> SessionLists:
        services = self.services
        return SessionLists(
            services.sessions,
            services.booking,
            services.users,
            services.catalog,
            services.settings.timezone,
            services.now,
            self._language,
        )

    async def _my_bookings(self) -> bool:
        services = self.services
        mine = await services.booking.mine(self._user_id)
        trainers = await services.users.display_names(
            [v.session.trainer_id for v in mine.upcoming if v.session.trainer_id]
        )
        tz = services.settings.timezone
        for notice in bookings_screen(services.catalog, self._language, mine, tz, trainers):
            await self._send(notice)
        return False

    async def _profile(self) -> bool:
        await self._send(await self._steps().profile_screen(self._user_id))
        return False

    async def _choose_language(self) -> bool:
        await self._send(self._steps().language_picker())
        return False

    async def _help(self) -> bool:
        roles = await self.services.users.roles(self._user_id)
        registered = await self.services.profile.get(self._user_id) is not None
        catalog = self.services.catalog
        await self._send(
            owner_home.help_screen(catalog, self._language, roles, registered=registered)
        )
        return False

    async def _my_data(self) -> bool:
        services = self.services
        user = await services.users.get(self._user_id)
        assert user is not None
        export = await services.profile.export(user)
        tz = services.settings.timezone
        await self._send(owner_home.data_screen(services.catalog, self._language, export, tz))
        return False

    async def _erase_data(self) -> bool:
        await self._send(owner_home.erase_question(self.services.catalog, self._language))
        return False

    async def _announcements_off(self) -> bool:
        await self.services.broadcasts.set_announcements(self._user_id, on=False)
        await self._say("announcements.off")
        return False

    async def _announcements_on(self) -> bool:
        if await self.services.unprompted.newcomer(self._user_id):
            return await self._start()
        await self.services.broadcasts.set_announcements(self._user_id, on=True)
        await self._say("announcements.on")
        return False

    async def _tip(self) -> bool:
        """A tip chosen for the owner."""
        await self._send(await self._tip_steps().asked(self._user_id))
        return False

    async def _daily_tips(self) -> bool:
        """The daily tip settings: a time, pause, resume."""
        await self._send(await self._tip_steps().daily(self._user_id))
        return False

    def _tip_steps(self) -> TipSteps:
        services = self.services
        return TipSteps(
            services.tips, services.catalog, services.settings.timezone, self._language
        )

    async def _unknown_word(self) -> bool:
        """A word whose answer is decided only in the other edges: this edge has none."""
        return False

    # -- sign-up, profile, language --------------------------------------------------------

    def _steps(self) -> ProfileSteps:
        services = self.services
        return ProfileSteps(
            services.signup,
            services.profile,
            services.dialogs,
            services.users,
            services.sessions,
            services.catalog,
            services.settings.timezone,
            self._language,
        )

    async def _signup_choice(self, choice_id: str) -> None:
        await self._show(await self._steps().tapped_signup(self._user_id, choice_id))

    async def _answer_choice(self, choice_id: str) -> None:
        await self._show(await self._steps().tapped_answer(self._user_id, choice_id))

    async def _profile_choice(self, choice_id: str) -> None:
        await self._show(await self._steps().tapped_profile(self._user_id, choice_id))

    async def _language_choice(self, choice_id: str) -> None:
        step = await self._steps().tapped_language(self._user_id, choice_id)
        self._language = step.switched or self._language
        await self._show(step)

    async def _show(self, step: Step) -> None:
        """What a sign-up, profile or language step shows, then the session it names."""
        await self._send(step.screen)
        if step.session is not None:
            await self._card(step.session.id)

    async def _step(self, dialog: Dialog, lead: str | None = None) -> None:
        catalog = self.services.catalog
        booking_id = feedback.awaited_comment(dialog)
        if booking_id is not None:
            notice = feedback.comment_question(catalog, self._language, booking_id)
        else:
            notice = self._steps().question(dialog)
        await self._send(owner_screens.with_lead(lead, notice))

    # -- booking ------------------------------------------------------------------------

    async def _booking_choice(self, choice_id: str) -> None:
        parts = ids.parse(choice_id, ids.BOOKING, 2) or ids.parse(choice_id, ids.BOOKING, 3)
        if parts is None or not all(p.isdigit() for p in parts[1:]):
            raise _Gone(choice_id)
        action, numbers = parts[0], [int(p) for p in parts[1:]]
        if len(numbers) == 2:
            await self._moving(choice_id, action, *numbers)
            return
        number = numbers[0]
        booking, user_id = self.services.booking, self._user_id
        if action in ("book", "wait"):
            services = self.services
            taken = await take_place(
                booking,
                services.sessions,
                services.signup,
                user_id,
                number,
                waitlist=action == "wait",
            )
            lead = self._t(taken.lead) if taken.lead else None
            if taken.unknown:
                raise _Gone(choice_id)
            if taken.view is not None:
                await self._tell(taken.view.notice)
            elif taken.dialog is not None:
                await self._step(taken.dialog, lead)
            elif taken.session is not None:
                await self._card(taken.session.id, lead)
        elif action == "cancelask":
            view = await booking.changeable(user_id, number)
            notice = session_screens.cancel_question(
                self.services.catalog, self._language, view, self.services.settings.timezone, {}
            )
            await self._send(notice)
        elif action == "cancel":
            await self._tell((await booking.cancel(user_id, number)).notice)
        elif action == "keep":
            await booking.kept(user_id, number)
            await self._say("booking.kept")
        elif action == "show":
            await self._listed(choice_id, await self._lists().opened(number))
        elif action == "list":
            await self._listed(choice_id, await self._lists().schedule_page(number))
        elif action == "movelist":
            await self._listed(choice_id, await self._lists().move_choices(user_id, number))
        else:
            raise _Gone(choice_id)

    async def _moving(self, choice_id: str, action: str, booking_id: int, number: int) -> None:
        user_id = self._user_id
        if action == "movepage":
            page = await self._lists().move_choices(user_id, booking_id, number)
            await self._listed(choice_id, page)
        elif action == "move":
            moved = await self.services.booking.move(user_id, booking_id, number)
            await self._tell(moved.notice)
        else:
            raise _Gone(choice_id)

    async def _listed(self, choice_id: str, notice: Notice | None) -> None:
        if notice is None:
            raise _Gone(choice_id)
        await self._send(notice)

    async def _offer_choice(self, choice_id: str) -> None:
        """Take or pass on a seat offered from the waitlist (the service reads the choice)."""
        try:
            view = await answer_offer(self.services.booking, self._user_id, choice_id)
        except StaleAction:
            await self._say(OFFER_STALE)
            return
        await self._tell(view.notice)

    async def _reminder_choice(self, choice_id: str) -> None:
        """ "I'll be there" is noted; "I can't come" asks to confirm the cancellation."""
        answer = await answer_reminder(self.services.booking, self._user_id, choice_id)
        if answer.attending:
            await self._say(THANKS)
            return
        notice = session_screens.cancel_question(
            self.services.catalog, self._language, answer.view, self.services.settings.timezone, {}
        )
        await self._send(notice)

    async def _feedback_choice(self, choice_id: str) -> None:
        """Stars for the session (then the comment is asked for), or the comment skipped."""
        parts = ids.parse(choice_id, ids.FEEDBACK, 2)
        if parts is None or not parts[0].isdigit():
            raise StaleAction(choice_id)
        booking_id, answer = int(parts[0]), parts[1]
        service = self.services.feedback
        if answer == feedback.SKIP:
            await service.skip_comment(self._user_id, booking_id)
            await self._say("feedback.skipped")
        elif answer.isdigit():
            await service.rated(self._user_id, booking_id, int(answer))
            catalog, stars = self.services.catalog, int(answer)
            await self._send(feedback.comment_question(catalog, self._language, booking_id, stars))
        else:
            raise StaleAction(choice_id)

    async def _tips_choice(self, choice_id: str) -> None:
        """Every tips choice: the steps are TipSteps', as on the other channels."""
        try:
            answer = await self._tip_steps().tapped(self._user_id, choice_id)
        except (NotAllowed, InvalidInput):
            raise StaleAction(choice_id) from None
        await self._send(answer.notice)

    async def _question_choice(self, choice_id: str) -> None:
        """ "Answered", "ask a person" or an offered entry (the desk decides what follows)."""
        desk, user_id, language = self.services.questions, self._user_id, self._language
        taken = await question_taps.tapped(desk, user_id, choice_id, language)
        if taken.reply is None:
            await self._say(question_taps.THANKS)
            return
        for notice in taken.reply.notices:
            await self._send(notice)

    async def _erase_choice(self, choice_id: str) -> None:
        parts = ids.parse(choice_id, ids.ERASE, 1)
        if parts not in (["yes"], ["no"]):
            raise StaleAction(choice_id)
        if parts == ["no"]:
            await self._say("data.erase_kept")
            return
        await self._say("data.erased")  # in her language, before it is erased too
        await self.services.profile.erase(self._user_id)

    async def _card(self, session_id: int, lead: str | None = None) -> None:
        services = self.services
        session = await services.sessions.get(session_id)
        if session is None:
            raise StaleAction(session_id)
        notice = session_screens.session_screen(
            services.catalog,
            self._language,
            session,
            services.settings.timezone,
            {},
            now=services.now(),
        )
        await self._send(owner_screens.with_lead(lead, notice))

    async def _tell(self, notice_id: int | None) -> None:
        """Send the reply the change owes, through the delivery's send-now path."""
        if notice_id is not None:
            await self.delivery.send_now(notice_id)

    # -- out ------------------------------------------------------------------------------

    def _t(self, key: str, **params: object) -> str:
        return self.services.catalog.text(self._language, key, **params)

    async def _say(self, key: str, **params: object) -> None:
        await self._send(Notice(self._t(key, **params)))

    async def _send(self, notice: Notice) -> None:
        recipient = Recipient(self._user_id, TEXT, str(self._user_id), self._language)
        await self.channel.send(recipient, notice, bulk=False)
        for follow_up in notice.follow_ups:
            await self.channel.send(recipient, follow_up, bulk=False)
