-- Care-manager workflows (SQLite): episode details and care plans, the patient's care-intensity
-- facts, measurement edits and deletions with reasons, contacts, hospital/ED events, treatment
-- changes and status changes. Every editable record carries a version for optimistic concurrency.

ALTER TABLE episodes ADD COLUMN care_manager_id INTEGER REFERENCES users (id);
ALTER TABLE episodes ADD COLUMN consultant_id INTEGER REFERENCES users (id);
ALTER TABLE episodes ADD COLUMN pcp TEXT NOT NULL DEFAULT '' CHECK (length(pcp) <= 100);
-- Comma-separated target condition codes, e.g. 'depression,anxiety'.
ALTER TABLE episodes ADD COLUMN targets TEXT NOT NULL DEFAULT 'depression';
ALTER TABLE episodes ADD COLUMN care_plan TEXT NOT NULL DEFAULT '' CHECK (length(care_plan) <= 4000);
ALTER TABLE episodes ADD COLUMN relapse_plan TEXT NOT NULL DEFAULT '' CHECK (length(relapse_plan) <= 4000);
ALTER TABLE episodes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- A care manager's caseload: their open episodes.
CREATE INDEX episodes_by_care_manager ON episodes (care_manager_id, discharged_on, patient_id);

-- Care-intensity facts (DOMAIN.md §5). Chronic conditions are one per line.
ALTER TABLE patients ADD COLUMN chronic_conditions TEXT NOT NULL DEFAULT '' CHECK (length(chronic_conditions) <= 2000);
-- Comma-separated social-need codes.
ALTER TABLE patients ADD COLUMN social_needs TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN substance_use_disorder INTEGER NOT NULL DEFAULT 0 CHECK (substance_use_disorder IN (0, 1));
ALTER TABLE patients ADD COLUMN serious_mental_illness INTEGER NOT NULL DEFAULT 0 CHECK (serious_mental_illness IN (0, 1));
ALTER TABLE patients ADD COLUMN long_term_care_decision INTEGER NOT NULL DEFAULT 0 CHECK (long_term_care_decision IN (0, 1));

ALTER TABLE measurements ADD COLUMN difficulty TEXT CHECK (difficulty IS NULL OR difficulty IN ('not_difficult', 'somewhat', 'very', 'extremely'));
ALTER TABLE measurements ADD COLUMN entered_by INTEGER REFERENCES users (id);
ALTER TABLE measurements ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- Deleted scores stay for the record; every reader skips them.
ALTER TABLE measurements ADD COLUMN deleted_at TEXT;

-- Why a score was edited or deleted, with the values it had before.
CREATE TABLE measurement_changes (
    id               INTEGER PRIMARY KEY,
    measurement_id   INTEGER NOT NULL REFERENCES measurements (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('edit', 'delete')),
    reason           TEXT    NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
    previous_taken_on TEXT   NOT NULL,
    previous_items   TEXT,
    previous_total   INTEGER NOT NULL,
    user_id          INTEGER REFERENCES users (id),
    changed_at       TEXT    NOT NULL
) STRICT;
CREATE INDEX measurement_changes_by_measurement ON measurement_changes (measurement_id, id);

CREATE TABLE contacts (
    id               INTEGER PRIMARY KEY,
    episode_id       INTEGER NOT NULL REFERENCES episodes (id),
    occurred_on      TEXT    NOT NULL CHECK (occurred_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    kind             TEXT    NOT NULL CHECK (kind IN ('in_person', 'phone', 'video', 'message', 'group', 'attempt_no_answer', 'no_show', 'psychiatric_consultation')),
    minutes          INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 480),
    note             TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    user_id          INTEGER REFERENCES users (id),
    by_care_manager  INTEGER NOT NULL CHECK (by_care_manager IN (0, 1)),
    entered_at       TEXT    NOT NULL
) STRICT;
CREATE INDEX contacts_by_episode ON contacts (episode_id, occurred_on, id);

CREATE TABLE hospital_events (
    id             INTEGER PRIMARY KEY,
    episode_id     INTEGER NOT NULL REFERENCES episodes (id),
    setting        TEXT    NOT NULL CHECK (setting IN ('hospital', 'emergency_department')),
    -- Clinic-local date and time of discharge, 'YYYY-MM-DDTHH:MM:SS'.
    discharged_at  TEXT    NOT NULL,
    user_id        INTEGER REFERENCES users (id),
    entered_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX hospital_events_by_episode ON hospital_events (episode_id, discharged_at);

CREATE TABLE treatment_changes (
    id           INTEGER PRIMARY KEY,
    episode_id   INTEGER NOT NULL REFERENCES episodes (id),
    changed_on   TEXT    NOT NULL CHECK (changed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    description  TEXT    NOT NULL CHECK (length(trim(description)) BETWEEN 1 AND 500),
    user_id      INTEGER REFERENCES users (id),
    entered_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX treatment_changes_by_episode ON treatment_changes (episode_id, changed_on);

CREATE TABLE status_changes (
    id           INTEGER PRIMARY KEY,
    episode_id   INTEGER NOT NULL REFERENCES episodes (id),
    changed_on   TEXT    NOT NULL,
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL CHECK (to_status IN ('active', 'relapse_prevention', 'discharged')),
    reason       TEXT    NOT NULL CHECK (reason IN ('started', 'improved', 'remission_met', 'referred_specialty', 'declined', 'lost_to_follow_up', 'moved', 'relapse', 'other')),
    note         TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    user_id      INTEGER REFERENCES users (id),
    entered_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX status_changes_by_episode ON status_changes (episode_id, id);
