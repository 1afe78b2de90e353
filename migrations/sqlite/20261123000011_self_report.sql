-- Patient self-report links. Only a SHA-256 hash of each link's token is kept. A link belongs to
-- one episode, asks for one or more instruments ("PHQ-9,GAD-7"), lasts until expires_at, works
-- once (completed_at), can be revoked, and locks after too many wrong birth dates. The patient's
-- answers so far (draft, JSON) and the device that passed the birth-date gate (visit_hash) are
-- kept on the link until it is used. item9_positive_at is the first time the patient answered
-- PHQ-9 item 9 above 0; the caseload shows a notice until a care manager marks it seen.
CREATE TABLE self_report_links (
    id                INTEGER PRIMARY KEY,
    episode_id        INTEGER NOT NULL REFERENCES episodes (id),
    token_hash        TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    instruments       TEXT    NOT NULL CHECK (instruments IN ('PHQ-9', 'GAD-7', 'PHQ-9,GAD-7')),
    created_by        INTEGER NOT NULL REFERENCES users (id),
    created_at        TEXT    NOT NULL,
    expires_at        TEXT    NOT NULL,
    opened_at         TEXT,
    completed_at      TEXT,
    revoked_at        TEXT,
    locked_at         TEXT,
    failed_attempts   INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    visit_hash        TEXT    CHECK (visit_hash IS NULL OR length(visit_hash) = 64),
    visit_expires_at  TEXT,
    draft             TEXT    NOT NULL DEFAULT '{}',
    item9_positive_at TEXT,
    item9_seen_at     TEXT,
    item9_seen_by     INTEGER REFERENCES users (id)
) STRICT;

-- A patient's links on the chart, and the caseload's "received" marker per episode.
CREATE INDEX self_report_links_by_episode ON self_report_links (episode_id, id);
-- Safety notices not yet seen.
CREATE INDEX self_report_links_unseen ON self_report_links (episode_id)
    WHERE item9_positive_at IS NOT NULL AND item9_seen_at IS NULL;
