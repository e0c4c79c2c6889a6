-- Training sessions, owners' bookings and waitlist places, trainer invites, and the outbox
-- of messages the bot sends on its own initiative (written in the same transaction as the
-- change that causes them, so a crash can neither lose nor invent a notification).

CREATE TABLE training_sessions (
    id             INTEGER PRIMARY KEY,
    code           TEXT    NOT NULL UNIQUE,         -- deep-link code (t.me/<bot>?start=sesi-<code>)
    title          TEXT    NOT NULL,
    starts_at      TEXT    NOT NULL,
    ends_at        TEXT    NOT NULL,
    venue_name     TEXT,
    venue_address  TEXT,
    latitude       REAL,
    longitude      REAL,
    online_url     TEXT,
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    trainer_id     INTEGER,
    cutoff_at      TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    created_by     INTEGER,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (venue_name IS NOT NULL OR online_url IS NOT NULL),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE INDEX training_sessions_starts ON training_sessions (starts_at);

-- One row per owner per session they booked or queued for. ``seq`` orders the waitlist
-- first come, first served; an offered seat counts against capacity until it expires.
CREATE TABLE bookings (
    id                INTEGER PRIMARY KEY,
    session_id        INTEGER NOT NULL REFERENCES training_sessions (id),
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status            TEXT    NOT NULL CHECK (status IN
                          ('confirmed', 'waitlisted', 'offered', 'cancelled', 'declined', 'expired')),
    seq               INTEGER NOT NULL,
    offer_expires_at  TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    CHECK ((status = 'offered') = (offer_expires_at IS NOT NULL))
);

CREATE UNIQUE INDEX bookings_one_active_per_session
    ON bookings (session_id, user_id) WHERE status IN ('confirmed', 'waitlisted', 'offered');
CREATE INDEX bookings_user ON bookings (user_id, status);
CREATE INDEX bookings_session ON bookings (session_id, status, seq);

CREATE TABLE trainer_invites (
    token       TEXT    PRIMARY KEY,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    params      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
    priority    INTEGER NOT NULL DEFAULT 5,
    due_at      TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN
                    ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    message_id  INTEGER,
    created_at  TEXT    NOT NULL,
    sent_at     TEXT
);

CREATE INDEX outbox_due ON outbox (status, due_at, priority);
CREATE INDEX outbox_user ON outbox (user_id, status);
