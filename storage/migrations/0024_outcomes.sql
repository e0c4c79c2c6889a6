-- The programme's outcome: check-ins 1, 3 and 6 months after an attended session (sent as
-- outbox rows with ref 'outcome:<booking id>'), one row per booking and month, kept over time.
CREATE TABLE outcome_checkins (
    id            INTEGER PRIMARY KEY,
    booking_id    INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    month         INTEGER NOT NULL CHECK (month IN (1, 3, 6)),
    due_at        TEXT    NOT NULL,
    sells_online  INTEGER,                      -- 1 yes, 0 not yet, NULL not answered
    marketplaces  TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(marketplaces)),
    orders        TEXT CHECK (orders IN ('0', '1-5', '6-20', '20+')),
    obstacle      TEXT,
    answered_at   TEXT,
    UNIQUE (booking_id, month)
);
CREATE INDEX outcome_checkins_user ON outcome_checkins (user_id);
