-- +goose Up
-- Payment plans. Stored status is proposed, active, superseded or
-- cancelled; completed and defaulted are judged as of a date from the
-- plan's tracking (plan.Track), never stored.
CREATE TABLE plans (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    version          BIGINT NOT NULL,
    supersedes_id    TEXT REFERENCES plans (id),
    status           TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'superseded', 'cancelled')),
    currency         TEXT NOT NULL,
    balance_minor    BIGINT NOT NULL CHECK (balance_minor > 0),
    annual_rate      TEXT NOT NULL DEFAULT '',
    terms            TEXT NOT NULL,
    concessions      TEXT NOT NULL DEFAULT '[]',
    accepted_by      TEXT,
    accepted_at      TIMESTAMPTZ,
    accepted_channel TEXT,
    accepted_ip      TEXT,
    ended_at         TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX plans_customer ON plans (customer_id);

CREATE TABLE plan_invoices (
    plan_id    TEXT NOT NULL REFERENCES plans (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    PRIMARY KEY (plan_id, invoice_id)
);
CREATE INDEX plan_invoices_invoice ON plan_invoices (invoice_id);

CREATE TABLE plan_installments (
    plan_id         TEXT NOT NULL REFERENCES plans (id),
    seq             BIGINT NOT NULL,
    due_date        DATE NOT NULL,
    amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
    principal_minor BIGINT NOT NULL,
    interest_minor  BIGINT NOT NULL,
    down_payment    BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (plan_id, seq)
);

-- +goose Down
DROP TABLE plan_installments;
DROP TABLE plan_invoices;
DROP TABLE plans;
