"""Kinds of messages the bot sends on its own initiative, queued in the outbox.

Each notice stores ids, not text: the sender reloads the records and renders them in the
recipient's language when it sends, so a notice about a changed or cancelled session never
shows stale details.

A reply that reports a committed change the owner must know about (a seat, a waitlist place,
a cancellation, a move, a taken or passed offer) is a notice too, queued in the transaction
that makes the change and due ``REPLY_GRACE`` later. The handler sends it at once, as the
reply, by claiming the row; the outbox sender takes it only if nobody did by then (the
handler failed, or the process died between the commit and the send). A row is claimed by
one sender only, so the owner hears once, and a restart can never lose it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.notices import NoticeKind

SEAT_OFFER = NoticeKind.SEAT_OFFER  # {booking_id}
OFFER_EXPIRED = NoticeKind.OFFER_EXPIRED  # {session_id}
# A session staff changed or cancelled, to each owner in it ({booking_id, was: its status}) and
# to its trainer ({trainer: true}); ``sequence`` is the calendar revision the change made.
SESSION_CHANGED = (
    NoticeKind.SESSION_CHANGED
)  # {session_id, changes: [field], before, after, sequence}
SESSION_CANCELLED = NoticeKind.SESSION_CANCELLED  # {session_id, sequence}
WAITLIST_MOVED = NoticeKind.WAITLIST_MOVED  # {booking_id}
WAITLIST_ENDED = NoticeKind.WAITLIST_ENDED  # {session_id}
REMINDER = NoticeKind.REMINDER  # {booking_id, rule}
TRAINER_REMINDER = NoticeKind.TRAINER_REMINDER  # {session_id, rule}

# Replies about the owner's own booking change (see above); ``at`` is when it was made.
# {booking_id, at}: booked, an offer taken, or moved (``moved_from``: the booking released)
BOOKING_CONFIRMED = NoticeKind.BOOKING_CONFIRMED
WAITLIST_JOINED = NoticeKind.WAITLIST_JOINED  # {booking_id, at}
BOOKING_CANCELLED = NoticeKind.BOOKING_CANCELLED  # {booking_id, at, had_seat: 1 if it held a seat}
OFFER_DECLINED = NoticeKind.OFFER_DECLINED  # {booking_id, at}
REPLIES = (BOOKING_CONFIRMED, WAITLIST_JOINED, BOOKING_CANCELLED, OFFER_DECLINED)
REPLY_GRACE = timedelta(seconds=10)

# Lower sends first. Offers are time-boxed, so they jump the queue; a reply owed since a crash
# comes right after them.
PRIORITY: dict[str, int] = {
    SEAT_OFFER: 1,
    OFFER_EXPIRED: 2,
    SESSION_CANCELLED: 2,
    SESSION_CHANGED: 3,
    **dict.fromkeys(REPLIES, 2),
}
