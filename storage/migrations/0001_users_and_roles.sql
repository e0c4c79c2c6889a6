-- Everyone who has written to the bot, and the privileged roles some of them hold.
-- Times are UTC ISO-8601 strings written by storage.database.to_db_time.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,          -- Telegram user id (also the private chat id)
    language      TEXT    NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
    created_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL
);

-- Roles are keyed by Telegram id without a foreign key: staff listed in DODOLAN_STAFF_IDS
-- hold their role before they ever write to the bot. Every user is implicitly an owner.
CREATE TABLE user_roles (
    user_id     INTEGER NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('staff', 'trainer')),
    source      TEXT    NOT NULL CHECK (source IN ('config', 'invite')),
    granted_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, role)
);
