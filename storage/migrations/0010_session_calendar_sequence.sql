-- The revision of a session's calendar event (iCalendar SEQUENCE). Every change owners and
-- the trainer are told of (time, place, trainer, title, cancellation) raises it by one, so
-- the .ics sent with the notice replaces the entry saved from an earlier file (same UID).
ALTER TABLE training_sessions ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;
