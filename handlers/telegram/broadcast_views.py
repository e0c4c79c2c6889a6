"""Pure renderers for composing and reporting broadcasts."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.models import (
    LIVE_BROADCAST,
    Audience,
    Broadcast,
    Recipients,
    StoredFile,
    TrainingSession,
)
from bot.core.notices import Attachment, Notice
from bot.formatting import format_datetime
from bot.i18n import LANGUAGES, Catalog, Html
from bot.services.broadcast_composer import (
    BASES,
    BroadcastDraft,
    Composition,
    Content,
    Step,
)
from bot.services.broadcasts import ANNOUNCEMENT, Progress
from bot.services.files import whatsapp_receives
from bot.services.notice_builders import broadcast_notice, framed
from bot.services.validation import CATEGORIES, KECAMATAN
from handlers.telegram import callbacks as cb
from handlers.telegram.delivery import Estimate
from handlers.telegram.views import option_label

_TAG = re.compile(r"<[^>]*>")
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024


def _button(catalog: Catalog, language: str, key: str, *parts: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        catalog.text(language, key), callback_data=cb.pack(cb.BROADCAST, *parts)
    )


def audience_picker(catalog: Catalog, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The first step: who is it for?"""
    rows = [[_button(catalog, language, f"broadcast.base_{b}", "base", b)] for b in BASES]
    rows.append([_button(catalog, language, "broadcast.cancel", "cancel")])
    return catalog.text(language, "broadcast.choose_audience"), InlineKeyboardMarkup(rows)


def session_picker(
    catalog: Catalog, language: str, sessions: Sequence[TrainingSession], tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """Pick the session an audience is about."""
    rows = [
        [
            InlineKeyboardButton(
                f"{s.starts_at.astimezone(tz):%d/%m} · {s.title[:40]}",
                callback_data=cb.pack(cb.BROADCAST, "sess", str(s.id)),
            )
        ]
        for s in sessions
    ]
    rows.append([_button(catalog, language, "broadcast.cancel", "cancel")])
    key = "broadcast.pick_session" if sessions else "broadcast.no_sessions"
    return catalog.text(language, key), InlineKeyboardMarkup(rows)


def audience_label(
    catalog: Catalog, language: str, audience: Audience, session: TrainingSession | None
) -> Html:
    """An audience in words ("peserta Foto produk · kecamatan Klojen"), as escaped HTML."""
    title = session.title if session else "?"
    parts = [catalog.text(language, f"broadcast.label_{audience.base}", title=title)]
    for field, codes in (("kecamatan", audience.kecamatan), ("category", audience.category)):
        if codes:
            names = ", ".join(option_label(catalog, language, field, c) for c in codes)
            parts.append(catalog.text(language, f"broadcast.label_{field}", names=names))
    return Html(" · ".join(parts))


def label_of(catalog: Catalog, language: str, composition: Composition) -> Html:
    """The audience of a draft in words, as escaped HTML."""
    audience = composition.draft.audience
    if audience is None:
        return Html("?")
    return audience_label(catalog, language, audience, composition.session)


def audience_answer(catalog: Catalog, language: str, composition: Composition) -> str:
    """The answered audience question as the chat keeps it ("Penerima: … (3 orang) ✓")."""
    recipients = composition.recipients
    return catalog.text(
        language,
        "broadcast.chosen_audience",
        label=label_of(catalog, language, composition),
        count=len(recipients.reachable) if recipients else 0,
    )


def next_question(
    catalog: Catalog, language: str, composition: Composition, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The question a draft is at, under the answers given so far (asked in place)."""
    draft = composition.draft
    match composition.step:
        case Step.AUDIENCE:
            return audience_picker(catalog, language)
        case Step.SESSION:
            return session_picker(catalog, language, composition.sessions, tz)
        case Step.REFINE:
            assert composition.recipients is not None
            label = label_of(catalog, language, composition)
            kept = draft.content is not None
            filters = draft.kind == ANNOUNCEMENT
            return refine_prompt(
                catalog, language, label, composition.recipients, filters=filters, kept=kept
            )
        case Step.MESSAGE:
            return _answered(catalog, language, composition, "ask_message"), None
        case Step.BUTTONS:  # the message was sent before the audience was chosen
            ask, markup = buttons_prompt(catalog, language, len(draft.buttons))
            return f"{_answered(catalog, language, composition, 'using_kept')}\n\n{ask}", markup
        case Step.SCHEDULE:
            chosen = catalog.text(language, "broadcast.chosen_schedule")
            return _answered(catalog, language, composition, "ask_schedule", chosen), None
    raise ValueError(f"no question is asked in place at {composition.step}")


def _answered(
    catalog: Catalog, language: str, composition: Composition, key: str, *more: str
) -> str:
    """The answers so far ("Penerima: … ✓", then ``more``), and the question ``key``."""
    head = [audience_answer(catalog, language, composition), *more]
    return "\n".join(head) + "\n\n" + catalog.text(language, f"broadcast.{key}")


def filter_choices(
    catalog: Catalog, language: str, composition: Composition
) -> InlineKeyboardMarkup:
    """The kecamatan or business-type toggles of a draft at that step."""
    audience, field = composition.draft.audience, composition.step
    codes: tuple[str, ...] = ()
    if audience is not None:
        codes = audience.kecamatan if field == Step.KECAMATAN else audience.category
    return filter_keyboard(catalog, language, field, codes)


def refine_prompt(
    catalog: Catalog,
    language: str,
    label: Html,
    recipients: Recipients,
    *,
    filters: bool,
    kept: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    """The live recipient count with ways to narrow it down."""
    text = catalog.text(
        language,
        "broadcast.audience_now",
        label=label,
        count=len(recipients.reachable),
        opted_out=len(recipients.opted_out),
        unreachable=len(recipients.unreachable),
    )
    hint = catalog.text(
        language, "broadcast.refine_hint_kept" if kept else "broadcast.refine_hint"
    )
    text = f"{text}\n\n{hint}"
    rows = []
    if filters:
        rows.append(
            [
                _button(catalog, language, "broadcast.filter_kecamatan", "filter", "kec"),
                _button(catalog, language, "broadcast.filter_category", "filter", "cat"),
            ]
        )
    next_key = "broadcast.next_kept" if kept else "broadcast.next"
    rows.append([_button(catalog, language, next_key, "next")])
    rows.append([_button(catalog, language, "broadcast.cancel", "cancel")])
    return text, InlineKeyboardMarkup(rows)


def filter_keyboard(
    catalog: Catalog, language: str, field: str, chosen: Sequence[str]
) -> InlineKeyboardMarkup:
    """Toggle buttons for kecamatan or business type."""
    codes = KECAMATAN if field == "kecamatan" else CATEGORIES
    short = "kec" if field == "kecamatan" else "cat"
    buttons = [
        InlineKeyboardButton(
            ("✅ " if code in chosen else "") + option_label(catalog, language, field, code),
            callback_data=cb.pack(cb.BROADCAST, short, code),
        )
        for code in codes
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(catalog, language, "broadcast.filter_done", "fdone")])
    return InlineKeyboardMarkup(rows)


def draft_notice(
    catalog: Catalog, language: str, draft: BroadcastDraft, kept: StoredFile | None = None
) -> Notice:
    """What recipients of a draft will get (the preview), built as each copy is
    (:func:`bot.services.notice_builders.broadcast_notice`), with the file the sender sent
    (``kept``: its stored bytes; each channel sends it by its own cached id where it has one)."""
    content = draft.content
    attachment = None
    if content is not None and content.media_kind and content.media_sha256:
        attachment = Attachment(
            content.media_kind,
            name=content.media_name,
            content=kept.content if kept is not None else None,
            mime_type=kept.mime_type if kept is not None else None,
            key=content.media_sha256,
        )
    buttons = tuple((button,) for button in draft.buttons)
    return broadcast_notice(
        catalog, language, draft.kind, content.text if content else "", buttons, attachment
    )


WHATSAPP_PREVIEW_LIMIT = 3000  # of the WhatsApp text shown, so the message fits Telegram's


def whatsapp_preview(catalog: Catalog, language: str, text: str) -> str:
    """The text WhatsApp owners will read, shown to the sender as it is (its *stars* and
    link lines included), under a line saying what differs from the Telegram preview."""
    if len(text) > WHATSAPP_PREVIEW_LIMIT:
        text = text[: WHATSAPP_PREVIEW_LIMIT - 1].rstrip() + "…"
    intro = catalog.text(language, "broadcast_preview.whatsapp")
    return f"{intro}\n<blockquote>{html.escape(text, quote=False)}</blockquote>"


def overflow(catalog: Catalog, kind: str, content: Content) -> int:
    """How many characters too long the message is for Telegram in its longest language
    (captions hold 1,024, texts 4,096); 0 when it fits."""
    limit = CAPTION_LIMIT if content.media_kind else TEXT_LIMIT
    return max(
        0,
        *(
            _visible_length(framed(catalog, lang, kind, content.text)) - limit
            for lang in LANGUAGES
        ),
    )


def _visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 units of the text without its HTML tags."""
    plain = html.unescape(_TAG.sub("", text))
    return len(plain.encode("utf-16-le")) // 2


def buttons_prompt(
    catalog: Catalog, language: str, count: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for link buttons (or skip)."""
    if count == 0:
        text = catalog.text(language, "broadcast.ask_buttons")
        button = _button(catalog, language, "broadcast.skip_buttons", "btndone")
    else:
        text = catalog.text(language, "broadcast.button_added", count=count)
        button = _button(catalog, language, "broadcast.buttons_done", "btndone")
    return text, InlineKeyboardMarkup([[button]])


def preview_choices(
    catalog: Catalog, language: str, composition: Composition, estimate: Estimate | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """Who a previewed draft will reach (and what it costs on WhatsApp), with send now,
    schedule and cancel."""
    count = len(composition.recipients.reachable) if composition.recipients else 0
    label = label_of(catalog, language, composition)
    text, markup = preview_summary(catalog, language, label, count)
    if estimate is not None and estimate.recipients:
        who, question = text.rsplit("\n", 1)
        lines: list[str | None] = [
            who,
            whatsapp_cost(catalog, language, estimate, composition.draft.kind),
        ]
        content = composition.draft.content
        if content is not None:
            kind = str(content.media_kind) if content.media_kind else None
            kept = content.media_sha256 is not None
            lines.append(whatsapp_receives(catalog, language, kind, content.media_name, kept))
        text = "\n".join(line for line in (*lines, question) if line)
    return text, markup


def whatsapp_cost(catalog: Catalog, language: str, estimate: Estimate, kind: str) -> str:
    """What each group on WhatsApp gets: the message itself inside their 24-hour window, else
    the template for the broadcast's kind (billed); and the tier's spread."""
    direct = estimate.recipients - estimate.templates
    groups = []
    if direct:
        groups.append(catalog.text(language, "broadcast.whatsapp.direct", count=direct))
    if estimate.templates:
        key = "announcement" if kind == ANNOUNCEMENT else "followup"
        groups.append(
            catalog.text(language, f"broadcast.whatsapp.{key}", count=estimate.templates)
        )
    separator = catalog.text(language, "broadcast.whatsapp.separator")
    text = (
        catalog.text(language, "broadcast.whatsapp.total", count=estimate.recipients)
        + separator.join(groups)
        + catalog.text(language, "broadcast.whatsapp.end")
    )
    if estimate.days > 1:
        text += "\n" + catalog.text(
            language, "broadcast.whatsapp_spread", left=estimate.tier_left, days=estimate.days
        )
    return text


def preview_summary(
    catalog: Catalog, language: str, label: Html, count: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Send now, schedule, or cancel."""
    text = catalog.text(language, "broadcast.preview_summary", label=label, count=count)
    rows = [
        [
            _button(catalog, language, "broadcast.send_now", "send"),
            _button(catalog, language, "broadcast.schedule", "sched"),
        ],
        [_button(catalog, language, "broadcast.cancel", "cancel")],
    ]
    return text, InlineKeyboardMarkup(rows)


def status_view(
    catalog: Catalog,
    language: str,
    broadcast: Broadcast,
    progress: Progress,
    label: Html,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The live status message while sending, or the final report."""
    if broadcast.status in LIVE_BROADCAST:
        eta = catalog.text(language, "broadcast.eta_seconds", seconds=progress.seconds_left)
        text = catalog.text(
            language,
            "broadcast.status",
            label=label,
            sent=progress.sent,
            failed=progress.failed,
            blocked=progress.blocked,
            remaining=progress.remaining,
            eta=eta,
        )
        stop = _button(catalog, language, "broadcast.stop", "stop", str(broadcast.id))
        return text, InlineKeyboardMarkup([[stop]])
    return report_text(catalog, language, broadcast, progress, label), None


def report_text(
    catalog: Catalog, language: str, broadcast: Broadcast, progress: Progress, label: Html
) -> str:
    """The final report of a broadcast."""
    return catalog.text(
        language,
        "broadcast.report",
        status_label=catalog.text(language, f"broadcast.status_{broadcast.status}"),
        label=label,
        sent=progress.sent,
        failed=progress.failed,
        blocked=progress.blocked,
        skipped=progress.skipped,
        cancelled=progress.cancelled,
        opted_out=broadcast.skipped_opted_out,
    )


def history_line(
    catalog: Catalog,
    language: str,
    broadcast: Broadcast,
    progress: Progress,
    label: Html,
    tz: ZoneInfo,
) -> str:
    """One past or scheduled broadcast in /riwayat."""
    return catalog.text(
        language,
        "broadcast.history_line",
        id=str(broadcast.id),
        when=format_datetime(broadcast.send_at, tz, language),
        kind=catalog.text(language, f"broadcast.kind_{broadcast.kind}"),
        status_label=catalog.text(language, f"broadcast.status_{broadcast.status}"),
        label=label,
        sent=progress.sent,
        failed=progress.failed,
        blocked=progress.blocked,
        remaining=progress.remaining,
    )


def unschedule_keyboard(
    catalog: Catalog, language: str, broadcast_id: int
) -> InlineKeyboardMarkup:
    """A button to cancel a scheduled broadcast."""
    button = InlineKeyboardButton(
        catalog.text(language, "broadcast.unschedule", id=str(broadcast_id)),
        callback_data=cb.pack(cb.BROADCAST, "unsched", str(broadcast_id)),
    )
    return InlineKeyboardMarkup([[button]])
