-- A follow-up can be given to one agent (a supervisor reassigns it, or takes the escalated question over);
-- NULL: whoever of its level takes it, as before.
ALTER TABLE task ADD COLUMN assignee_id TEXT;
