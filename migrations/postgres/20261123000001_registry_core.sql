-- Tandem core registry schema (PostgreSQL): clinics, patients, treatment episodes, measurements.

CREATE TABLE clinics (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT        NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 200),
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE patients (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clinic_id    BIGINT      NOT NULL REFERENCES clinics (id),
    mrn          TEXT        NOT NULL CHECK (length(mrn) BETWEEN 1 AND 32),
    given_name   TEXT        COLLATE "C" NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
    family_name  TEXT        COLLATE "C" NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
    birth_date   DATE        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    version      BIGINT      NOT NULL DEFAULT 1,
    UNIQUE (clinic_id, mrn)
);

-- The patient list orders by name, across clinics or within one. The name columns use the "C"
-- collation, byte-wise as SQLite's default, so both backends list patients in the same order.
CREATE INDEX patients_by_name ON patients (family_name, given_name, id);
CREATE INDEX patients_by_clinic_name ON patients (clinic_id, family_name, given_name, id);

CREATE TABLE episodes (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id     BIGINT      NOT NULL REFERENCES patients (id),
    enrolled_on    DATE        NOT NULL,
    discharged_on  DATE        CHECK (discharged_on IS NULL OR discharged_on >= enrolled_on),
    status         TEXT        NOT NULL CHECK (status IN ('active', 'relapse_prevention', 'discharged')),
    created_at     TIMESTAMPTZ NOT NULL,
    CHECK ((status = 'discharged') = (discharged_on IS NOT NULL))
);

-- At most one open episode per patient; re-enrollment opens a new one after discharge.
CREATE UNIQUE INDEX episodes_one_open_per_patient ON episodes (patient_id) WHERE discharged_on IS NULL;
CREATE INDEX episodes_by_patient ON episodes (patient_id, enrolled_on, id);

CREATE TABLE measurements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id  BIGINT      NOT NULL REFERENCES episodes (id),
    instrument  TEXT        NOT NULL CHECK (instrument IN ('PHQ-9', 'PHQ-2', 'GAD-7')),
    taken_on    DATE        NOT NULL,
    -- Comma-separated item answers 0-3 in item order; NULL for a "total only" historical entry.
    items       TEXT        CHECK (items IS NULL OR items ~ '^[0-3](,[0-3]){1,8}$'),
    total       BIGINT      NOT NULL CHECK (total BETWEEN 0 AND 27),
    source      TEXT        NOT NULL CHECK (source IN ('clinician', 'import', 'self_report')),
    entered_at  TIMESTAMPTZ NOT NULL
);

-- Trajectories and "latest score" lookups read one episode's scores of one instrument in date order.
CREATE INDEX measurements_by_episode ON measurements (episode_id, instrument, taken_on, id);
