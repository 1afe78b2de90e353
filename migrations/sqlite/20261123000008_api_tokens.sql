-- API tokens for the JSON API and FHIR endpoints. Only a SHA-256 hash of each token is kept; the
-- prefix (the first characters of the token) lets an operator tell tokens apart. A token acts
-- with its user's role and clinics and stops working when revoked or when its user is deactivated.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    prefix        TEXT    NOT NULL CHECK (length(prefix) BETWEEN 1 AND 16),
    created_at    TEXT    NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
) STRICT;

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
