-- Per-clinic settings (flag thresholds, target caseload) as one JSON document per clinic.
-- Fields missing from a document take their documented defaults.
CREATE TABLE clinic_settings (
    clinic_id   BIGINT NOT NULL PRIMARY KEY REFERENCES clinics (id),
    settings    TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
