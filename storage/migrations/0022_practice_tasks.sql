-- Practice tasks after a session: one row per attendee's booking and task from
-- content/tasks.yaml; the sends themselves are outbox rows (ref 'practice:<booking id>').
CREATE TABLE practice_tasks (
    id           INTEGER PRIMARY KEY,
    booking_id   INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    task_id      TEXT    NOT NULL,
    required     INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'review', 'done')),
    snoozes      INTEGER NOT NULL DEFAULT 0,
    due_at       TEXT    NOT NULL,
    done_at      TEXT,
    help_at      TEXT,
    -- Proof sent for review: a checked store link or a kept file (stored_files sha256).
    proof_link   TEXT,
    proof_file   TEXT,
    submitted_at TEXT,
    reviewed_by  INTEGER,
    review_note  TEXT,
    UNIQUE (booking_id, task_id)
);
CREATE INDEX practice_tasks_user ON practice_tasks (user_id);

-- Owners who stopped the practice tasks (announcements are stopped separately, /berhenti).
ALTER TABLE users ADD COLUMN tasks_off INTEGER NOT NULL DEFAULT 0;
