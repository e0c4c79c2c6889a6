"""Certificates on Telegram: ``/cek <kode>`` for anyone, ``/sertifikat [kode]`` for staff with
"reissue" and "revoke" (``ct:v1:<re|rv>:<code>``, staff re-checked by the service)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.certificates import Certificate
from bot.core.errors import NotAllowed, StaleAction
from bot.services.certificate_notices import verification_text
from bot.services.certificates import Verification, typed_check
from handlers.telegram import callbacks as cb
from handlers.telegram.auth import refuse
from handlers.telegram.common import clear_buttons, refuse_tap, stale
from handlers.telegram.context import DodolanApplication, DodolanContext

REISSUE, REVOKE = "re", "rv"


async def check(update: Update, context: DodolanContext) -> None:
    """Say whether a certificate code is valid, revoked or unknown (anyone may ask)."""
    assert update.effective_message is not None
    typed = " ".join(context.args or [])
    if not typed:
        await update.effective_message.reply_text(context.t("certificate.ask_code"))
        return
    found = await context.services.certificates.verify(typed)
    await update.effective_message.reply_text(_verdict(context, found))


async def check_typed(update: Update, context: DodolanContext) -> bool:
    """Answer a typed "cek <kode>" (no slash) as /cek does; False if the text is not one."""
    message = update.effective_message
    code = typed_check(message.text) if message is not None and message.text else None
    if message is None or code is None:
        return False
    await message.reply_text(_verdict(context, await context.services.certificates.verify(code)))
    return True


def _verdict(context: DodolanContext, found: Verification) -> str:
    services = context.services
    return verification_text(services.catalog, context.language, services.settings.timezone, found)


def _line(context: DodolanContext, cert: Certificate) -> str:
    status = context.t("certificate.status_valid" if cert.valid else "certificate.status_revoked")
    return context.t(
        "certificate.staff_line",
        code=cert.code,
        name=cert.owner_name or "-",
        title=cert.session_title,
        status=status,
    )


async def staff_certificates(update: Update, context: DodolanContext) -> None:
    """Staff: the newest certificates, or one with "reissue" and "revoke"."""
    assert update.effective_user is not None and update.effective_message is not None
    service, user_id = context.services.certificates, context.me
    typed = " ".join(context.args or [])
    try:
        if not typed:
            recent = await service.recent(user_id)
            lines = "\n".join(_line(context, c) for c in recent)
            text = context.t("certificate.staff_list", lines=lines) if recent else None
            await update.effective_message.reply_text(text or context.t("certificate.staff_none"))
            return
        cert = await service.show(user_id, typed)
    except NotAllowed:
        await refuse(update, context)
        return
    except StaleAction:
        await update.effective_message.reply_text(_verdict(context, Verification(typed, None)))
        return
    found = _verdict(context, Verification(cert.code, cert))
    markup = None
    if cert.valid:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        context.t("certificate.reissue"),
                        callback_data=cb.pack(cb.CERTIFICATE, REISSUE, cert.code),
                    ),
                    InlineKeyboardButton(
                        context.t("certificate.revoke"),
                        callback_data=cb.pack(cb.CERTIFICATE, REVOKE, cert.code),
                    ),
                ]
            ]
        )
    await update.effective_message.reply_text(found, reply_markup=markup)


async def tapped(update: Update, context: DodolanContext) -> None:
    """Staff reissue or revoke a certificate."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.CERTIFICATE, 2)
    service = context.services.certificates
    try:
        if parts is None or parts[0] not in (REISSUE, REVOKE):
            raise StaleAction(query.data)
        if parts[0] == REVOKE:
            cert = await service.revoke(context.me, parts[1])
            text = context.t("certificate.revoked_done", code=cert.code)
        else:
            cert = await service.reissue(context.me, parts[1])
            text = context.t("certificate.reissued_done", code=cert.code)
    except NotAllowed:
        await refuse_tap(query, context, context.t("auth.not_allowed"))
        return
    except StaleAction:
        await stale(query, context)
        return
    await query.answer()
    await clear_buttons(query)
    await context.bot.send_message(context.chat, text)


def register(application: DodolanApplication) -> None:
    """Add /cek, /sertifikat and the staff buttons."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["cek", "verify"], check, only_private))
    application.add_handler(
        CommandHandler(["sertifikat", "certificates"], staff_certificates, only_private)
    )
    application.add_handler(CallbackQueryHandler(tapped, pattern=cb.pattern(cb.CERTIFICATE)))
