"""A notice as the free-form WhatsApp messages that carry it (inside the 24-hour window).

Choices become, in this order of preference:

* 1-3 reply buttons, when none is a link, every title fits 20 characters and no two titles
  are the same (WhatsApp compares them ignoring case);
* one list of up to 10 rows; a title over 24 characters is shortened and its full text kept
  as the row's description (when the row has none and it fits 72), else as a line of the body;
* a numbered text ("Balas dengan angka: 1. …") for more than 10, returned as ``menu`` (the
  choice ids, "1" first) so a reply "2" can be read back.

Links (choices with a ``url``) cannot be buttons: they are "title: url" lines of the text.
Text longer than the interactive body allows (1024 for buttons, 4096 for lists) goes first as
text messages and the interactive message follows with a short prompt. An attachment goes
as a document (an image for a JPEG/PNG photo) captioned with the text when the text is all
there is and fits 1024 characters, else before the other messages; its media id is filled in
by the channel after uploading (``Part.upload``).

The few words used here (the prompt, the list button) are constants per language rather
than catalog texts: they are the channel's own furniture, like a keyboard's layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.markup import shorten
from bot.core.notices import Attachment, ChannelName, Choice, Notice
from handlers.whatsapp.markup import to_whatsapp
from handlers.whatsapp.payloads import (
    ListRow,
    ListSection,
    Payload,
    buttons_payload,
    list_payload,
    text_payload,
)

MAX_TEXT = 4096
MAX_BUTTON_BODY = 1024
MAX_LIST_BODY = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_BUTTON = 20  # the button that opens a list
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_DESCRIPTION = 72
WORDS = {
    "id": {"prompt": "Silakan pilih:", "button": "Pilih", "numbers": "Balas dengan angka:"},
    "en": {"prompt": "Please choose:", "button": "Choose", "numbers": "Reply with a number:"},
}
_JPEG, _PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Part:
    """One message to send; ``upload``: the file whose media id the channel fills in."""

    payload: Payload
    upload: Attachment | None = None


@dataclass(frozen=True)
class Rendering:
    """The messages of one notice, and the numbered menu if it has one."""

    parts: tuple[Part, ...]
    menu: tuple[str, ...] | None = None


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["id"])


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut text into pieces of at most ``limit``, at paragraph or line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def _texts(to: str, text: str) -> list[Part]:
    return [Part(text_payload(to, piece)) for piece in split_text(text)]


def _can_be_buttons(choices: Sequence[Choice]) -> bool:
    """Reply buttons when they fit, and no choice carries a description (only a list row
    shows one: a session row's date and place would be lost on a button)."""
    titles = [c.title.strip() for c in choices]
    return (
        len(choices) <= MAX_BUTTONS
        and all(c.description is None for c in choices)
        and all(0 < len(t) <= MAX_BUTTON_TITLE for t in titles)
        and len({t.casefold() for t in titles}) == len(titles)
    )


def _row(choice: Choice) -> tuple[ListRow, str | None]:
    """A list row, and the body line that keeps a long title whole if the row cannot."""
    title, description = " ".join(choice.title.split()), choice.description
    if description is not None:
        description = shorten(description, MAX_DESCRIPTION)
    if len(title) <= MAX_ROW_TITLE:
        return ListRow(choice.id, title, description), None
    short = shorten(title, MAX_ROW_TITLE)
    if description is None and len(title) <= MAX_DESCRIPTION:
        return ListRow(choice.id, short, title), None
    return ListRow(choice.id, short, description), f"• {title}"


def _interactive(
    to: str, body: str, choices: Sequence[Choice], language: str, label: str | None = None
) -> list[Part]:
    """Buttons or a list (opened by ``label``), after as many text messages as the body needs."""
    words = _words(language)
    if _can_be_buttons(choices):
        buttons = [(c.id, c.title.strip()) for c in choices]
        lead, body = _lead(to, body, MAX_BUTTON_BODY, words["prompt"])
        return [*lead, Part(buttons_payload(to, body, buttons))]
    rows, lines = zip(*(_row(c) for c in choices), strict=True)
    extra = "\n".join(line for line in lines if line)
    body = "\n\n".join(part for part in (body, extra) if part)
    lead, body = _lead(to, body, MAX_LIST_BODY, words["prompt"])
    section = ListSection(None, list(rows))
    button = label if label and len(label) <= MAX_LIST_BUTTON else words["button"]
    return [*lead, Part(list_payload(to, body, button, [section]))]


def _lead(to: str, body: str, limit: int, prompt: str) -> tuple[list[Part], str]:
    """Text messages before an interactive one whose body cannot hold ``body``."""
    if body and len(body) <= limit:
        return [], body
    return _texts(to, body), prompt


def _numbered(text: str, choices: Sequence[Choice], language: str) -> str:
    lines = [_words(language)["numbers"]]
    for number, choice in enumerate(choices, start=1):
        about = f" — {choice.description}" if choice.description else ""
        lines.append(f"{number}. {' '.join(choice.title.split())}{about}")
    return "\n\n".join(part for part in (text, "\n".join(lines)) if part)


def _with_links(text: str, links: Sequence[Choice]) -> str:
    lines = "\n".join(f"{c.title.strip()}: {c.url}" for c in links)
    return "\n\n".join(part for part in (text, lines) if part)


def _media_kind(attachment: Attachment) -> str:
    """An image for a JPEG/PNG photo (or a photo's link), else a document."""
    if attachment.kind != "photo":
        return "document"
    if attachment.content is None:
        return "image"
    return "image" if attachment.content.startswith((_JPEG, _PNG)) else "document"


def _attachment(to: str, attachment: Attachment, caption: str | None) -> Part:
    """The file message; by uploaded id (filled in later) or by its public link."""
    kind = _media_kind(attachment)
    if attachment.content is not None:
        media: Payload = {"id": ""}  # uploaded by the channel
    elif attachment.ref_channel is ChannelName.WHATSAPP:
        media = {"id": attachment.ref}  # a media id WhatsApp knows already
    else:
        media = {"link": attachment.ref}  # a public URL
    if kind == "document":
        media["filename"] = attachment.name or "dokumen"
    if caption:
        media["caption"] = caption
    payload: Payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: media,
    }
    return Part(payload, attachment if attachment.content is not None else None)


def plain_text(notice: Notice) -> str:
    """The text an owner reads of ``notice`` on WhatsApp: its markup as WhatsApp's, its
    links as "title: url" lines (for a sender's preview; the other choices are left out)."""
    return _with_links(to_whatsapp(notice.text), [c for c in notice.choices if c.url])


def render(
    to: str, notice: Notice, language: str, attachment: Attachment | None = None
) -> Rendering:
    """The messages that carry ``notice`` to ``to`` (``attachment``: the one that can go)."""
    text = _with_links(to_whatsapp(notice.text), [c for c in notice.choices if c.url])
    answers = [c for c in notice.choices if c.url is None]
    menu: tuple[str, ...] | None = None
    if len(answers) > MAX_ROWS:
        text, menu, answers = _numbered(text, answers, language), tuple(c.id for c in answers), []
    if attachment is not None and not answers and len(text) <= MAX_CAPTION:
        return Rendering((_attachment(to, attachment, text or None),), menu)
    parts = [_attachment(to, attachment, None)] if attachment is not None else []
    if answers:
        parts += _interactive(to, text, answers, language, notice.choices_label)
    elif text:
        parts += _texts(to, text)
    if not parts:
        raise ValueError("a notice needs a text, choices or an attachment")
    return Rendering(tuple(parts), menu)
