-- Tandem core registry schema (SQLite): clinics, patients, treatment episodes, measurements.
-- Dates are ISO-8601 'YYYY-MM-DD' text; instants are RFC 3339 UTC text.

CREATE TABLE clinics (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 200),
    created_at  TEXT    NOT NULL
) STRICT;

CREATE TABLE patients (
    id           INTEGER PRIMARY KEY,
    clinic_id    INTEGER NOT NULL REFERENCES clinics (id),
    mrn          TEXT    NOT NULL CHECK (length(mrn) BETWEEN 1 AND 32),
    given_name   TEXT    NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
    family_name  TEXT    NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
    birth_date   TEXT    NOT NULL CHECK (birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (clinic_id, mrn)
) STRICT;

-- The patient list orders by name, across clinics or within one.
CREATE INDEX patients_by_name ON patients (family_name, given_name, id);
CREATE INDEX patients_by_clinic_name ON patients (clinic_id, family_name, given_name, id);

CREATE TABLE episodes (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients (id),
    enrolled_on    TEXT    NOT NULL CHECK (enrolled_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    discharged_on  TEXT    CHECK (discharged_on IS NULL OR discharged_on >= enrolled_on),
    status         TEXT    NOT NULL CHECK (status IN ('active', 'relapse_prevention', 'discharged')),
    created_at     TEXT    NOT NULL,
    CHECK ((status = 'discharged') = (discharged_on IS NOT NULL))
) STRICT;

-- At most one open episode per patient; re-enrollment opens a new one after discharge.
CREATE UNIQUE INDEX episodes_one_open_per_patient ON episodes (patient_id) WHERE discharged_on IS NULL;
CREATE INDEX episodes_by_patient ON episodes (patient_id, enrolled_on, id);

CREATE TABLE measurements (
    id          INTEGER PRIMARY KEY,
    episode_id  INTEGER NOT NULL REFERENCES episodes (id),
    instrument  TEXT    NOT NULL CHECK (instrument IN ('PHQ-9', 'PHQ-2', 'GAD-7')),
    taken_on    TEXT    NOT NULL CHECK (taken_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    -- Comma-separated item answers 0-3 in item order; NULL for a "total only" historical entry.
    items       TEXT    CHECK (items IS NULL OR (items NOT GLOB '*[^0-3,]*' AND length(items) BETWEEN 3 AND 17)),
    total       INTEGER NOT NULL CHECK (total BETWEEN 0 AND 27),
    source      TEXT    NOT NULL CHECK (source IN ('clinician', 'import', 'self_report')),
    entered_at  TEXT    NOT NULL
) STRICT;

-- Trajectories and "latest score" lookups read one episode's scores of one instrument in date order.
CREATE INDEX measurements_by_episode ON measurements (episode_id, instrument, taken_on, id);
