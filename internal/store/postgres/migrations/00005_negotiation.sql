-- +goose Up
-- Negotiation: customers' budgets, the creditor's policies per segment,
-- negotiation sessions and their rounds, the contact log (interactions)
-- and the outbox (messages). JSON documents are TEXT.

-- A customer's stated monthly budget (assess.Budget as JSON); one per customer.
CREATE TABLE budgets (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    currency    TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT NOT NULL DEFAULT ''
);

-- The creditor's limits per customer segment (negotiate.Policy as JSON).
CREATE TABLE policies (
    id         TEXT PRIMARY KEY,
    segment    TEXT NOT NULL UNIQUE,
    body       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- One negotiation session; state is the engine's session as JSON. Updates
-- are conditional on round (optimistic concurrency).
CREATE TABLE negotiations (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'agreed', 'final', 'accepted', 'closed')),
    round       BIGINT NOT NULL CHECK (round >= 0),
    as_of       DATE NOT NULL,
    expires_on  DATE NOT NULL,
    state       TEXT NOT NULL,
    plan_id     TEXT REFERENCES plans (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX negotiations_customer ON negotiations (customer_id);

-- Append-only: the triggers below refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE negotiation_rounds (
    negotiation_id TEXT NOT NULL REFERENCES negotiations (id),
    round          BIGINT NOT NULL,
    decision       TEXT NOT NULL,
    request        TEXT NOT NULL,
    response       TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (negotiation_id, round)
);
-- +goose StatementBegin
CREATE FUNCTION negotiation_rounds_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'negotiation_rounds is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER negotiation_rounds_no_change BEFORE UPDATE OR DELETE ON negotiation_rounds
    FOR EACH ROW EXECUTE FUNCTION negotiation_rounds_append_only();
CREATE TRIGGER negotiation_rounds_no_truncate BEFORE TRUNCATE ON negotiation_rounds
    FOR EACH STATEMENT EXECUTE FUNCTION negotiation_rounds_append_only();

-- Contacts with customers and what they said; invoice_ids is a JSON array.
CREATE TABLE interactions (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    kind            TEXT NOT NULL,
    direction       TEXT NOT NULL DEFAULT '',
    occurred_at     TIMESTAMPTZ NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    reason_category TEXT NOT NULL DEFAULT '',
    claim           TEXT NOT NULL DEFAULT '',
    evidence        TEXT NOT NULL DEFAULT '',
    invoice_ids     TEXT NOT NULL DEFAULT '[]',
    follow_up       TEXT NOT NULL DEFAULT '',
    actor           TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX interactions_customer ON interactions (customer_id, id);

-- The outbox; invoice_numbers is a JSON array. A set dedupe_key is unique
-- (the same action is queued once); NULL when not set.
CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    channel         TEXT NOT NULL,
    step            TEXT NOT NULL DEFAULT '',
    tone            TEXT NOT NULL DEFAULT '',
    locale          TEXT NOT NULL DEFAULT '',
    scheduled_for   TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'bounced')),
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    invoice_numbers TEXT NOT NULL DEFAULT '[]',
    dedupe_key      TEXT UNIQUE,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_customer ON messages (customer_id, id);
CREATE INDEX messages_due ON messages (status, scheduled_for);

-- +goose Down
DROP TABLE messages;
DROP TABLE interactions;
DROP TABLE negotiation_rounds;
DROP FUNCTION negotiation_rounds_append_only;
DROP TABLE negotiations;
DROP TABLE policies;
DROP TABLE budgets;
