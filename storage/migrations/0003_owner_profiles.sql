-- UKM owners' sign-up data, their consent, and an anonymous count of erasures (UU PDP).

CREATE TABLE owner_profiles (
    user_id        INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    full_name      TEXT    NOT NULL,
    business_name  TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    kecamatan      TEXT    NOT NULL,
    phone          TEXT    NOT NULL,
    marketplaces   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(marketplaces)),
    nib            TEXT,
    registered_at  TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

CREATE INDEX owner_profiles_kecamatan ON owner_profiles (kecamatan);
CREATE INDEX owner_profiles_category ON owner_profiles (category);

CREATE TABLE consents (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    granted_at  TEXT    NOT NULL
);

CREATE INDEX consents_user ON consents (user_id);

-- A deep-link payload (e.g. a session code) remembered until sign-up is done.
ALTER TABLE users ADD COLUMN pending_start TEXT;

-- No personal data: only that an erasure happened, so staff can count them.
CREATE TABLE erasures (
    id         INTEGER PRIMARY KEY,
    erased_at  TEXT NOT NULL  -- a date only
);
