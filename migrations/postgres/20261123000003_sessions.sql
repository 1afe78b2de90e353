-- Server-side sessions. Only a SHA-256 hash of the session token is stored, so a copy of the
-- database cannot be used to sign in. Idle expiry uses last_seen_at; expires_at is the absolute end.
CREATE TABLE sessions (
    id_hash       TEXT    NOT NULL PRIMARY KEY CHECK (length(id_hash) = 64),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
