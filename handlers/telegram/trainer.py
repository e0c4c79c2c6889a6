"""Trainers: /kelas with attendance (tick list, check-in QR) and lesson follow-ups; the
check-in deep link; attendees' feedback question and answers."""

from __future__ import annotations

import io
from urllib.parse import quote

import segno
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import BookingRefused, NotAllowed, StaleAction
from bot.core.models import Dialog, Role, RosterLine, TrainingSession
from bot.i18n import Html
from bot.services import feedback
from bot.services.first_contact import CHECK_IN_PREFIX
from handlers.telegram import broadcasts, views
from handlers.telegram import callbacks as cb
from handlers.telegram import session_views as sv
from handlers.telegram.auth import refuse, requires
from handlers.telegram.common import clear_buttons, received, stale
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.dialogs import RESUMES, TEXT_FLOWS
from handlers.telegram.staff_views import session_list

CHECKIN_LINK_PREFIX = CHECK_IN_PREFIX  # decided with the other start links
MARK_PRESENT, MARK_ABSENT = "1", "0"  # what a tick-list button sets: at:v1:<booking id>:<1|0>
FEEDBACK_FLOW = feedback.FLOW
SKIP = feedback.SKIP  # fb:v1:<booking id>:<1-5 stars | skip>


def _class_keyboard(context: DodolanContext, session: TrainingSession) -> InlineKeyboardMarkup:
    sid = str(session.id)

    def button(key: str, *parts: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(context.t(key), callback_data=cb.pack(cb.CLASS, *parts))

    return InlineKeyboardMarkup(
        [
            [button("kelas.roster", "roster", sid), button("kelas.qr", "qr", sid)],
            [button("kelas.followup_attended", "fu", sid, "attended")],
            [button("kelas.followup_all", "fu", sid, "booked")],
        ]
    )


@requires(Role.TRAINER)
async def my_classes(update: Update, context: DodolanContext) -> None:
    """List the trainer's sessions with attendance and what they can do."""
    assert update.effective_user is not None and update.effective_chat is not None
    services, chat_id = context.services, update.effective_chat.id
    sessions = await services.attendance.classes(context.me)
    if not sessions:
        await context.bot.send_message(chat_id, context.t("kelas.none"))
        return
    if len(sessions) == 1:  # nothing to choose between: the card itself
        await _send_class(context, context.me, sessions[0])
        return
    text, markup = _class_listing(context, sessions, 0)
    await context.bot.send_message(chat_id, text, reply_markup=markup)


def _class_listing(
    context: DodolanContext, sessions: list[TrainingSession], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the trainer's classes, under its intro."""
    services = context.services
    listed, markup = session_list(
        services.catalog, context.language, services.settings.timezone, sessions, cb.CLASS, page
    )
    return f"{context.t('kelas.list', count=len(sessions))}\n\n{listed}", markup


async def _send_class(context: DodolanContext, trainer_id: int, session: TrainingSession) -> None:
    """Send one class card: the session, its attendance, and the trainer's buttons."""
    services = context.services
    names = {trainer_id: context.t("session.trainer_you")}  # not their own name
    count = await services.attendance.headcount(trainer_id, session.id)
    card = sv.session_card(
        services.catalog, context.language, session, services.settings.timezone, names
    )
    text = context.t("kelas.card", card=Html(card), attended=count.attended, booked=count.booked)
    await context.bot.send_message(
        context.chat, text, reply_markup=_class_keyboard(context, session)
    )


def roster_keyboard(lines: list[RosterLine]) -> InlineKeyboardMarkup:
    """One button per participant: ✅ attended, ⬜ not yet; each carries the state it sets."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{'✅' if line.attended else '⬜'} {line.name[:30]} · {line.business[:20]}",
                    callback_data=cb.pack(
                        cb.ATTENDANCE,
                        str(line.booking_id),
                        MARK_ABSENT if line.attended else MARK_PRESENT,
                    ),
                )
            ]
            for line in lines
        ]
    )


async def tapped_class(update: Update, context: DodolanContext) -> None:
    """Roster, QR code, or a follow-up for one of the trainer's sessions."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.CLASS, 2) or cb.parse(query.data, cb.CLASS, 3)
    try:
        if parts is None or not parts[1].isdigit():
            raise StaleAction(query.data)
        session_id = int(parts[1])
        match parts:
            case ["page", _]:  # parts[1] is the page; the trainer role is checked again
                mine = await context.services.attendance.classes(context.me)
                text, markup = _class_listing(context, mine, session_id)
                await query.answer()
                await query.edit_message_text(text, reply_markup=markup)
            case ["show", _]:  # only a class still assigned to this trainer opens
                mine = await context.services.attendance.classes(context.me)
                session = next((s for s in mine if s.id == session_id), None)
                if session is None:
                    raise StaleAction(query.data)
                await query.answer()
                await _send_class(context, context.me, session)
            case ["roster", _]:
                session, lines = await context.services.attendance.roster(context.me, session_id)
                await query.answer()
                if not lines:
                    await context.bot.send_message(context.chat, context.t("kelas.roster_empty"))
                    return
                text = context.t("kelas.roster_title", title=session.title)
                await context.bot.send_message(
                    context.chat, text, reply_markup=roster_keyboard(lines)
                )
            case ["qr", _]:
                session, code = await context.services.attendance.checkin_code(
                    context.me, session_id
                )
                await query.answer()
                await _send_qr(context, context.chat, session, code)
            case ["fu", _, base] if base in ("attended", "booked"):
                await broadcasts.start_followup(context, context.me, session_id, base)
                await query.answer()
            case _:
                raise StaleAction(query.data)
    except StaleAction:
        await _tell_trainer(update, context, "kelas.stale")
    except NotAllowed:
        await refuse(update, context)
    except BookingRefused as refusal:
        await _tell_trainer(update, context, refusal.key, **refusal.params)


async def _tell_trainer(
    update: Update, context: DodolanContext, key: str, **params: object
) -> None:
    """Answer a tap that changed nothing with a message (it says what to do, so it stays)."""
    assert update.callback_query is not None and update.effective_user is not None
    await update.callback_query.answer()
    await context.bot.send_message(context.chat, context.t(key, **params))


async def _send_qr(
    context: DodolanContext, chat_id: int, session: TrainingSession, code: str
) -> None:
    """The check-in QR for Telegram owners and, with WhatsApp set up, one for WhatsApp's."""
    link = f"https://t.me/{context.bot.username}?start={CHECKIN_LINK_PREFIX}{code}"
    await _send_code(context, chat_id, link, "kelas.qr_caption", session.title)
    whatsapp = context.services.settings.whatsapp
    if whatsapp is not None and whatsapp.display_number:
        text = quote(f"HADIR-{code}")
        wa_link = f"https://wa.me/{whatsapp.display_number}?text={text}"
        await _send_code(context, chat_id, wa_link, "kelas.qr_caption_whatsapp", session.title)


async def _send_code(
    context: DodolanContext, chat_id: int, link: str, caption: str, title: str
) -> None:
    image = io.BytesIO()
    segno.make(link, error="m").save(image, kind="png", scale=8, border=2)
    await context.bot.send_photo(
        chat_id,
        InputFile(io.BytesIO(image.getvalue()), filename="qr-absen.png"),
        caption=context.t(caption, title=title, link=link),
    )


async def tapped_attendance(update: Update, context: DodolanContext) -> None:
    """Mark one participant as the button showed, then redraw the list from the database."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.ATTENDANCE, 2)
    try:
        if parts is None or not parts[0].isdigit() or parts[1] not in (MARK_PRESENT, MARK_ABSENT):
            raise StaleAction(query.data)
        present = parts[1] == MARK_PRESENT
        session, changed = await context.services.attendance.mark(
            context.me, int(parts[0]), attended=present
        )
        _, lines = await context.services.attendance.roster(context.me, session.id)
    except StaleAction:
        await _tell_trainer(update, context, "kelas.stale")
        return
    except NotAllowed:
        await refuse(update, context)
        return
    await query.answer(  # trivia: the redrawn list shows it
        None
        if changed
        else context.t("kelas.already_present" if present else "kelas.already_absent")
    )
    markup = roster_keyboard(lines)
    shown = query.message.reply_markup if isinstance(query.message, Message) else None
    if markup != shown:
        await query.edit_message_reply_markup(markup)


async def check_in(
    update: Update, context: DodolanContext, code: str, *, step_open: bool = False
) -> bool:
    """An owner scanned the trainer's QR code (``/start hadir-<code>``) or typed the code;
    False if a question is open and no session has the code (the text is its answer)."""
    assert update.effective_user is not None and update.effective_message is not None
    attendance = context.services.attendance
    answer = await attendance.checked_in(context.me, code, step_open=step_open)
    if answer is None:
        return False
    key, params = answer
    await update.effective_message.reply_text(context.t(key, **params))
    return True


async def tapped_feedback(update: Update, context: DodolanContext) -> None:
    """Record stars, then offer to add a comment; or skip the comment."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        taken = await context.services.feedback.tapped(context.me, query.data)
    except StaleAction:
        await stale(query, context)
        return
    await query.answer()
    if taken.stars is None:  # said, as on every channel (it was only the buttons taken off)
        await clear_buttons(query)
        await context.bot.send_message(context.chat, context.t("feedback.skipped"))
        return
    question = feedback.comment_question(
        context.services.catalog, context.language, taken.booking_id, taken.stars
    )
    text, markup = views.render(question)
    asked = query.message.text_html if isinstance(query.message, Message) else ""
    await query.edit_message_text(  # the question keeps the chosen stars, and asks on
        f"{asked}\n\n{text}" if asked else text, reply_markup=markup
    )
    context.prompted = True


async def ask_comment(context: DodolanContext, chat_id: int, booking_id: int) -> None:
    """ "Add a comment?" again, with its skip button (decided in the feedback service)."""
    question = feedback.comment_question(context.services.catalog, context.language, booking_id)
    text, markup = views.render(question)
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    context.prompted = True


async def resume_comment(context: DodolanContext, chat_id: int, dialog: Dialog) -> None:
    """Ask for the comment again after a command interrupted it."""
    booking_id = feedback.awaited_comment(dialog)
    if booking_id is not None:
        await ask_comment(context, chat_id, booking_id)


async def received_comment(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Take the attendee's comment, or refuse it and ask again (the service decides)."""
    message = update.effective_message
    assert message is not None
    reply = await context.services.feedback.comment_step(
        context.me, received(message), message.text, language=context.language
    )
    if reply is not None:
        text, markup = views.render(reply.notice)
        await message.reply_text(text, reply_markup=markup)
        context.prompted = reply.asks


def register(application: DodolanApplication) -> None:
    """Add /kelas, attendance, follow-up entry and feedback handlers."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["kelas", "myclasses"], my_classes, only_private))
    application.add_handler(CallbackQueryHandler(tapped_class, pattern=cb.pattern(cb.CLASS)))
    application.add_handler(
        CallbackQueryHandler(tapped_attendance, pattern=cb.pattern(cb.ATTENDANCE))
    )
    application.add_handler(CallbackQueryHandler(tapped_feedback, pattern=cb.pattern(cb.FEEDBACK)))
    TEXT_FLOWS[FEEDBACK_FLOW] = received_comment
    RESUMES[FEEDBACK_FLOW] = resume_comment
