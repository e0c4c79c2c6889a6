-- Files the programme sends (a trainer's lesson file, an announcement's photo or document) are
-- kept by the bot, content-addressed by their SHA-256, so every channel can send them its own
-- way: Telegram by its cached file id, WhatsApp by uploading the bytes (issue 21). They live in
-- the database, not in a folder beside it: one file to back up (storage/backup.py copies it
-- whole), and one transaction that records a broadcast and the file it names.

CREATE TABLE stored_files (
    sha256      TEXT    PRIMARY KEY,       -- hex digest of content
    mime_type   TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    content     BLOB    NOT NULL,
    created_at  TEXT    NOT NULL
);

ALTER TABLE broadcasts ADD COLUMN media_sha256 TEXT REFERENCES stored_files (sha256);
ALTER TABLE broadcasts ADD COLUMN media_name TEXT;
