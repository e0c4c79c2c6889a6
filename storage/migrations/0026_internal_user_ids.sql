-- Internal user ids are the bot's own (issue 21, point 5a). Until now a Telegram user's
-- internal id was their Telegram id, and a user with no identity below 2**53 was read as a
-- Telegram user. From here on every person, on every channel, gets an allocated id, and a
-- channel's id is only ever looked up in identities.
--
-- Every existing person, booking and outbox row is kept as it is: the people first seen on
-- Telegram keep the internal number they have (nothing reads it as a Telegram id any more),
-- and the ones who had no identity row get their Telegram identity written out here.

INSERT INTO identities (user_id, channel, external_id, created_at)
SELECT u.id, 'telegram', CAST(u.id AS TEXT), u.created_at
FROM users AS u
WHERE u.id < 9007199254740992
  AND NOT EXISTS (SELECT 1 FROM identities AS i WHERE i.user_id = u.id);

-- The allocator hands out ids above every id ever used.
UPDATE id_allocator
SET next_id = MAX(next_id, (SELECT COALESCE(MAX(id), 0) + 1 FROM users))
WHERE name = 'users';

-- The staff named in the settings (DODOLAN_STAFF_IDS, Telegram ids) are registered at start-up,
-- before they ever write, so a users row no longer means that the person wrote to the bot. Such
-- a person is marked until their first message; until then the bot holds no chat with them
-- (Telegram refuses a chat its user never opened), so nothing is sent to them.
ALTER TABLE users ADD COLUMN not_yet_written INTEGER NOT NULL DEFAULT 0
    CHECK (not_yet_written IN (0, 1));
