-- How many times a message was found "sending" after a crash and put back in the queue: its
-- earlier attempt may or may not have reached the user, so a re-send can be a duplicate.
ALTER TABLE outbox ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
