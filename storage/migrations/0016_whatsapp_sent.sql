-- The messages the bot sent on WhatsApp: a status webhook (sent, delivered, read, failed) is
-- believed only for one of these, and only about the person it went to, so a status about
-- another number of the same app, or a forged one, marks nobody unreachable.
--   wamid_hash   SHA-256 (hex) of the wamid: a wamid spells out the number, its hash does not
--   external_id  the id it was sent to (wa_id or BSUID, as identities.external_id)
-- Rows older than 30 days are pruned as new ones come (Meta stops reporting long before);
-- erasing a user deletes theirs with their identity.
CREATE TABLE whatsapp_sent (
    wamid_hash   TEXT PRIMARY KEY,
    external_id  TEXT NOT NULL,
    sent_at      TEXT NOT NULL
);

CREATE INDEX whatsapp_sent_at ON whatsapp_sent (sent_at);
CREATE INDEX whatsapp_sent_person ON whatsapp_sent (external_id);

CREATE TRIGGER whatsapp_sent_erased AFTER DELETE ON identities
WHEN OLD.channel = 'whatsapp'
BEGIN
    DELETE FROM whatsapp_sent WHERE external_id = OLD.external_id;
END;
