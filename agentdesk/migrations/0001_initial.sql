-- AgentDesk local store, version 1. Mirrors agentdesk/models.py (a test compares the two).
-- Ids are UUID text made by the caller; times are clock.iso() text (UTC, sorts as time); money is cents.
-- Foreign keys are deferred so that rows pulled from the server may arrive in any order in one transaction.

CREATE TABLE account (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    price_per_minute_cents INTEGER NOT NULL CHECK (price_per_minute_cents >= 0),
    greeting TEXT NOT NULL DEFAULT '',
    phone_number TEXT NOT NULL,
    sla_policy TEXT NOT NULL DEFAULT '80/20'
) STRICT;
CREATE UNIQUE INDEX account_phone_number ON account (phone_number);

CREATE TABLE agent (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'senior', 'supervisor', 'admin'))
) STRICT;

CREATE TABLE agent_account (
    agent_id TEXT NOT NULL REFERENCES agent (id) DEFERRABLE INITIALLY DEFERRED,
    account_id TEXT NOT NULL REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (agent_id, account_id)
) STRICT;
CREATE INDEX agent_account_account ON agent_account (account_id);

CREATE TABLE customer (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX customer_account ON customer (account_id);

CREATE TABLE customer_phone (
    customer_id TEXT NOT NULL REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,
    account_id TEXT NOT NULL,
    e164 TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT 'mobile',
    PRIMARY KEY (customer_id, e164)
) STRICT;
CREATE INDEX customer_phone_e164 ON customer_phone (e164);

CREATE TABLE customer_email (
    customer_id TEXT NOT NULL REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,
    account_id TEXT NOT NULL,
    email TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT 'personal',
    PRIMARY KEY (customer_id, email)
) STRICT;
CREATE INDEX customer_email_email ON customer_email (email);

CREATE TABLE interaction (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED,
    customer_id TEXT REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,
    agent_id TEXT REFERENCES agent (id) DEFERRABLE INITIALLY DEFERRED,
    channel TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'chat', 'sms', 'web_form', 'fax')),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    state TEXT NOT NULL CHECK (state IN ('ringing', 'answered', 'ended')),
    caller_number TEXT,
    subject TEXT,
    body TEXT,
    ringing_at TEXT,
    answered_at TEXT,
    ended_at TEXT,
    outcome TEXT,
    notes TEXT,
    billable_seconds INTEGER NOT NULL DEFAULT 0,
    price_per_minute_cents INTEGER,
    cost_cents INTEGER NOT NULL DEFAULT 0,
    wrap_up_seconds INTEGER,
    at TEXT NOT NULL
) STRICT;
-- The history pane pages one channel at a time by (at, id): this index answers each page by a range scan.
CREATE INDEX interaction_timeline ON interaction (customer_id, channel, at, id);

CREATE TABLE hold_event (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    interaction_id TEXT NOT NULL REFERENCES interaction (id) DEFERRABLE INITIALLY DEFERRED,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    seconds REAL,
    hit_cap INTEGER NOT NULL DEFAULT 0 CHECK (hit_cap IN (0, 1))
) STRICT;
CREATE INDEX hold_event_interaction ON hold_event (interaction_id);

CREATE TABLE recording (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    interaction_id TEXT NOT NULL REFERENCES interaction (id) DEFERRABLE INITIALLY DEFERRED,
    seconds INTEGER NOT NULL,
    uri TEXT NOT NULL
) STRICT;
CREATE INDEX recording_interaction ON recording (interaction_id);

CREATE TABLE comment (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,
    agent_id TEXT REFERENCES agent (id) DEFERRABLE INITIALLY DEFERRED,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX comment_timeline ON comment (customer_id, created_at, id);

CREATE TABLE customer_order (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,
    number TEXT NOT NULL UNIQUE,
    placed_at TEXT NOT NULL,
    status TEXT NOT NULL,
    total_cents INTEGER NOT NULL DEFAULT 0,
    recurring INTEGER NOT NULL DEFAULT 0 CHECK (recurring IN (0, 1))
) STRICT;
CREATE INDEX customer_order_timeline ON customer_order (customer_id, placed_at, id);

CREATE TABLE order_line (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES customer_order (id) DEFERRABLE INITIALLY DEFERRED,
    product TEXT NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 1,
    unit_price_cents INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX order_line_order ON order_line (order_id);

CREATE TABLE ticket (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,
    case_number TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL DEFAULT 'normal',
    kind TEXT NOT NULL DEFAULT 'question',
    channel TEXT NOT NULL DEFAULT 'email',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_timeline ON ticket (customer_id, created_at, id);

CREATE TABLE ticket_message (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES ticket (id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'reply', 'note')),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_message_ticket ON ticket_message (ticket_id, created_at);

CREATE TABLE faq_article (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED,
    rank INTEGER CHECK (rank BETWEEN 1 AND 10),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    product TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX faq_article_account ON faq_article (account_id);
-- One article per rank in an account's top ten.
CREATE UNIQUE INDEX faq_article_top_ten ON faq_article (account_id, rank) WHERE rank IS NOT NULL;

CREATE TABLE faq_use (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT,
    faq_id TEXT NOT NULL REFERENCES faq_article (id) DEFERRABLE INITIALLY DEFERRED,
    interaction_id TEXT,
    agent_id TEXT NOT NULL,
    used_at TEXT NOT NULL
) STRICT;
CREATE INDEX faq_use_interaction ON faq_use (interaction_id);

CREATE TABLE reply_template (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL,
    body TEXT NOT NULL
) STRICT;
CREATE INDEX reply_template_account ON reply_template (account_id);

CREATE TABLE professional (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL,
    skills TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    location TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX professional_account ON professional (account_id);

CREATE TABLE task (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    customer_id TEXT,
    interaction_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('follow_up', 'reminder', 'survey')),
    level TEXT CHECK (level IN ('senior', 'supervisor')),
    due_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at TEXT NOT NULL,
    created_by TEXT
) STRICT;
CREATE INDEX task_status_due ON task (status, due_at);

-- Local mutations waiting for the server; the id is the mutation id (contiguous, never reused).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    args TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- Full-text search. Rows are keyed by the owner's rowid, kept in step by the triggers below (whoever writes:
-- a mutation, a sync pull). VACUUM may renumber rowids: run Store.rebuild_search() after one.
-- Customers are found by name and by the local part of their e-mail addresses (domains would match everyone).
CREATE VIRTUAL TABLE customer_fts USING fts5 (
    name, emails, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE faq_fts USING fts5 (
    title, body, category, product, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TRIGGER customer_fts_insert AFTER INSERT ON customer BEGIN
    INSERT INTO customer_fts (rowid, name, emails) VALUES (
        new.rowid, new.name,
        (SELECT group_concat(substr(email, 1, instr(email, '@') - 1), ' ')
         FROM customer_email WHERE customer_id = new.id)
    );
END;
CREATE TRIGGER customer_fts_update AFTER UPDATE OF name ON customer BEGIN
    UPDATE customer_fts SET name = new.name WHERE rowid = new.rowid;
END;
CREATE TRIGGER customer_fts_delete AFTER DELETE ON customer BEGIN
    DELETE FROM customer_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER customer_email_fts_insert AFTER INSERT ON customer_email BEGIN
    UPDATE customer_fts SET emails = (
        SELECT group_concat(substr(email, 1, instr(email, '@') - 1), ' ')
        FROM customer_email WHERE customer_id = new.customer_id
    ) WHERE rowid = (SELECT rowid FROM customer WHERE id = new.customer_id);
END;
CREATE TRIGGER customer_email_fts_delete AFTER DELETE ON customer_email BEGIN
    UPDATE customer_fts SET emails = (
        SELECT group_concat(substr(email, 1, instr(email, '@') - 1), ' ')
        FROM customer_email WHERE customer_id = old.customer_id
    ) WHERE rowid = (SELECT rowid FROM customer WHERE id = old.customer_id);
END;

CREATE TRIGGER faq_fts_insert AFTER INSERT ON faq_article BEGIN
    INSERT INTO faq_fts (rowid, title, body, category, product)
    VALUES (new.rowid, new.title, new.body, new.category, new.product);
END;
CREATE TRIGGER faq_fts_update AFTER UPDATE ON faq_article BEGIN
    UPDATE faq_fts SET title = new.title, body = new.body, category = new.category, product = new.product
    WHERE rowid = new.rowid;
END;
CREATE TRIGGER faq_fts_delete AFTER DELETE ON faq_article BEGIN
    DELETE FROM faq_fts WHERE rowid = old.rowid;
END;
