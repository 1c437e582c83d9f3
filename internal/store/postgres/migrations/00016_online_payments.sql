-- +goose Up
-- Online payments through a provider (Stripe): docs/payments.md, "Stripe".
--
-- online_customers: the provider's customer for each settle customer.
CREATE TABLE online_customers (
    provider             TEXT NOT NULL,
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    provider_customer_id TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, customer_id),
    UNIQUE (provider, provider_customer_id)
);

-- online_intents: each checkout session, saved-method set-up and autopay
-- charge attempt, with what it pays (an installment, an invoice, the
-- balance, the plan's payoff) and for how much. status: open (a page was
-- made, nothing paid), pending (a charge awaits its outcome), paid,
-- failed. An autopay attempt is one row per installment and attempt
-- (dedupe_key autopay:<plan>:<seq>:<attempt>); a failed one carries the
-- date the run tries again. review says why money was held for review.
CREATE TABLE online_intents (
    id                TEXT PRIMARY KEY,
    provider          TEXT NOT NULL,
    customer_id       TEXT NOT NULL REFERENCES customers (id),
    kind              TEXT NOT NULL CHECK (kind IN ('installment', 'invoice', 'balance', 'payoff', 'autopay', 'setup')),
    plan_id           TEXT REFERENCES plans (id),
    installment_seq   INTEGER NOT NULL DEFAULT 0,
    invoice_id        TEXT REFERENCES invoices (id),
    currency          TEXT NOT NULL,
    amount_minor      BIGINT NOT NULL CHECK (amount_minor >= 0),
    waived_minor      BIGINT NOT NULL DEFAULT 0 CHECK (waived_minor >= 0),
    status            TEXT NOT NULL CHECK (status IN ('open', 'pending', 'paid', 'failed')),
    session_id        TEXT UNIQUE,
    payment_intent_id TEXT UNIQUE,
    payment_id        TEXT REFERENCES payments (id),
    attempt           INTEGER NOT NULL DEFAULT 0,
    next_retry_on     DATE,
    failure           TEXT NOT NULL DEFAULT '',
    review            TEXT NOT NULL DEFAULT '',
    dedupe_key        TEXT UNIQUE,
    as_of             DATE NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX online_intents_customer ON online_intents (customer_id, id);
CREATE INDEX online_intents_plan ON online_intents (plan_id, id);

-- online_mandates: the saved payment method a plan's autopay charges.
CREATE TABLE online_mandates (
    plan_id              TEXT PRIMARY KEY REFERENCES plans (id),
    provider             TEXT NOT NULL,
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    provider_customer_id TEXT NOT NULL,
    payment_method_id    TEXT NOT NULL,
    setup_ref            TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

-- online_events: every webhook event processed, once (its id is the
-- provider's), with what it did.
CREATE TABLE online_events (
    provider    TEXT NOT NULL,
    id          TEXT NOT NULL,
    type        TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, id)
);

-- online_disputes: chargebacks, as the provider reports them.
CREATE TABLE online_disputes (
    provider          TEXT NOT NULL,
    id                TEXT NOT NULL,
    customer_id       TEXT REFERENCES customers (id),
    intent_id         TEXT REFERENCES online_intents (id),
    plan_id           TEXT REFERENCES plans (id),
    payment_id        TEXT REFERENCES payments (id),
    payment_intent_id TEXT NOT NULL DEFAULT '',
    currency          TEXT NOT NULL,
    amount_minor      BIGINT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, id)
);
CREATE INDEX online_disputes_customer ON online_disputes (customer_id);
CREATE INDEX online_disputes_plan ON online_disputes (plan_id);

-- +goose Down
DROP TABLE online_disputes;
DROP TABLE online_events;
DROP TABLE online_mandates;
DROP TABLE online_intents;
DROP TABLE online_customers;
