"""Staff create sessions with /sesibaru: a guided conversation that survives restarts."""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.app.container import Services
from bot.core.errors import InvalidInput, Refusal, StaleAction
from bot.core.models import Dialog, OutboxMessage, Role
from bot.i18n import Html
from bot.services import session_input
from bot.services.sessions import TRAINER_ASSIGNED
from handlers.telegram import callbacks as cb
from handlers.telegram import delivery, dialogs, staff_manage, staff_people
from handlers.telegram import session_views as sv
from handlers.telegram import staff_views as views
from handlers.telegram.auth import requires
from handlers.telegram.common import clear_buttons, explain
from handlers.telegram.context import DodolanApplication, DodolanContext

FLOW = session_input.FLOW
# Where to send staff back when saving fails on a rule only the service checks.
_RETRY_STEP = {
    "session.invalid.past": "date",
    "session.invalid.end_before_start": "time",
    "session.invalid.capacity": "capacity",
    "session.invalid.trainer": "trainer",
    "session.invalid.cutoff": "cutoff",
    "session.invalid.url": "online_url",
    "session.invalid.coordinates": "coords",
    "session.invalid.no_place": "place",
}


def session_link(context: DodolanContext, code: str) -> str:
    """The deep link owners open to book a session."""
    return f"https://t.me/{context.bot.username}?start=sesi-{code}"


async def send_step(context: DodolanContext, chat_id: int, dialog: Dialog) -> None:
    """Ask the question of the step staff are at."""
    services = context.services
    trainers = await context.services.invites.trainers() if dialog.step == "trainer" else []
    text, markup = views.new_session_prompt(
        services.catalog,
        context.language,
        dialog.step,
        dialog.data,
        services.now(),
        services.settings.timezone,
        trainers,
    )
    await context.bot.send_message(chat_id, text, reply_markup=markup)


@requires(Role.STAFF)
async def new_session(update: Update, context: DodolanContext) -> None:
    """Start building a new session, one question at a time."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    dialog = await context.services.dialogs.move(user.id, FLOW, "title")
    await message.reply_text(context.t("staff.new.intro"))
    await send_step(context, message.chat_id, dialog)


async def received_session_input(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Route typed text or a shared location to the new-session conversation."""
    await _take_input(update, context)


@requires(Role.STAFF)
async def _take_input(update: Update, context: DodolanContext) -> None:
    """Take typed text or a shared location as the answer to the current step."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    dialog = await services.dialogs.current(user.id)
    if dialog is None or dialog.flow != FLOW:
        return
    tz, now = services.settings.timezone, services.now()
    try:
        if message.location is not None:
            location = message.location
            step, data = session_input.answer_location(
                dialog.step, location.latitude, location.longitude, dialog.data
            )
        elif message.text is not None:
            step, data = session_input.answer_text(dialog.step, message.text, dialog.data, now, tz)
        else:
            raise InvalidInput("staff.invalid.need_text")
    except InvalidInput as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        if refusal.key in ("input.use_buttons", "staff.invalid.need_text"):
            await send_step(context, message.chat_id, dialog)
        return
    following = await services.dialogs.move(user.id, FLOW, step, data)
    await send_step(context, message.chat_id, following)


@requires(Role.STAFF)
async def tapped_new_session(update: Update, context: DodolanContext) -> None:
    """Take a tapped option (date, place kind, capacity, trainer, cut-off, save)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    parts = cb.parse(query.data, cb.NEW_SESSION, 2)
    dialog = await services.dialogs.current(user.id)
    try:
        if parts is None or dialog is None or dialog.flow != FLOW or parts[0] != dialog.step:
            raise StaleAction(query.data)
        step, code = parts
        if step == "confirm" and code in ("save", "discard"):
            await query.answer()
            await clear_buttons(query)
            await _finish(context, user.id, dialog, save=code == "save")
            return
        tz, now = services.settings.timezone, services.now()
        if step == "confirm":
            following_step, data = session_input.edit_field(code, dialog.data)
        else:
            following_step, data = session_input.answer_choice(step, code, dialog.data, now, tz)
        if step == "trainer":
            data["trainer_name"] = await _trainer_name(context, data.get("trainer_id"))
    except (StaleAction, Refusal) as error:
        await explain(query, context, error)
        return
    await query.answer()
    await clear_buttons(query)
    following = await services.dialogs.move(user.id, FLOW, following_step, data)
    await send_step(context, user.id, following)


async def _trainer_name(context: DodolanContext, trainer_id: int | None) -> str | None:
    if trainer_id is None:
        return None
    for trainer in await context.services.invites.trainers():
        if trainer.user_id == trainer_id:
            return views.trainer_label(context.services.catalog, context.language, trainer)
    raise StaleAction(str(trainer_id))


async def _finish(context: DodolanContext, user_id: int, dialog: Dialog, *, save: bool) -> None:
    """Save the session and show its link, or drop the draft."""
    services = context.services
    if not save:
        await services.dialogs.end(user_id)
        await context.bot.send_message(user_id, context.t("staff.new.discarded"))
        return
    draft = session_input.draft_of(dialog.data, services.settings.timezone)
    try:
        session = await services.sessions.create(draft, user_id)
    except InvalidInput as refusal:
        await context.bot.send_message(user_id, context.t(refusal.key, **refusal.params))
        back = await services.dialogs.move(  # fix that field, then see the summary again
            user_id, FLOW, _RETRY_STEP.get(refusal.key, "title"), {**dialog.data, "editing": True}
        )
        await send_step(context, user_id, back)
        return
    await services.dialogs.end(user_id)
    names = await services.users.display_names([session.trainer_id or 0])
    card = views.session_card(
        services.catalog, context.language, services.settings.timezone, session, names
    )
    await context.bot.send_message(
        user_id,
        context.t("staff.new.created", link=session_link(context, session.code)) + "\n\n" + card,
    )


async def render_assigned(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> delivery.Rendered | None:
    """Tell a trainer they run a new session, with its card; nothing if that is no longer so."""
    session = await services.sessions.get(int(message.params["session_id"]))
    if session is None or session.status == "cancelled" or session.ends_at <= now:
        return None
    if session.trainer_id != message.user_id:
        return None  # someone else runs it now
    names = await services.users.display_names([message.user_id])
    card = sv.session_card(services.catalog, language, session, services.settings.timezone, names)
    return services.catalog.text(language, "staff.assigned", card=Html(card)), None


def register(application: DodolanApplication) -> None:
    """Add the staff and trainer commands, buttons and conversations."""
    only_private = filters.ChatType.PRIVATE
    dialogs.TEXT_FLOWS[FLOW] = received_session_input
    application.add_handler(CommandHandler(["sesibaru", "newsession"], new_session, only_private))
    application.add_handler(
        CallbackQueryHandler(tapped_new_session, pattern=cb.pattern(cb.NEW_SESSION))
    )
    staff_manage.register(application)
    staff_people.register(application)
    delivery.RENDERERS[TRAINER_ASSIGNED] = render_assigned


redeem_invite = staff_people.redeem_invite
