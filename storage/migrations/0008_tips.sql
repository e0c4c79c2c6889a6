-- Marketplace tips: what each owner was sent, what they thought of it, daily subscriptions.

-- Every tip sent to a user (from /tips, the daily tip or the preparation series).
CREATE TABLE tips_sent (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tip_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    via TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX tips_sent_user ON tips_sent (user_id, tip_id, sent_at);
CREATE INDEX tips_sent_tip ON tips_sent (tip_id);

-- One opinion per user and tip; tapping the other button changes it.
CREATE TABLE tips_feedback (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tip_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (user_id, tip_id)
);

-- The daily tip: the chosen slot (morning, midday, evening) and whether it is paused.
CREATE TABLE tips_subscriptions (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    slot TEXT NOT NULL,
    active INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per user and local day that has a daily tip queued; the unique key makes the
-- chain (each day's tip queues the next day's) safe against crashes and retries.
CREATE TABLE tips_daily (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    tip_id TEXT,
    PRIMARY KEY (user_id, day)
);
