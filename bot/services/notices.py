"""Kinds of messages the bot sends on its own initiative, queued in the outbox.

Each notice stores ids, not text: the sender reloads the records and renders them in the
recipient's language when it sends, so a notice about a changed or cancelled session never
shows stale details.
"""

from __future__ import annotations

SEAT_OFFER = "seat_offer"  # {booking_id}
OFFER_EXPIRED = "offer_expired"  # {session_id}
SESSION_CHANGED = "session_changed"  # {session_id, changes: [field, ...]}
SESSION_CANCELLED = "session_cancelled"  # {session_id}
WAITLIST_MOVED = "waitlist_moved"  # {booking_id}
WAITLIST_ENDED = "waitlist_ended"  # {session_id}
REMINDER = "reminder"  # {booking_id, rule}
TRAINER_REMINDER = "trainer_reminder"  # {session_id, rule}

# Lower sends first. Offers are time-boxed, so they jump the queue.
PRIORITY = {SEAT_OFFER: 1, OFFER_EXPIRED: 2, SESSION_CANCELLED: 2, SESSION_CHANGED: 3}
