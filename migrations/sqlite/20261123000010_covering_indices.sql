-- The caseload, the review list and the outcome reports read each episode's live scores and its
-- contacts packed into one text per episode. With every column they read in the index, SQLite
-- reads no table row for them (`docs/PERFORMANCE.md`).
CREATE INDEX measurements_live ON measurements (episode_id, instrument, taken_on, id, total, items, deleted_at)
    WHERE deleted_at IS NULL;

-- Every column of a contact the rules, the reports and the billing sum read. It also serves what
-- the two indices it replaces served: an episode's contacts by day, and minutes summed by month.
CREATE INDEX contacts_covering ON contacts (episode_id, occurred_on, id, kind, minutes, by_care_manager);
DROP INDEX contacts_by_episode;
DROP INDEX contacts_by_episode_minutes;
