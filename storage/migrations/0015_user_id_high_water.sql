-- Internal ids of users first seen outside Telegram are never handed out twice: after an
-- erasure the next newcomer gets a new id, not the erased person's. The row holds only the
-- next free id (no personal data).

CREATE TABLE id_allocator (
    name     TEXT    PRIMARY KEY,
    next_id  INTEGER NOT NULL
);

INSERT INTO id_allocator (name, next_id)
SELECT 'users', MAX(9007199254740992, COALESCE(MAX(id), 0) + 1) FROM users;
