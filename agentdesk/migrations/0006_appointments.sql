-- Appointments: what each professional can do and when they work, what can be booked, and the bookings.
-- Working hours are wall-clock minutes in the account's time zone (so 9:00 stays 9:00 across a daylight-saving
-- change); every stored instant is UTC text like the rest of the store.

CREATE TABLE professional_skill (
    professional_id TEXT NOT NULL REFERENCES professional (id) DEFERRABLE INITIALLY DEFERRED,
    skill TEXT NOT NULL,
    account_id TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (professional_id, skill)
) STRICT;
CREATE INDEX professional_skill_account ON professional_skill (account_id, skill, level);

-- Monday is weekday 0. A day may have several spans (a lunch break splits it).
CREATE TABLE working_hours (
    professional_id TEXT NOT NULL REFERENCES professional (id) DEFERRABLE INITIALLY DEFERRED,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    account_id TEXT NOT NULL,
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440 AND end_minute > start_minute),
    PRIMARY KEY (professional_id, weekday, start_minute)
) STRICT;

CREATE TABLE time_off (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    professional_id TEXT NOT NULL REFERENCES professional (id) DEFERRABLE INITIALLY DEFERRED,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL CHECK (ends_at > starts_at),
    reason TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX time_off_professional ON time_off (professional_id, starts_at);

-- Lengths and buffers are whole quarter hours: a booking occupies quarter-hour units (see appointment_slot).
CREATE TABLE appointment_type (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 15 AND 480 AND minutes % 15 = 0),
    skill TEXT NOT NULL,
    min_level INTEGER NOT NULL DEFAULT 1 CHECK (min_level BETWEEN 1 AND 5),
    buffer_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 120 AND buffer_minutes % 15 = 0)
) STRICT;
CREATE INDEX appointment_type_account ON appointment_type (account_id, name);

-- A booking. `tentative` until the backend has accepted it; the backend writes `confirmed`.
CREATE TABLE appointment (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customer (id) DEFERRABLE INITIALLY DEFERRED,
    professional_id TEXT NOT NULL REFERENCES professional (id) DEFERRABLE INITIALLY DEFERRED,
    type_id TEXT NOT NULL REFERENCES appointment_type (id) DEFERRABLE INITIALLY DEFERRED,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL CHECK (ends_at > starts_at),
    status TEXT NOT NULL CHECK (status IN ('tentative', 'confirmed', 'cancelled')),
    interaction_id TEXT,
    booked_by TEXT,
    booked_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    cancelled_at TEXT,
    note TEXT NOT NULL DEFAULT '',
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment TEXT
) STRICT;
CREATE INDEX appointment_customer ON appointment (customer_id, starts_at);
CREATE INDEX appointment_professional ON appointment (professional_id, starts_at);
CREATE INDEX appointment_day ON appointment (account_id, starts_at);

-- The rule that nothing is double-booked lives here: a booking (with the buffer after it) holds every quarter
-- hour it covers, and a professional's quarter hour can be held once. Cancelling releases the units.
CREATE TABLE appointment_slot (
    professional_id TEXT NOT NULL REFERENCES professional (id) DEFERRABLE INITIALLY DEFERRED,
    unit_start TEXT NOT NULL,
    account_id TEXT NOT NULL,
    appointment_id TEXT NOT NULL REFERENCES appointment (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (professional_id, unit_start)
) STRICT;
CREATE INDEX appointment_slot_day ON appointment_slot (account_id, unit_start);
CREATE INDEX appointment_slot_appointment ON appointment_slot (appointment_id);

-- Reminders and surveys belong to an appointment.
ALTER TABLE task ADD COLUMN appointment_id TEXT;
CREATE INDEX task_appointment ON task (appointment_id) WHERE appointment_id IS NOT NULL;
