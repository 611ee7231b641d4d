-- Save the sale: "refused" (by policy, the customer told why) joins saved, refunded and cancelled.
-- SQLite cannot change a column's CHECK in place: a new column takes the values, the old one is dropped.
ALTER TABLE ticket ADD COLUMN save_outcome_checked TEXT
    CHECK (save_outcome_checked IN ('saved', 'refunded', 'cancelled', 'refused'));
UPDATE ticket SET save_outcome_checked = save_outcome;
ALTER TABLE ticket DROP COLUMN save_outcome;
ALTER TABLE ticket RENAME COLUMN save_outcome_checked TO save_outcome;
