-- Clinic-lead reports (issue 8).
-- Recorded reasons that remove a patient from the depression quality measures (DOMAIN.md §8):
-- comma-separated codes (bipolar_disorder, personality_disorder, psychotic_disorder,
-- pervasive_developmental_disorder, death, hospice); empty for none.
ALTER TABLE patients ADD COLUMN measure_exclusions TEXT NOT NULL DEFAULT '' CHECK (measure_exclusions ~ '^[a-z_,]*$' AND length(measure_exclusions) <= 200);

-- The reports read a clinic's episodes by enrollment date and its open episodes by care manager
-- and status; the billing report sums care-manager minutes of a month per episode.
CREATE INDEX contacts_by_episode_minutes ON contacts (episode_id, occurred_on, by_care_manager, minutes);
