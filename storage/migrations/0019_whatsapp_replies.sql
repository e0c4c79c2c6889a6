-- Replies owed to people who wrote on WhatsApp, as durable as an outbox row. The inbox event
-- is marked done in the same transaction that stores its replies, so an event is either
-- answered (its replies are here) or handled again after a crash, never both.
--   notice      the reply as the router built it (bot.core.notices.Notice as JSON); '{}' once
--               sent or skipped (the text is not kept)
--   outbox_id   instead of a notice: an outbox row committed with a change (a booking
--               confirmation), sent at this place in the person's order
--   first       1 on the first reply of its event: the one a late apology is put on
--   uncertain   how many times a send of it may have reached the person without the bot
--               knowing (a crash or a timeout after Meta took the request)
-- A person's replies go oldest first; one put back after an outage waits with all of them.
-- Erasing a user deletes their identities, and the trigger below their owed replies.
CREATE TABLE whatsapp_replies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     INTEGER,
    user_id      INTEGER NOT NULL,
    external_id  TEXT    NOT NULL,
    language     TEXT    NOT NULL,
    notice       TEXT    NOT NULL CHECK (json_valid(notice)),
    outbox_id    INTEGER,
    first        INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL,
    due_at       TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    uncertain    INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    sent_at      TEXT
);

CREATE INDEX whatsapp_replies_person ON whatsapp_replies (external_id, status, id);
CREATE INDEX whatsapp_replies_queue ON whatsapp_replies (status, due_at);

CREATE TRIGGER whatsapp_replies_erased AFTER DELETE ON identities
WHEN OLD.channel = 'whatsapp'
BEGIN
    DELETE FROM whatsapp_replies WHERE external_id = OLD.external_id;
END;
