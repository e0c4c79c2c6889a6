-- Every event of Meta's WhatsApp webhook, stored in the transaction that precedes the 200
-- answer, so a crash never loses one and Meta's redeliveries (at least once) are recognised
-- by event_key: a message by its wamid, a status by wamid and status, a template status by
-- template id, event and time. payload is the event's own part of Meta's JSON.
CREATE TABLE whatsapp_inbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a row is marked done by id
    event_key    TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL CHECK (kind IN ('message', 'status', 'template_status', 'other')),
    wa_id        TEXT,
    bsuid        TEXT,
    payload      TEXT    NOT NULL CHECK (json_valid(payload)),
    received_at  TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'processing', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    due_at       TEXT    NOT NULL,
    last_error   TEXT,
    processed_at TEXT
);

CREATE INDEX whatsapp_inbox_queue ON whatsapp_inbox (status, due_at, id);
CREATE INDEX whatsapp_inbox_wa_id ON whatsapp_inbox (wa_id) WHERE wa_id IS NOT NULL;
CREATE INDEX whatsapp_inbox_bsuid ON whatsapp_inbox (bsuid) WHERE bsuid IS NOT NULL;
