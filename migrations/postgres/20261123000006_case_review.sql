-- The weekly psychiatric case review (PostgreSQL): the review list's index, manual review marks,
-- "ready for review" summaries, deferrals, meetings with their agenda outcomes, case reviews,
-- and recommendations that are the care manager's tasks until communicated or done.

-- One row per open episode: the first day it is on the review list if nothing new is recorded
-- (`due_on`, NULL for never). Triggers mark a row stale whenever the episode's records change, so
-- no write path can leave it out of date; the list re-evaluates stale rows and rows due by its
-- date, and writes the fresh day back only if `version` has not moved meanwhile.
CREATE TABLE review_queue (
    episode_id  BIGINT PRIMARY KEY REFERENCES episodes (id),
    clinic_id   BIGINT NOT NULL REFERENCES clinics (id),
    due_on      DATE,
    stale       BOOLEAN NOT NULL DEFAULT TRUE,
    version     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX review_queue_due ON review_queue (clinic_id, due_on);
CREATE INDEX review_queue_stale ON review_queue (clinic_id, stale);

INSERT INTO review_queue (episode_id, clinic_id, due_on, stale, version)
SELECT e.id, p.clinic_id, NULL, TRUE, 0 FROM episodes e JOIN patients p ON p.id = e.patient_id
WHERE e.discharged_on IS NULL;

-- "Discuss at review", with a reason (the `manual` flag). A removed mark stays for the record.
CREATE TABLE review_marks (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id  BIGINT NOT NULL REFERENCES episodes (id),
    marked_on   DATE    NOT NULL,
    reason      TEXT    NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
    marked_by   BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ    NOT NULL,
    removed_at  TIMESTAMPTZ,
    removed_by  BIGINT REFERENCES users (id)
);
CREATE INDEX review_marks_by_episode ON review_marks (episode_id, id);

-- "Ready for review": the care manager's short case summary for the next meeting.
CREATE TABLE review_preps (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id   BIGINT NOT NULL REFERENCES episodes (id),
    prepared_on  DATE    NOT NULL,
    summary      TEXT    NOT NULL CHECK (length(trim(summary)) BETWEEN 1 AND 1000),
    prepared_by  BIGINT REFERENCES users (id),
    created_at   TIMESTAMPTZ    NOT NULL
);
CREATE INDEX review_preps_by_episode ON review_preps (episode_id, id);

-- A clinic's weekly meeting, created when it starts.
CREATE TABLE review_meetings (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clinic_id   BIGINT NOT NULL REFERENCES clinics (id),
    meets_on    DATE    NOT NULL,
    attendees   TEXT    NOT NULL DEFAULT '' CHECK (length(attendees) <= 500),
    started_by  BIGINT REFERENCES users (id),
    started_at  TIMESTAMPTZ    NOT NULL,
    ended_at    TIMESTAMPTZ,
    UNIQUE (clinic_id, meets_on)
);

-- Who was on a meeting's list and what happened: reviewed, deferred or not reached (carried
-- forward). `carried_weeks` is how many meetings the patient had already been carried into this one.
CREATE TABLE meeting_entries (
    meeting_id     BIGINT NOT NULL REFERENCES review_meetings (id),
    episode_id     BIGINT NOT NULL REFERENCES episodes (id),
    outcome        TEXT    NOT NULL CHECK (outcome IN ('reviewed', 'deferred', 'not_reached')),
    carried_weeks  BIGINT NOT NULL CHECK (carried_weeks >= 0),
    PRIMARY KEY (meeting_id, episode_id)
);

-- A patient deferred one week at a meeting, with the reason.
CREATE TABLE review_deferrals (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id   BIGINT NOT NULL REFERENCES episodes (id),
    clinic_id    BIGINT NOT NULL REFERENCES clinics (id),
    meets_on     DATE    NOT NULL,
    reason       TEXT    NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
    deferred_by  BIGINT REFERENCES users (id),
    created_at   TIMESTAMPTZ    NOT NULL,
    UNIQUE (episode_id, meets_on)
);
CREATE INDEX review_deferrals_by_meeting ON review_deferrals (clinic_id, meets_on);

-- A patient reviewed at a meeting: this is the "psychiatric case review" the flags read.
CREATE TABLE case_reviews (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id   BIGINT NOT NULL REFERENCES review_meetings (id),
    episode_id   BIGINT NOT NULL REFERENCES episodes (id),
    reviewed_on  DATE    NOT NULL,
    reviewer_id  BIGINT REFERENCES users (id),
    note         TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at   TIMESTAMPTZ    NOT NULL,
    UNIQUE (meeting_id, episode_id)
);
CREATE INDEX case_reviews_by_episode ON case_reviews (episode_id, reviewed_on);

CREATE TABLE recommendations (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_review_id     BIGINT NOT NULL REFERENCES case_reviews (id),
    episode_id         BIGINT NOT NULL REFERENCES episodes (id),
    kind               TEXT    NOT NULL CHECK (kind IN ('continue', 'increase_dose', 'switch_medication', 'augment', 'psychotherapy', 'specialty_referral', 'safety_plan', 'diagnostic_clarification', 'other')),
    details            TEXT    NOT NULL DEFAULT '' CHECK (length(details) <= 2000),
    status             TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'communicated', 'done')),
    due_on             DATE    NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    recorded_by        BIGINT REFERENCES users (id),
    created_at         TIMESTAMPTZ    NOT NULL,
    status_changed_at  TIMESTAMPTZ,
    status_by          BIGINT REFERENCES users (id)
);
CREATE INDEX recommendations_by_episode ON recommendations (episode_id, id);
CREATE INDEX recommendations_open ON recommendations (episode_id) WHERE status = 'open';

-- Keeping the review queue current: any change to an episode's records marks its row stale.
CREATE FUNCTION review_queue_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE review_queue SET stale = TRUE, due_on = NULL, version = version + 1
    WHERE episode_id = NEW.episode_id;
    RETURN NULL;
END $$;

CREATE FUNCTION review_queue_episode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.discharged_on IS NOT NULL THEN
        DELETE FROM review_queue WHERE episode_id = NEW.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO review_queue (episode_id, clinic_id, due_on, stale, version)
        SELECT NEW.id, p.clinic_id, NULL, TRUE, 0 FROM patients p WHERE p.id = NEW.patient_id;
    ELSE
        UPDATE review_queue SET stale = TRUE, due_on = NULL, version = version + 1
        WHERE episode_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

-- New flag settings change every episode's listing in the clinic.
CREATE FUNCTION review_queue_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE review_queue SET stale = TRUE, due_on = NULL, version = version + 1
    WHERE clinic_id = NEW.clinic_id;
    RETURN NULL;
END $$;

CREATE TRIGGER review_queue_episode AFTER INSERT OR UPDATE ON episodes
    FOR EACH ROW EXECUTE FUNCTION review_queue_episode();
CREATE TRIGGER review_queue_measurement AFTER INSERT OR UPDATE ON measurements
    FOR EACH ROW EXECUTE FUNCTION review_queue_touch();
CREATE TRIGGER review_queue_contact AFTER INSERT ON contacts
    FOR EACH ROW EXECUTE FUNCTION review_queue_touch();
CREATE TRIGGER review_queue_hospital_event AFTER INSERT ON hospital_events
    FOR EACH ROW EXECUTE FUNCTION review_queue_touch();
CREATE TRIGGER review_queue_treatment_change AFTER INSERT ON treatment_changes
    FOR EACH ROW EXECUTE FUNCTION review_queue_touch();
CREATE TRIGGER review_queue_case_review AFTER INSERT ON case_reviews
    FOR EACH ROW EXECUTE FUNCTION review_queue_touch();
CREATE TRIGGER review_queue_mark AFTER INSERT OR UPDATE ON review_marks
    FOR EACH ROW EXECUTE FUNCTION review_queue_touch();
CREATE TRIGGER review_queue_settings AFTER INSERT OR UPDATE ON clinic_settings
    FOR EACH ROW EXECUTE FUNCTION review_queue_settings();
