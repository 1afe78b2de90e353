-- Server-side sessions. Only a SHA-256 hash of the session token is stored, so a copy of the
-- database cannot be used to sign in. Idle expiry uses last_seen_at; expires_at is the absolute end.
CREATE TABLE sessions (
    id_hash       TEXT    NOT NULL PRIMARY KEY CHECK (length(id_hash) = 64),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL,
    expires_at    TEXT    NOT NULL
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
