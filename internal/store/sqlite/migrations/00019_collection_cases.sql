-- +goose Up
-- Collection cases (docs/collections.md): one per customer and currency
-- with open overdue items. The case remembers the last escalation step
-- taken and when, the pay-by date it stated, and the step before it (so
-- that a step withdrawn before it left is undone). The next step is
-- decided from this, not from each invoice's due date.
CREATE TABLE collection_cases (
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    currency      TEXT NOT NULL,
    opened_on     DATE NOT NULL,
    step          TEXT NOT NULL DEFAULT '',
    step_on       DATE,
    deadline      DATE,
    prev_step     TEXT NOT NULL DEFAULT '',
    prev_step_on  DATE,
    prev_deadline DATE,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (customer_id, currency)
);

-- Messages and tasks may be withdrawn (re-checked before they leave: the
-- debt was paid, covered, disputed, …), with the reason in status_reason.
-- A message carries what it is about (context: invoice ids, currency,
-- installment, the case step's date and pay-by date) so that it is
-- re-checked and rendered again when it is delivered. SQLite cannot
-- change a CHECK constraint in place: the tables are rebuilt.
CREATE TABLE messages_new (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    channel         TEXT NOT NULL,
    step            TEXT NOT NULL DEFAULT '',
    tone            TEXT NOT NULL DEFAULT '',
    locale          TEXT NOT NULL DEFAULT '',
    scheduled_for   TIMESTAMP NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'bounced', 'withdrawn')),
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    invoice_numbers TEXT NOT NULL DEFAULT '[]',
    dedupe_key      TEXT UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP,
    claimed_by      TEXT NOT NULL DEFAULT '',
    claimed_at      TIMESTAMP,
    attachments     TEXT NOT NULL DEFAULT '[]',
    context         TEXT NOT NULL DEFAULT '{}',
    status_reason   TEXT NOT NULL DEFAULT ''
);
INSERT INTO messages_new (id, customer_id, channel, step, tone, locale, scheduled_for, status, subject, body,
    invoice_numbers, dedupe_key, attempts, last_error, sent_at, created_at, next_attempt_at, claimed_by, claimed_at, attachments)
SELECT id, customer_id, channel, step, tone, locale, scheduled_for, status, subject, body,
    invoice_numbers, dedupe_key, attempts, last_error, sent_at, created_at, next_attempt_at, claimed_by, claimed_at, attachments
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_customer ON messages (customer_id, id);
CREATE INDEX messages_due ON messages (status, scheduled_for);
CREATE INDEX messages_claim ON messages (channel, status, scheduled_for, id);

CREATE TABLE tasks_new (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    queue         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    due_at        TIMESTAMP NOT NULL,
    priority      INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'done', 'withdrawn')),
    reason        TEXT NOT NULL DEFAULT '',
    run_id        TEXT REFERENCES runs (id),
    dedupe_key    TEXT UNIQUE,
    claimed_by    TEXT NOT NULL DEFAULT '',
    claimed_at    TIMESTAMP,
    outcome       TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    done_at       TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    invoice_ids   TEXT NOT NULL DEFAULT '[]',
    status_reason TEXT NOT NULL DEFAULT ''
);
INSERT INTO tasks_new (id, customer_id, queue, kind, due_at, priority, status, reason, run_id, dedupe_key,
    claimed_by, claimed_at, outcome, note, done_at, created_at, invoice_ids)
SELECT id, customer_id, queue, kind, due_at, priority, status, reason, run_id, dedupe_key,
    claimed_by, claimed_at, outcome, note, done_at, created_at, invoice_ids
FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_queue ON tasks (queue, status, priority DESC, due_at, id);
CREATE INDEX tasks_customer ON tasks (customer_id, id);

-- +goose Down
DROP TABLE collection_cases;
