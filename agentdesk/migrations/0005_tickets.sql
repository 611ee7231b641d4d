-- Tickets: SLA clocks, assignment, consent to resolve, review, save-the-sale, message delivery, drafts.
-- `awaiting_since` is the oldest customer message not yet answered by a reply (NULL: nothing owed);
-- `response_due_at` is when the response to it is due (far future when nothing is owed), so the inbox is one
-- range scan of `ticket_inbox`, most urgent first, with keyset paging on (response_due_at, id).

ALTER TABLE ticket ADD COLUMN assignee_id TEXT;
ALTER TABLE ticket ADD COLUMN order_id TEXT;
ALTER TABLE ticket ADD COLUMN awaiting_since TEXT;
ALTER TABLE ticket ADD COLUMN response_due_at TEXT NOT NULL DEFAULT '9999-12-31T23:59:59.999999Z';
ALTER TABLE ticket ADD COLUMN first_response_at TEXT;
ALTER TABLE ticket ADD COLUMN consent_how TEXT CHECK (consent_how IN ('call', 'writing'));
ALTER TABLE ticket ADD COLUMN consent_at TEXT;
ALTER TABLE ticket ADD COLUMN consent_by TEXT;
ALTER TABLE ticket ADD COLUMN resolved_at TEXT;
ALTER TABLE ticket ADD COLUMN review_requested INTEGER NOT NULL DEFAULT 0 CHECK (review_requested IN (0, 1));
ALTER TABLE ticket ADD COLUMN help_offered_at TEXT;
ALTER TABLE ticket ADD COLUMN save_outcome TEXT CHECK (save_outcome IN ('saved', 'refunded', 'cancelled'));
ALTER TABLE ticket ADD COLUMN save_outcome_at TEXT;
ALTER TABLE ticket ADD COLUMN save_outcome_by TEXT;

CREATE INDEX ticket_inbox ON ticket (response_due_at, id) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX ticket_inbox_account ON ticket (account_id, response_due_at, id)
    WHERE status NOT IN ('resolved', 'closed');

-- Replies are queued until the account's mail relay delivers them; customer messages and notes have none.
ALTER TABLE ticket_message ADD COLUMN delivery TEXT CHECK (delivery IN ('queued', 'delivered', 'failed'));
ALTER TABLE ticket_message ADD COLUMN agent_id TEXT;
CREATE INDEX ticket_message_thread ON ticket_message (ticket_id, created_at, id);

-- What an agent is typing on a ticket, saved as it is typed; local to this terminal, never synced.
CREATE TABLE ticket_draft (
    ticket_id TEXT PRIMARY KEY NOT NULL REFERENCES ticket (id) DEFERRABLE INITIALLY DEFERRED,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('reply', 'note')),
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Tickets already in the store: the clock runs from the first customer message after the last reply.
UPDATE ticket SET awaiting_since = (
    SELECT min(m.created_at) FROM ticket_message m
    WHERE m.ticket_id = ticket.id AND m.kind = 'customer' AND m.created_at > coalesce(
        (SELECT max(r.created_at) FROM ticket_message r WHERE r.ticket_id = ticket.id AND r.kind = 'reply'), '')
) WHERE status NOT IN ('resolved', 'closed');
UPDATE ticket SET response_due_at = strftime('%Y-%m-%dT%H:%M:%S', awaiting_since, '+6 hours')
    || substr(awaiting_since, 20) WHERE awaiting_since IS NOT NULL;
