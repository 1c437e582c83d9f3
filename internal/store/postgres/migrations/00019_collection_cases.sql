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
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, currency)
);

-- Messages and tasks may be withdrawn (re-checked before they leave: the
-- debt was paid, covered, disputed, …), with the reason in status_reason.
-- A message carries what it is about (context: invoice ids, currency,
-- installment, the case step's date and pay-by date) so that it is
-- re-checked and rendered again when it is delivered.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status IN ('queued', 'sent', 'failed', 'bounced', 'withdrawn'));
ALTER TABLE messages ADD COLUMN context TEXT NOT NULL DEFAULT '{}';
ALTER TABLE messages ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'claimed', 'done', 'withdrawn'));
ALTER TABLE tasks ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tasks DROP COLUMN status_reason;
ALTER TABLE messages DROP COLUMN status_reason;
ALTER TABLE messages DROP COLUMN context;
DROP TABLE collection_cases;
