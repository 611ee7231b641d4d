-- Sync state on the terminal (local only, never pushed).

-- Before-images of the changes made by mutations the backend has not acknowledged, so that a pull can undo
-- them, apply the backend's rows and replay them (SYNC.md). Rows leave with their outbox row.
CREATE TABLE undo_log (
    seq INTEGER PRIMARY KEY NOT NULL,
    mutation_id INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    row_key TEXT NOT NULL,
    before TEXT
) STRICT;
CREATE INDEX undo_log_mutation ON undo_log (mutation_id);

-- Mutations the backend refused, with its reason: the agent's "needs attention" list.
CREATE TABLE sync_rejection (
    mutation_id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    args TEXT NOT NULL,
    reason TEXT NOT NULL,
    rejected_at TEXT NOT NULL,
    dismissed_at TEXT
) STRICT;

-- Two agents changed the same customer field from the same starting value: the later change wins (arrival order
-- at the backend) and this note keeps what was overwritten, for a person to review. Synced like any domain row.
CREATE TABLE conflict_note (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    field TEXT NOT NULL,
    base_value TEXT,
    overwritten_value TEXT,
    new_value TEXT,
    changed_by TEXT,
    changed_at TEXT NOT NULL,
    reviewed_at TEXT
) STRICT;
CREATE INDEX conflict_note_customer ON conflict_note (customer_id, changed_at);
