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

-- Photos, documents and voice notes an owner sent with (or right after) a question: kept in
-- stored_files (content-addressed, shared), forwarded with the ticket. The rows go with the
-- question when the owner's data is erased, and the kept bytes too when nothing else names
-- them (storage/owners.py).
CREATE TABLE question_files (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    sha256      TEXT    NOT NULL REFERENCES stored_files (sha256),
    kind        TEXT    NOT NULL CHECK (kind IN ('photo', 'document', 'voice')),
    name        TEXT,
    at          TEXT    NOT NULL
);
CREATE INDEX question_files_question ON question_files (question_id, id);
