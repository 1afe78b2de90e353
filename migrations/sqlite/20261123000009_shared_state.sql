-- State that every `tandem serve` instance must share when several run against one database:
-- failed sign-ins (the rate limit) and leases for periodic work (the review-queue sweep).

-- One row per failed sign-in and key: the SHA-256 of "account:<email>" or "ip:<address>", never
-- the typed text. `failed_at` is in Unix seconds.
CREATE TABLE sign_in_failures (
    key_hash   TEXT    NOT NULL CHECK (length(key_hash) = 64),
    failed_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key_hash, failed_at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (failed_at);

-- Who holds a periodic job, until when (Unix seconds). A holder that stops is replaced once its
-- lease runs out.
CREATE TABLE leases (
    name        TEXT    NOT NULL PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    holder      TEXT    NOT NULL CHECK (length(holder) BETWEEN 1 AND 128),
    expires_at  INTEGER NOT NULL,
    runs        INTEGER NOT NULL DEFAULT 0
) STRICT;
