"""Owed replies keep every part of their notice while they wait in the database."""

from __future__ import annotations

import json
from dataclasses import fields

from bot.core.notices import Attachment, Category, ChannelName, Choice, Notice
from handlers.whatsapp.replies import notice_from_json, notice_to_json


def test_a_stored_notice_comes_back_whole() -> None:
    notice = Notice(
        "<b>Halo</b> & selamat",
        (Choice("bk:v1:book:1", "Ikut", "Sabtu"), Choice("x", "Peta", url="https://x.id")),
        rows=(1, 1),
        attachment=Attachment("document", "sesi.ics", b"\x00BEGIN", None, None, "text/calendar"),
        category=Category.ANNOUNCEMENT,
        kind="broadcast",
        params={"title": "Foto"},
        choices_label="Menu",
    )
    stored = json.loads(json.dumps(notice_to_json(notice)))  # as SQLite holds it
    assert notice_from_json(stored) == notice
    linked = Notice(
        "x", attachment=Attachment("photo", ref="AgAD", ref_channel=ChannelName.WHATSAPP)
    )
    assert notice_from_json(json.loads(json.dumps(notice_to_json(linked)))) == linked


def test_every_field_of_a_notice_is_stored() -> None:
    stored = set(notice_to_json(Notice("x")))
    assert {f.name for f in fields(Notice)} - {"follow_ups"} == stored  # follow-ups: own rows
    attachment = notice_to_json(Notice("x", attachment=Attachment("photo")))["attachment"]
    assert {f.name for f in fields(Attachment)} == set(attachment)
