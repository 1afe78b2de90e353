-- Accounts, clinic membership, sessions and the append-only audit log (PostgreSQL).

CREATE TABLE users (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stored trimmed and lower-cased, so uniqueness is case-insensitive.
    email                TEXT        NOT NULL UNIQUE CHECK (email = lower(trim(email)) AND length(email) BETWEEN 3 AND 254),
    display_name         TEXT        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role                 TEXT        NOT NULL CHECK (role IN ('care_manager', 'psychiatric_consultant', 'clinic_lead', 'admin')),
    -- PHC string from argon2id.
    password_hash        TEXT        NOT NULL,
    active               BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_clinics (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    clinic_id  BIGINT NOT NULL REFERENCES clinics (id),
    PRIMARY KEY (user_id, clinic_id)
);

CREATE INDEX user_clinics_by_clinic ON user_clinics (clinic_id, user_id);

-- Append-only: who did what to which record, when, from where, and how it ended. Never PHI.
CREATE TABLE audit_log (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL,
    user_id      BIGINT REFERENCES users (id),
    action       TEXT        NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    entity_type  TEXT        CHECK (entity_type IS NULL OR length(entity_type) BETWEEN 1 AND 32),
    entity_id    BIGINT,
    ip           TEXT        CHECK (ip IS NULL OR length(ip) <= 45),
    outcome      TEXT        NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed'))
);

CREATE INDEX audit_log_by_time ON audit_log (at, id);
CREATE INDEX audit_log_by_user ON audit_log (user_id, at);
CREATE INDEX audit_log_by_entity ON audit_log (entity_type, entity_id, at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_is_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TRIGGER audit_log_is_append_only_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
