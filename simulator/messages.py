"""Message methods: send*, edit*, deleteMessage, answerCallbackQuery, getFile."""

from __future__ import annotations

import mimetypes
from typing import Any

from simulator.errors import bad_request
from simulator.limits import check_caption, check_reply_markup, check_text, check_toast
from simulator.schema import UploadedFile
from simulator.state import StoredFile, StoredMessage, WorldState

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_MEDIA_KEYS = ("document", "photo", "audio", "video", "voice", "animation")
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"BM")
MAX_DOWNLOAD = 20 * 1024 * 1024


def image_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) if data looks like an image Telegram would accept."""
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (is_webp or any(data.startswith(m) for m in _IMAGE_MAGIC)):
        return None
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 320, 320


class MessageMethods:
    """Implementations of the message-related Bot API methods."""

    def __init__(self, state: WorldState, bot_user: dict[str, Any]) -> None:
        self.state = state
        self.bot_user = bot_user

    def handlers(self) -> dict[str, Any]:
        """Map method names to handler callables."""
        return {
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "sendLocation": self.send_location,
            "sendVenue": self.send_venue,
            "sendChatAction": self.send_chat_action,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "getFile": self.get_file,
        }

    def chat_json(self, chat_id: int) -> dict[str, Any]:
        """Build the Chat object of a private chat."""
        user = self.state.users.get(chat_id, {"first_name": str(chat_id)})
        out: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        if user.get("username"):
            out["username"] = user["username"]
        return out

    def _new(self, p: dict[str, Any]) -> dict[str, Any]:
        """Start a bot message JSON for params with chat_id (reply_parameters checked)."""
        chat_id = p["chat_id"]
        msg: dict[str, Any] = {
            "message_id": 0,
            "from": self.bot_user,
            "chat": self.chat_json(chat_id),
            "date": self.state.unix_now(),
        }
        reply = p.get("reply_parameters")
        if reply is not None:
            target = self.state.chat(chat_id).messages.get(reply["message_id"])
            if target is None or target.deleted:
                if not reply.get("allow_sending_without_reply"):
                    raise bad_request("message to be replied not found")
            else:
                msg["reply_to_message"] = {
                    k: v for k, v in target.json.items() if k != "reply_to_message"
                }
        return msg

    def _store(
        self, p: dict[str, Any], msg: dict[str, Any], html_key: str, file: StoredFile | None
    ) -> dict[str, Any]:
        """Attach markup, store the message, record the action and return its JSON."""
        markup = p.get("reply_markup")
        check_reply_markup(markup)
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        stored = self.state.add_message(
            p["chat_id"],
            msg,
            from_bot=True,
            html=p.get(html_key),
            parse_mode=p.get("parse_mode"),
            markup=markup,
            file=file,
        )
        self.state.record_action(p["chat_id"], "send", stored.json["message_id"])
        return stored.json

    def _caption(self, p: dict[str, Any], msg: dict[str, Any]) -> None:
        """Parse and attach a caption."""
        caption, ents = check_caption(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities")
        )
        if caption is not None:
            msg["caption"] = caption
            if ents:
                msg["caption_entities"] = ents

    def _input_file(self, value: Any, kind: str) -> StoredFile:
        """Resolve an InputFile-or-String parameter to a stored file."""
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or "application/octet-stream"
            return self.state.add_file(value.data, kind, value.filename, mime)
        stored = self.state.files.get(str(value))
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        """sendMessage."""
        text, ents = check_text(p["text"], p.get("parse_mode"), p.get("entities"))
        msg = self._new(p)
        msg["text"] = text
        if ents:
            msg["entities"] = ents
        if "link_preview_options" in p:
            msg["link_preview_options"] = p["link_preview_options"]
        return self._store(p, msg, "text", None)

    def send_document(self, p: dict[str, Any]) -> dict[str, Any]:
        """sendDocument."""
        msg = self._new(p)
        self._caption(p, msg)
        f = self._input_file(p["document"], "documents")
        msg["document"] = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "file_name": f.file_name or "document",
            "mime_type": f.mime_type,
            "file_size": len(f.data),
        }
        return self._store(p, msg, "caption", f)

    def send_photo(self, p: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto."""
        msg = self._new(p)
        self._caption(p, msg)
        f = self._input_file(p["photo"], "photos")
        size = image_size(f.data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        msg["photo"] = [
            {
                "file_id": f.file_id,
                "file_unique_id": f.file_unique_id,
                "width": size[0],
                "height": size[1],
                "file_size": len(f.data),
            }
        ]
        return self._store(p, msg, "caption", f)

    def _location(self, p: dict[str, Any]) -> dict[str, Any]:
        """Validate coordinates and build a Location object."""
        lat, lon = p["latitude"], p["longitude"]
        if not -90 <= lat <= 90 or not -180 <= lon <= 180:
            raise bad_request("wrong latitude or longitude")
        return {"latitude": lat, "longitude": lon}

    def send_location(self, p: dict[str, Any]) -> dict[str, Any]:
        """sendLocation."""
        msg = self._new(p)
        msg["location"] = self._location(p)
        return self._store(p, msg, "", None)

    def send_venue(self, p: dict[str, Any]) -> dict[str, Any]:
        """sendVenue."""
        msg = self._new(p)
        loc = self._location(p)
        if not p["title"].strip() or not p["address"].strip():
            raise bad_request("venue title and address must be non-empty")
        msg["location"] = loc
        msg["venue"] = {"location": loc, "title": p["title"], "address": p["address"]}
        return self._store(p, msg, "", None)

    def send_chat_action(self, p: dict[str, Any]) -> bool:
        """sendChatAction."""
        if p["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.state.chat(p["chat_id"]).chat_actions.append(p["action"])
        return True

    def _target(self, p: dict[str, Any], verb: str = "edit") -> StoredMessage:
        """Find the bot message an edit/delete call refers to."""
        if "inline_message_id" in p:
            raise bad_request("inline messages are not supported by the Dodolan emulator")
        if "chat_id" not in p:
            raise bad_request("chat_id is empty")
        if "message_id" not in p:
            raise bad_request("message identifier is not specified")
        stored = self.state.chat(p["chat_id"]).messages.get(p["message_id"])
        if stored is None or stored.deleted:
            raise bad_request(f"message to {verb} not found")
        if verb == "edit" and not stored.from_bot:
            raise bad_request("message can't be edited")
        return stored

    def _apply_edit(
        self, p: dict[str, Any], stored: StoredMessage, changes: dict[str, Any]
    ) -> Any:
        """Apply an edit (or raise not modified) and return the edited message."""
        new = dict(stored.json)
        new.update(changes)
        new = {k: v for k, v in new.items() if v is not None and k != "edit_date"}
        markup = p.get("reply_markup")
        check_reply_markup(markup)
        if markup is not None:
            new["reply_markup"] = markup
        else:
            new.pop("reply_markup", None)
        old = {k: v for k, v in stored.json.items() if k != "edit_date"}
        if new == old:
            raise bad_request(NOT_MODIFIED)
        new["edit_date"] = self.state.unix_now()
        stored.json = new
        stored.edited = True
        if markup is not None or stored.markup is None or "inline_keyboard" in stored.markup:
            stored.markup = markup
        self.state.record_action(p["chat_id"], "edit", new["message_id"])
        return new

    def edit_message_text(self, p: dict[str, Any]) -> Any:
        """editMessageText."""
        stored = self._target(p)
        if "text" not in stored.json:
            raise bad_request("there is no text in the message to edit")
        if "text" not in p:
            raise bad_request("message text is empty")
        text, ents = check_text(p["text"], p.get("parse_mode"), p.get("entities"))
        result = self._apply_edit(p, stored, {"text": text, "entities": ents or None})
        stored.html, stored.parse_mode = p["text"], p.get("parse_mode")
        return result

    def edit_message_caption(self, p: dict[str, Any]) -> Any:
        """editMessageCaption."""
        stored = self._target(p)
        if not any(k in stored.json for k in _MEDIA_KEYS):
            raise bad_request("there is no caption in the message to edit")
        caption, ents = check_caption(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities")
        )
        changes = {"caption": caption, "caption_entities": ents or None}
        result = self._apply_edit(p, stored, changes)
        stored.html, stored.parse_mode = p.get("caption"), p.get("parse_mode")
        return result

    def edit_message_reply_markup(self, p: dict[str, Any]) -> Any:
        """editMessageReplyMarkup."""
        return self._apply_edit(p, self._target(p), {})

    def delete_message(self, p: dict[str, Any]) -> bool:
        """deleteMessage."""
        stored = self._target(p, "delete")
        stored.deleted = True
        self.state.record_action(p["chat_id"], "delete", p["message_id"])
        return True

    def answer_callback_query(self, p: dict[str, Any]) -> bool:
        """answerCallbackQuery."""
        record = self.state.callbacks.get(p["callback_query_id"])
        if record is None or record.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        check_toast(p.get("text"))
        record.answered = True
        chat = self.state.chat(record.chat_id)
        if p.get("text"):
            chat.toasts.append(p["text"])
        self.state.record_action(record.chat_id, "answer", None)
        return True

    def get_file(self, p: dict[str, Any]) -> dict[str, Any]:
        """getFile."""
        f = self.state.files.get(p["file_id"])
        if f is None:
            raise bad_request("invalid file_id")
        if len(f.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "file_size": len(f.data),
            "file_path": f.file_path,
        }
