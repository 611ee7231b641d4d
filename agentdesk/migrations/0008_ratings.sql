-- Ratings: quality control and customers score an interaction or a ticket reply from 1 to 5, with a comment.
-- Quality control (`qc`) joins the roles. SQLite cannot change a column's CHECK in place: a new column takes the
-- values, the old one is dropped (nothing else in the schema names agent.role).
ALTER TABLE agent ADD COLUMN role_checked TEXT NOT NULL DEFAULT 'agent'
    CHECK (role_checked IN ('agent', 'senior', 'supervisor', 'qc', 'admin'));
UPDATE agent SET role_checked = role;
ALTER TABLE agent DROP COLUMN role;
ALTER TABLE agent RENAME COLUMN role_checked TO role;

CREATE TABLE rating (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED,
    interaction_id TEXT REFERENCES interaction (id) DEFERRABLE INITIALLY DEFERRED,
    message_id TEXT REFERENCES ticket_message (id) DEFERRABLE INITIALLY DEFERRED,
    agent_id TEXT REFERENCES agent (id) DEFERRABLE INITIALLY DEFERRED,
    source TEXT NOT NULL CHECK (source IN ('qc', 'customer')),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    rated_by TEXT,
    at TEXT NOT NULL,
    CHECK ((interaction_id IS NULL) <> (message_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX rating_interaction ON rating (interaction_id, source);
CREATE UNIQUE INDEX rating_message ON rating (message_id, source);
CREATE INDEX rating_agent ON rating (agent_id, at);
CREATE INDEX rating_day ON rating (account_id, at);
-- The review queue walks one account's ended interactions oldest first.
CREATE INDEX interaction_review ON interaction (account_id, state, at, id);
CREATE INDEX ticket_message_review ON ticket_message (account_id, kind, created_at, id);
