-- +goose Up
-- Collections: the daily run (one per date) and the customers it visits,
-- the ladder steps taken (each once per subject), and tasks for people.

-- The collections run of a date: at most one per date. The counters are
-- added to as workers finish batches; customers counts run_customers rows.
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    as_of       DATE NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done')),
    customers   INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    messages    INTEGER NOT NULL DEFAULT 0,
    tasks       INTEGER NOT NULL DEFAULT 0,
    events      INTEGER NOT NULL DEFAULT 0,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

-- Each customer of a run, visited once. A worker claims pending customers
-- (claimed_by, claimed_at); a claim older than the stale limit that was
-- never finished is claimed again.
CREATE TABLE run_customers (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    claimed_by  TEXT NOT NULL DEFAULT '',
    claimed_at  TIMESTAMP,
    PRIMARY KEY (run_id, customer_id)
);
-- Claims read a run's pending customers in customer_id order.
CREATE INDEX run_customers_status ON run_customers (run_id, status, customer_id);

-- A ladder step taken for a subject (an invoice id, or "pln_…#seq" for a
-- plan installment): each at most once. message_id and task_id are not
-- foreign keys: a step may be recorded before what it produces.
CREATE TABLE collection_steps (
    subject_id TEXT NOT NULL,
    step       TEXT NOT NULL,
    run_id     TEXT NOT NULL REFERENCES runs (id),
    on_date    DATE NOT NULL,
    message_id TEXT,
    task_id    TEXT,
    PRIMARY KEY (subject_id, step)
);

-- Work for people (calls, reviews, legal referrals), listed per queue by
-- priority (highest first), then due time, then id. A set dedupe_key is
-- unique (the same action creates one task); NULL when not set.
CREATE TABLE tasks (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    queue       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    due_at      TIMESTAMP NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'done')),
    reason      TEXT NOT NULL DEFAULT '',
    run_id      TEXT REFERENCES runs (id),
    dedupe_key  TEXT UNIQUE,
    claimed_by  TEXT NOT NULL DEFAULT '',
    claimed_at  TIMESTAMP,
    outcome     TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    done_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX tasks_queue ON tasks (queue, status, priority DESC, due_at, id);
CREATE INDEX tasks_customer ON tasks (customer_id, id);

-- +goose Down
DROP TABLE tasks;
DROP TABLE collection_steps;
DROP TABLE run_customers;
DROP TABLE runs;
