-- The caseload, the review list and the outcome reports read each episode's live scores and its
-- contacts packed into one text per episode. With every column they read in the index, an
-- index-only scan reads no table row for them once the table is vacuumed (`docs/PERFORMANCE.md`).
CREATE INDEX measurements_live ON measurements (episode_id, instrument, taken_on, id)
    INCLUDE (total, items) WHERE deleted_at IS NULL;

-- Every column of a contact the rules, the reports and the billing sum read. It also serves what
-- the two indices it replaces served: an episode's contacts by day, and minutes summed by month.
CREATE INDEX contacts_covering ON contacts (episode_id, occurred_on, id)
    INCLUDE (kind, minutes, by_care_manager);
DROP INDEX contacts_by_episode;
DROP INDEX contacts_by_episode_minutes;
