-- Accounts, clinic membership, sessions and the append-only audit log (SQLite).

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    -- Stored trimmed and lower-cased, so uniqueness is case-insensitive.
    email                TEXT    NOT NULL UNIQUE CHECK (email = lower(trim(email)) AND length(email) BETWEEN 3 AND 254),
    display_name         TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role                 TEXT    NOT NULL CHECK (role IN ('care_manager', 'psychiatric_consultant', 'clinic_lead', 'admin')),
    -- PHC string from argon2id.
    password_hash        TEXT    NOT NULL,
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
) STRICT;

CREATE TABLE user_clinics (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    clinic_id  INTEGER NOT NULL REFERENCES clinics (id),
    PRIMARY KEY (user_id, clinic_id)
) STRICT;

CREATE INDEX user_clinics_by_clinic ON user_clinics (clinic_id, user_id);

-- Append-only: who did what to which record, when, from where, and how it ended. Never PHI.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    user_id      INTEGER REFERENCES users (id),
    action       TEXT    NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    entity_type  TEXT    CHECK (entity_type IS NULL OR length(entity_type) BETWEEN 1 AND 32),
    entity_id    INTEGER,
    ip           TEXT    CHECK (ip IS NULL OR length(ip) <= 45),
    outcome      TEXT    NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed'))
) STRICT;

CREATE INDEX audit_log_by_time ON audit_log (at, id);
CREATE INDEX audit_log_by_user ON audit_log (user_id, at);
CREATE INDEX audit_log_by_entity ON audit_log (entity_type, entity_id, at);

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
