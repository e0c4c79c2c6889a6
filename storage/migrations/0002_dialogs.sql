-- The step a user is at in a multi-step conversation (sign-up, profile edit, ...), with the
-- answers so far, so that a conversation survives a restart of the bot.

CREATE TABLE dialogs (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    flow        TEXT    NOT NULL,
    step        TEXT    NOT NULL,
    data        TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
    updated_at  TEXT    NOT NULL
);
