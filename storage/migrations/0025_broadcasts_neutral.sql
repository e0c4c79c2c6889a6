-- A broadcast holds nothing of Telegram (issue 21, point 5b):
-- * its file is the stored file (media_sha256); the Telegram file id it came with moves to
--   channel_file_refs, the edges' cache of their own ids for the files the bot keeps (keyed by
--   the file's SHA-256). A file from before the bot kept files has no stored bytes: its
--   Telegram file id is cached under the key 'broadcast:<id>', so Telegram still sends it;
--   WhatsApp sends such a broadcast's text only, as before.
-- * its link buttons are neutral rows of {"label", "url"} (were Telegram's {"text", "url"});
-- * the message where the sender watches its progress moves to broadcast_status_messages,
--   written and read only by the edge that showed it (a Telegram ref is '<chat>:<message>').

CREATE TABLE channel_file_refs (
    channel     TEXT    NOT NULL,
    key         TEXT    NOT NULL,          -- a stored file's sha256, or 'broadcast:<id>'
    ref         TEXT    NOT NULL,          -- the channel's own id of the file
    PRIMARY KEY (channel, key)
);

-- The newest file id of each file wins (ids of one file are interchangeable on Telegram).
INSERT OR IGNORE INTO channel_file_refs (channel, key, ref)
SELECT 'telegram', COALESCE(media_sha256, 'broadcast:' || id), media_file_id
FROM broadcasts WHERE media_file_id IS NOT NULL ORDER BY id DESC;

-- Kept aside first: dropping the old table below would cascade to a table referencing it.
CREATE TEMP TABLE status_messages_0025 AS
SELECT id AS broadcast_id, 'telegram' AS channel,
    status_chat_id || ':' || status_message_id AS ref
FROM broadcasts WHERE status_chat_id IS NOT NULL AND status_message_id IS NOT NULL;

CREATE TABLE broadcasts_0025 (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT    NOT NULL CHECK (kind IN ('announcement', 'followup')),
    created_by           INTEGER NOT NULL,
    audience             TEXT    NOT NULL CHECK (json_valid(audience)),
    text                 TEXT    NOT NULL DEFAULT '',
    media_kind           TEXT    CHECK (media_kind IN ('photo', 'document')),
    media_sha256         TEXT    REFERENCES stored_files (sha256),
    media_name           TEXT,
    buttons              TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(buttons)),
    status               TEXT    NOT NULL CHECK (status IN
                             ('scheduled', 'sending', 'done', 'stopped', 'cancelled')),
    send_at              TEXT    NOT NULL,
    recipients           INTEGER NOT NULL DEFAULT 0,
    skipped_opted_out    INTEGER NOT NULL DEFAULT 0,
    skipped_unreachable  INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT    NOT NULL,
    finished_at          TEXT,
    CHECK (media_sha256 IS NULL OR media_kind IS NOT NULL)
);

INSERT INTO broadcasts_0025 (id, kind, created_by, audience, text, media_kind, media_sha256,
    media_name, buttons, status, send_at, recipients, skipped_opted_out, skipped_unreachable,
    created_at, finished_at)
SELECT id, kind, created_by, audience, text, media_kind, media_sha256, media_name,
    COALESCE((
        SELECT json_group_array(json((
            SELECT json_group_array(json_object(
                'label', json_extract(b.value, '$.text'), 'url', json_extract(b.value, '$.url')))
            FROM json_each(r.value) AS b
        )))
        FROM json_each(broadcasts.buttons) AS r
    ), '[]'),
    status, send_at, recipients, skipped_opted_out, skipped_unreachable, created_at,
    finished_at
FROM broadcasts;

DROP TABLE broadcasts;
ALTER TABLE broadcasts_0025 RENAME TO broadcasts;
CREATE INDEX broadcasts_status ON broadcasts (status, send_at);

CREATE TABLE broadcast_status_messages (
    broadcast_id  INTEGER PRIMARY KEY REFERENCES broadcasts (id) ON DELETE CASCADE,
    channel       TEXT    NOT NULL,
    ref           TEXT    NOT NULL          -- the channel's own reference to the message
);

INSERT INTO broadcast_status_messages (broadcast_id, channel, ref)
SELECT broadcast_id, channel, ref FROM status_messages_0025;
DROP TABLE status_messages_0025;
