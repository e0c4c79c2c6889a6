-- Internal user ids, and each channel's id for the same person.
-- users.id is internal. A Telegram user's internal id is their Telegram user id (every row
-- before this migration, and every new Telegram user); users of other channels get ids from
-- 2^53 up, above any Telegram id (Telegram ids fit in 52 bits), so the two never collide.
-- Erasing a user deletes their identities with them (ON DELETE CASCADE).

CREATE TABLE identities (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel      TEXT    NOT NULL CHECK (channel IN ('telegram', 'whatsapp')),
    external_id  TEXT    NOT NULL,            -- Telegram user id; WhatsApp wa_id or BSUID
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (channel, external_id)
);

CREATE UNIQUE INDEX identities_one_per_channel ON identities (user_id, channel);

INSERT INTO identities (user_id, channel, external_id, created_at)
SELECT id, 'telegram', CAST(id AS TEXT), created_at FROM users;
