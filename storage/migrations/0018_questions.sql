-- Tanya Dinas: every question an owner typed, the line that answered it, and the tickets
-- handed to a person with their conversation. Personal data: it goes with the users row.

CREATE TABLE questions (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel           TEXT    NOT NULL,
    text              TEXT    NOT NULL,
    line              TEXT    NOT NULL CHECK (line IN ('own', 'faq', 'choices', 'person')),
    faq_id            TEXT,                  -- the FAQ entry that answered or was picked
    helpful           INTEGER,               -- 1 once the owner tapped "👍 Terjawab"
    session_id        INTEGER REFERENCES training_sessions (id) ON DELETE SET NULL,
    status            TEXT CHECK (status IN ('open', 'answered', 'closed')),  -- tickets only
    due_at            TEXT,                  -- the promised answer time (tickets only)
    to_trainer        INTEGER NOT NULL DEFAULT 0,  -- the session's trainer may answer it
    first_response_at TEXT,
    answered_by       INTEGER,
    created_at        TEXT    NOT NULL,
    handed_at         TEXT                   -- when it became a ticket
);
CREATE INDEX questions_user ON questions (user_id, created_at);
CREATE INDEX questions_status ON questions (status, due_at);

CREATE TABLE question_messages (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    author      TEXT    NOT NULL CHECK (author IN ('owner', 'staff')),
    author_id   INTEGER,
    text        TEXT    NOT NULL,
    at          TEXT    NOT NULL
);
CREATE INDEX question_messages_question ON question_messages (question_id, id);
