-- What the WhatsApp channel must remember across restarts, keyed by the id it sends to (the
-- person's wa_id, or their BSUID when they have no phone number; the same value as
-- identities.external_id):
--   whatsapp_windows  when the person last wrote (the 24-hour customer-service window), and
--                     when Meta last refused a free-form message as outside it (131047);
--   whatsapp_tier     the first out-of-window template sent to each person in the last 24 h
--                     (Meta's messaging limit counts unique recipients of those);
--   whatsapp_menus    the last numbered menu sent to the person, so "2" can be read back;
--   whatsapp_held     notices that went out as a "tap to read it" template while the window
--                     was closed: the messages (Cloud API bodies, files already uploaded)
--                     sent when the person taps, and their numbered menu if they had one.
-- Erasing a user deletes their identities, and the trigger below their windows, menus and
-- held notices; their tier row is kept under a random name, so the count Meta holds us to
-- stays right.
CREATE TABLE whatsapp_windows (
    external_id   TEXT PRIMARY KEY,
    last_inbound  TEXT NOT NULL,
    refused_at    TEXT
);

CREATE TABLE whatsapp_tier (
    external_id  TEXT PRIMARY KEY,
    counted_at   TEXT NOT NULL
);

CREATE INDEX whatsapp_tier_counted ON whatsapp_tier (counted_at);

CREATE TABLE whatsapp_menus (
    external_id  TEXT PRIMARY KEY,
    choices      TEXT NOT NULL CHECK (json_valid(choices)),
    sent_at      TEXT NOT NULL
);

CREATE TABLE whatsapp_held (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    parts        TEXT    NOT NULL CHECK (json_valid(parts)),
    menu         TEXT    CHECK (menu IS NULL OR json_valid(menu)),
    held_at      TEXT    NOT NULL
);

CREATE INDEX whatsapp_held_person ON whatsapp_held (external_id, id);

CREATE TRIGGER whatsapp_identity_erased AFTER DELETE ON identities
WHEN OLD.channel = 'whatsapp'
BEGIN
    DELETE FROM whatsapp_windows WHERE external_id = OLD.external_id;
    DELETE FROM whatsapp_menus WHERE external_id = OLD.external_id;
    DELETE FROM whatsapp_held WHERE external_id = OLD.external_id;
    UPDATE whatsapp_tier SET external_id = 'erased:' || lower(hex(randomblob(8)))
        WHERE external_id = OLD.external_id;
END;
