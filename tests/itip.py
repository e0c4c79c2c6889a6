"""RFC 5546 (iTIP) checks of a calendar file, over vobject rather than the icalendar that writes
the files, so a mistake of the writer cannot hide itself in the check.

Only what Dodolan sends is checked: ``REQUEST`` (3.2.2) and ``CANCEL`` (3.2.5) of one VEVENT,
with the property counts of the RFC's tables and the values they constrain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import vobject

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")  # RFC 3986 scheme ":" …
# (property, lowest, highest count) in one VEVENT, from the RFC's tables; None: no limit
_REQUEST = {
    "attendee": (1, None),
    "dtstamp": (1, 1),
    "dtstart": (1, 1),
    "organizer": (1, 1),
    "sequence": (0, 1),
    "summary": (1, 1),
    "uid": (1, 1),
    "dtend": (0, 1),
    "status": (0, 1),
    "location": (0, 1),
    "geo": (0, 1),
    "url": (0, 1),
}
_CANCEL = {
    "attendee": (1, None),  # 0+ in the table, but it MUST name the attendees being told
    "dtstamp": (1, 1),
    "organizer": (1, 1),
    "sequence": (1, 1),
    "uid": (1, 1),
    "status": (0, 1),
    "valarm": (0, 0),
}


@dataclass(frozen=True)
class Message:
    """The facts of a checked iTIP message that tests compare between files."""

    method: str
    uid: str
    sequence: int
    stamp: datetime
    start: datetime
    organizer: str
    attendees: tuple[str, ...]
    status: str | None
    alarms: int


def check(data: bytes) -> Message:
    """Parse ``data`` with vobject and assert it is a valid REQUEST or CANCEL; return its facts."""
    calendar = vobject.readOne(data.decode("utf-8"))
    assert calendar.name == "VCALENDAR"
    assert calendar.validate(raiseException=True)
    assert _one(calendar, "version") == "2.0"
    assert _one(calendar, "prodid")
    method = _one(calendar, "method")
    assert method in ("REQUEST", "CANCEL"), method
    events = calendar.contents.get("vevent", [])
    assert len(events) == 1, "one VEVENT per file"
    (event,) = events
    rules = _REQUEST if method == "REQUEST" else _CANCEL
    for name, (low, high) in rules.items():
        count = len(event.contents.get(name, []))
        assert count >= low and (high is None or count <= high), (method, name, count)
    assert not ("dtend" in event.contents and "duration" in event.contents)
    status = _one(event, "status") if "status" in event.contents else None
    allowed = ("TENTATIVE", "CONFIRMED") if method == "REQUEST" else ("CANCELLED",)
    assert status is None or status in allowed, (method, status)
    organizer = event.organizer.value
    attendees = tuple(a.value for a in event.contents["attendee"])
    for address in (organizer, *attendees):
        assert _URI.match(address), f"{address!r} is not a CAL-ADDRESS (a URI)"
    _zones_defined(calendar, event)
    return Message(
        method=method,
        uid=_one(event, "uid"),
        sequence=int(_one(event, "sequence")) if "sequence" in event.contents else 0,
        stamp=event.dtstamp.value,
        start=event.dtstart.value,
        organizer=organizer,
        attendees=attendees,
        status=status,
        alarms=len(event.contents.get("valarm", [])),
    )


def _one(component: vobject.base.Component, name: str) -> str:
    lines = component.contents.get(name, [])
    assert len(lines) == 1, f"{name}: {len(lines)} lines"
    return str(lines[0].value)


def _zones_defined(calendar: vobject.base.Component, event: vobject.base.Component) -> None:
    """Every TZID a time refers to has its VTIMEZONE in the file (RFC 5545, 3.2.19)."""
    defined = {_one(zone, "tzid") for zone in calendar.contents.get("vtimezone", [])}
    for name in ("dtstart", "dtend"):
        for line in event.contents.get(name, []):
            for tzid in line.params.get("TZID", []):
                assert tzid in defined, f"{name} refers to undefined {tzid}"
