-- What became of each message a channel accepted, as the channel later reports it
-- (WhatsApp's sent, delivered, read, failed). Keyed by the channel's message id, which the
-- outbox keeps in outbox.message_id once the row is sent. Statuses may arrive out of order
-- and more than once: the row keeps the furthest one (failed counts as final).

CREATE TABLE delivery_statuses (
    channel     TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'failed')),
    error_code  INTEGER,
    error       TEXT,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (channel, message_id)
);
