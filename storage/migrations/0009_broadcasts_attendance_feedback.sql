-- Staff announcements and trainer follow-ups (one row each, with who, when, to whom, and the
-- message); the per-recipient sends are outbox rows with ref 'broadcast:<id>'.
CREATE TABLE broadcasts (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT    NOT NULL CHECK (kind IN ('announcement', 'followup')),
    created_by           INTEGER NOT NULL,
    audience             TEXT    NOT NULL CHECK (json_valid(audience)),
    text                 TEXT    NOT NULL DEFAULT '',
    media_kind           TEXT    CHECK (media_kind IN ('photo', 'document')),
    media_file_id        TEXT,
    buttons              TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(buttons)),
    status               TEXT    NOT NULL CHECK (status IN
                             ('scheduled', 'sending', 'done', 'stopped', 'cancelled')),
    send_at              TEXT    NOT NULL,
    recipients           INTEGER NOT NULL DEFAULT 0,
    skipped_opted_out    INTEGER NOT NULL DEFAULT 0,
    skipped_unreachable  INTEGER NOT NULL DEFAULT 0,
    status_chat_id       INTEGER,
    status_message_id    INTEGER,
    created_at           TEXT    NOT NULL,
    finished_at          TEXT,
    CHECK ((media_kind IS NULL) = (media_file_id IS NULL))
);

CREATE INDEX broadcasts_status ON broadcasts (status, send_at);

-- Owners who turned general announcements off (/berhenti); their own logistics still arrive.
ALTER TABLE users ADD COLUMN announcements_off INTEGER NOT NULL DEFAULT 0;

-- Attendance, recorded by a check-in QR/deep link or by the trainer's tick list.
ALTER TABLE bookings ADD COLUMN attended_at TEXT;
ALTER TABLE training_sessions ADD COLUMN checkin_code TEXT;
CREATE UNIQUE INDEX training_sessions_checkin ON training_sessions (checkin_code);

-- Attendees' feedback after a session: 1-5 stars and an optional comment.
CREATE TABLE feedback (
    booking_id  INTEGER PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
    stars       INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment     TEXT,
    created_at  TEXT    NOT NULL
);
