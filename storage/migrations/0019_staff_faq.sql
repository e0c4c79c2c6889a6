-- FAQ entries staff made from a good answer to a ticket ("📚 Jadikan FAQ"). The search
-- merges them with content/faq.yaml, so the running bot never rewrites the repository's file.
-- The question is kept as the owner typed it (staff saw and confirmed it): it stays when the
-- owner's data is deleted, as an FAQ entry and no longer theirs.

CREATE TABLE staff_faq (
    id          TEXT    PRIMARY KEY,     -- "staf-<question id>", unique per ticket
    question_id INTEGER REFERENCES questions (id) ON DELETE SET NULL,
    question    TEXT    NOT NULL,
    answer      TEXT    NOT NULL,        -- plain text as staff typed it
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL
);
