-- Certificates of completion: one live certificate per attended booking whose required
-- practice tasks are done; a reissue revokes the old code and issues a new one. The names
-- are copied at issue time (what the paper says); /hapusdata blanks them and revokes.
CREATE TABLE certificates (
    code            TEXT    PRIMARY KEY,
    booking_id      INTEGER,
    user_id         INTEGER,
    session_id      INTEGER NOT NULL,
    owner_name      TEXT,
    business_name   TEXT,
    session_title   TEXT    NOT NULL,
    session_date    TEXT    NOT NULL,
    trainer_name    TEXT,
    issued_at       TEXT    NOT NULL,
    revoked_at      TEXT,
    revoked_reason  TEXT CHECK (revoked_reason IN ('staff', 'reissued', 'erased'))
);
CREATE UNIQUE INDEX certificates_live ON certificates (booking_id) WHERE revoked_at IS NULL;
CREATE INDEX certificates_user ON certificates (user_id);

-- An erased owner's certificates keep only their code and session, and say "revoked".
CREATE TRIGGER certificates_erased AFTER DELETE ON users
BEGIN
    UPDATE certificates
       SET owner_name = NULL, business_name = NULL, user_id = NULL, booking_id = NULL,
           revoked_at = COALESCE(revoked_at, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
           revoked_reason = COALESCE(revoked_reason, 'erased')
     WHERE user_id = OLD.id;
END;
