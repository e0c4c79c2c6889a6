"""Files the programme sends: checked, then kept by the bot, whatever channel they came from.

A trainer's lesson file or an announcement's photo is taken when it is sent to the bot:
its size is capped (:data:`MAX_BYTES`) and its type must be on :data:`ALLOWED` both by the
type the sender's app declared and by the bytes themselves; then it is kept under its
SHA-256 (``storage/files.py``; the same bytes are kept once). Each channel sends it its own
way: Telegram by the file id it was given for those bytes (a cache of the edge, kept with
:meth:`FileService.remember_ref`), WhatsApp by uploading the bytes to the Graph media
endpoint. So a WhatsApp owner gets the trainer's PDF.

Refusals name catalog texts (``lesson_files.*``), so the sender is told why.

A file kept but never sent (a draft dropped, a sender refused) is deleted by
:meth:`FileService.prune` once nothing has named it for :data:`KEEP_UNREFERENCED`; the
delivery runner's periodic work calls it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.core.models import StoredFile
from bot.core.notices import ChannelName
from bot.i18n import Catalog

MAX_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram; WhatsApp takes 100 MB
_OOXML = b"PK\x03\x04"  # a .docx/.xlsx/.pptx is a ZIP archive
ALLOWED: dict[str, tuple[bytes, ...]] = {  # MIME type → how its bytes begin
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (_OOXML,),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (_OOXML,),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (_OOXML,),
}


IMAGES = ("image/jpeg", "image/png")
# What an owner may send with a question: the same, and voice notes (Ogg Opus on both apps).
QUESTION_TYPES: dict[str, tuple[bytes, ...]] = {**ALLOWED, "audio/ogg": (b"OggS",)}
# How long a kept file no broadcast, draft, question or queued message names stays before it
# is deleted.
KEEP_UNREFERENCED = timedelta(days=1)


class FileStore(Protocol):
    """What keeping files needs from storage (``storage.files.FileRepository`` is one)."""

    async def put(self, file: StoredFile, now: datetime) -> None: ...
    async def get(self, sha256: str) -> StoredFile | None: ...
    async def prune_unreferenced(self, before: datetime) -> int: ...
    async def channel_ref(self, channel: ChannelName, key: str) -> str | None: ...
    async def remember_ref(self, channel: ChannelName, key: str, ref: str) -> None: ...


def digest(content: bytes) -> str:
    """The hex SHA-256 a file is kept under."""
    return hashlib.sha256(content).hexdigest()


class FileService:
    """Check and keep the files the programme sends; read them back to send."""

    def __init__(self, store: FileStore, now: Clock) -> None:
        self._store = store
        self._now = now

    def check(
        self, mime_type: str | None, size: int | None, allowed: Mapping[str, object] = ALLOWED
    ) -> str:
        """The declared type if it may be kept at the declared size (before any download).

        InvalidInput (``lesson_files.too_big`` or ``lesson_files.wrong_type``) otherwise.
        """
        mime = (mime_type or "").split(";", 1)[0].strip().lower()
        if mime not in allowed:
            raise InvalidInput("lesson_files.wrong_type")
        if size is not None and size > MAX_BYTES:
            raise InvalidInput("lesson_files.too_big", limit=MAX_BYTES // (1024 * 1024))
        return mime

    async def keep(
        self,
        content: bytes,
        mime_type: str | None,
        allowed: Mapping[str, tuple[bytes, ...]] = ALLOWED,
    ) -> StoredFile:
        """Keep the file after checking its size and that its bytes are what it claims.

        ``mime_type`` None: a photo whose type only its bytes tell (JPEG or PNG).
        """
        if mime_type is None:
            mime_type = next((m for m in IMAGES if content.startswith(ALLOWED[m])), None)
        mime = self.check(mime_type, len(content), allowed)
        if not content.startswith(allowed[mime]):
            raise InvalidInput("lesson_files.wrong_type")
        file = StoredFile(digest(content), mime, content)
        await self._store.put(file, self._now())
        return file

    async def get(self, sha256: str) -> StoredFile | None:
        """A kept file by its digest."""
        return await self._store.get(sha256)

    async def channel_ref(self, channel: ChannelName, key: str) -> str | None:
        """A channel's own id of a kept file (that edge's cache; see
        :class:`bot.core.ports.FileRefs`)."""
        return await self._store.channel_ref(channel, key)

    async def remember_ref(self, channel: ChannelName, key: str, ref: str) -> None:
        """Keep a channel's own id of a kept file, to send it by that next time."""
        await self._store.remember_ref(channel, key, ref)

    async def prune(self) -> int:
        """Delete the files nothing has named for :data:`KEEP_UNREFERENCED`; how many."""
        return await self._store.prune_unreferenced(self._now() - KEEP_UNREFERENCED)


def whatsapp_receives(
    catalog: Catalog, language: str, kind: str | None, name: str | None, kept: bool
) -> str | None:
    """What a WhatsApp owner gets of a message's file, for the sender's preview (None: no file).

    A kept file goes to WhatsApp as the same document or photo (uploaded there); a file the
    bot does not keep (a draft from before files were kept) cannot, and only the text goes.
    """
    if kind is None:
        return None
    if not kept:
        return catalog.text(language, "lesson_files.whatsapp_text_only")
    if kind == "photo":
        return catalog.text(language, "lesson_files.whatsapp_photo")
    return catalog.text(language, "lesson_files.whatsapp_document", name=name or "dokumen")
