-- The weekly psychiatric case review (SQLite): the review list's index, manual review marks,
-- "ready for review" summaries, deferrals, meetings with their agenda outcomes, case reviews,
-- and recommendations that are the care manager's tasks until communicated or done.

-- One row per open episode: the first day it is on the review list if nothing new is recorded
-- (`due_on`, NULL for never). Triggers mark a row stale whenever the episode's records change, so
-- no write path can leave it out of date; the list re-evaluates stale rows and rows due by its
-- date, and writes the fresh day back only if `version` has not moved meanwhile.
CREATE TABLE review_queue (
    episode_id  INTEGER PRIMARY KEY REFERENCES episodes (id),
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    due_on      TEXT CHECK (due_on IS NULL OR due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    stale       INTEGER NOT NULL DEFAULT 1 CHECK (stale IN (0, 1)),
    version     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX review_queue_due ON review_queue (clinic_id, due_on);
CREATE INDEX review_queue_stale ON review_queue (clinic_id, stale);

INSERT INTO review_queue (episode_id, clinic_id, due_on, stale, version)
SELECT e.id, p.clinic_id, NULL, 1, 0 FROM episodes e JOIN patients p ON p.id = e.patient_id
WHERE e.discharged_on IS NULL;

-- "Discuss at review", with a reason (the `manual` flag). A removed mark stays for the record.
CREATE TABLE review_marks (
    id          INTEGER PRIMARY KEY,
    episode_id  INTEGER NOT NULL REFERENCES episodes (id),
    marked_on   TEXT    NOT NULL CHECK (marked_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    reason      TEXT    NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
    marked_by   INTEGER REFERENCES users (id),
    created_at  TEXT    NOT NULL,
    removed_at  TEXT,
    removed_by  INTEGER REFERENCES users (id)
) STRICT;
CREATE INDEX review_marks_by_episode ON review_marks (episode_id, id);

-- "Ready for review": the care manager's short case summary for the next meeting.
CREATE TABLE review_preps (
    id           INTEGER PRIMARY KEY,
    episode_id   INTEGER NOT NULL REFERENCES episodes (id),
    prepared_on  TEXT    NOT NULL,
    summary      TEXT    NOT NULL CHECK (length(trim(summary)) BETWEEN 1 AND 1000),
    prepared_by  INTEGER REFERENCES users (id),
    created_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX review_preps_by_episode ON review_preps (episode_id, id);

-- A clinic's weekly meeting, created when it starts.
CREATE TABLE review_meetings (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    meets_on    TEXT    NOT NULL CHECK (meets_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    attendees   TEXT    NOT NULL DEFAULT '' CHECK (length(attendees) <= 500),
    started_by  INTEGER REFERENCES users (id),
    started_at  TEXT    NOT NULL,
    ended_at    TEXT,
    UNIQUE (clinic_id, meets_on)
) STRICT;

-- Who was on a meeting's list and what happened: reviewed, deferred or not reached (carried
-- forward). `carried_weeks` is how many meetings the patient had already been carried into this one.
CREATE TABLE meeting_entries (
    meeting_id     INTEGER NOT NULL REFERENCES review_meetings (id),
    episode_id     INTEGER NOT NULL REFERENCES episodes (id),
    outcome        TEXT    NOT NULL CHECK (outcome IN ('reviewed', 'deferred', 'not_reached')),
    carried_weeks  INTEGER NOT NULL CHECK (carried_weeks >= 0),
    PRIMARY KEY (meeting_id, episode_id)
) STRICT;

-- A patient deferred one week at a meeting, with the reason.
CREATE TABLE review_deferrals (
    id           INTEGER PRIMARY KEY,
    episode_id   INTEGER NOT NULL REFERENCES episodes (id),
    clinic_id    INTEGER NOT NULL REFERENCES clinics (id),
    meets_on     TEXT    NOT NULL,
    reason       TEXT    NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
    deferred_by  INTEGER REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    UNIQUE (episode_id, meets_on)
) STRICT;
CREATE INDEX review_deferrals_by_meeting ON review_deferrals (clinic_id, meets_on);

-- A patient reviewed at a meeting: this is the "psychiatric case review" the flags read.
CREATE TABLE case_reviews (
    id           INTEGER PRIMARY KEY,
    meeting_id   INTEGER NOT NULL REFERENCES review_meetings (id),
    episode_id   INTEGER NOT NULL REFERENCES episodes (id),
    reviewed_on  TEXT    NOT NULL CHECK (reviewed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    reviewer_id  INTEGER REFERENCES users (id),
    note         TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at   TEXT    NOT NULL,
    UNIQUE (meeting_id, episode_id)
) STRICT;
CREATE INDEX case_reviews_by_episode ON case_reviews (episode_id, reviewed_on);

CREATE TABLE recommendations (
    id                 INTEGER PRIMARY KEY,
    case_review_id     INTEGER NOT NULL REFERENCES case_reviews (id),
    episode_id         INTEGER NOT NULL REFERENCES episodes (id),
    kind               TEXT    NOT NULL CHECK (kind IN ('continue', 'increase_dose', 'switch_medication', 'augment', 'psychotherapy', 'specialty_referral', 'safety_plan', 'diagnostic_clarification', 'other')),
    details            TEXT    NOT NULL DEFAULT '' CHECK (length(details) <= 2000),
    status             TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'communicated', 'done')),
    due_on             TEXT    NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    recorded_by        INTEGER REFERENCES users (id),
    created_at         TEXT    NOT NULL,
    status_changed_at  TEXT,
    status_by          INTEGER REFERENCES users (id)
) STRICT;
CREATE INDEX recommendations_by_episode ON recommendations (episode_id, id);
CREATE INDEX recommendations_open ON recommendations (episode_id) WHERE status = 'open';

-- Keeping the review queue current: any change to an episode's records marks its row stale.
CREATE TRIGGER review_queue_episode_insert AFTER INSERT ON episodes WHEN NEW.discharged_on IS NULL
BEGIN
    INSERT INTO review_queue (episode_id, clinic_id, due_on, stale, version)
    SELECT NEW.id, p.clinic_id, NULL, 1, 0 FROM patients p WHERE p.id = NEW.patient_id;
END;
CREATE TRIGGER review_queue_episode_update AFTER UPDATE ON episodes
BEGIN
    DELETE FROM review_queue WHERE episode_id = NEW.id AND NEW.discharged_on IS NOT NULL;
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.id;
END;
CREATE TRIGGER review_queue_measurement_insert AFTER INSERT ON measurements
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.episode_id;
END;
CREATE TRIGGER review_queue_measurement_update AFTER UPDATE ON measurements
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.episode_id;
END;
CREATE TRIGGER review_queue_contact_insert AFTER INSERT ON contacts
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.episode_id;
END;
CREATE TRIGGER review_queue_hospital_event_insert AFTER INSERT ON hospital_events
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.episode_id;
END;
CREATE TRIGGER review_queue_treatment_change_insert AFTER INSERT ON treatment_changes
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.episode_id;
END;
CREATE TRIGGER review_queue_case_review_insert AFTER INSERT ON case_reviews
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.episode_id;
END;
CREATE TRIGGER review_queue_mark_insert AFTER INSERT ON review_marks
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.episode_id;
END;
CREATE TRIGGER review_queue_mark_update AFTER UPDATE ON review_marks
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE episode_id = NEW.episode_id;
END;
-- New flag settings change every episode's listing in the clinic.
CREATE TRIGGER review_queue_settings_insert AFTER INSERT ON clinic_settings
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE clinic_id = NEW.clinic_id;
END;
CREATE TRIGGER review_queue_settings_update AFTER UPDATE ON clinic_settings
BEGIN
    UPDATE review_queue SET stale = 1, due_on = NULL, version = version + 1 WHERE clinic_id = NEW.clinic_id;
END;
