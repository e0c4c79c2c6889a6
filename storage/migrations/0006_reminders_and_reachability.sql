-- Reminders live in the outbox like every other promised message; ``ref`` names what a
-- queued message is about (e.g. booking:42) so a change can cancel exactly its messages.
ALTER TABLE outbox ADD COLUMN ref TEXT;
CREATE INDEX outbox_ref ON outbox (ref, status);

-- Set when Telegram answers 403 (the user blocked the bot); cleared when they write again.
ALTER TABLE users ADD COLUMN unreachable_at TEXT;

-- "Saya hadir" on a reminder.
ALTER TABLE bookings ADD COLUMN will_attend_at TEXT;
