-- +goose Up
-- Bank transfers (docs/payments.md, "Bank transfers").
--
-- Every plan gets a bank reference to quote (STL- and eight symbols with a
-- check symbol, internal/reconcile), unique. Plans made before this
-- migration get theirs on first use: the service assigns one when such a
-- plan is read in a writing transaction (the API's and the staff page's
-- plan view, the agreement PDF, a bank-statement import) — a reference
-- needs Go (random symbols, the check symbol), which plain SQL here would
-- have to duplicate on two engines.
ALTER TABLE plans ADD COLUMN bank_ref TEXT;
CREATE UNIQUE INDEX plans_bank_ref ON plans (bank_ref);

-- Lines of imported bank statements: each received transfer once
-- (dedupe_key: the bank's transaction id, else a hash of date, amount,
-- currency, reference and payer with its occurrence in the file), with
-- what became of it: matched (a payment at import), review (waits for a
-- person), assigned (a person made it a payment) or ignored (with why).
CREATE TABLE bank_lines (
    id           TEXT PRIMARY KEY,
    import_id    TEXT NOT NULL,
    line         INTEGER NOT NULL,
    booked_on    DATE NOT NULL,
    currency     TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    reference    TEXT NOT NULL DEFAULT '',
    payer_name   TEXT NOT NULL DEFAULT '',
    bank_id      TEXT NOT NULL DEFAULT '',
    dedupe_key   TEXT NOT NULL UNIQUE,
    status       TEXT NOT NULL CHECK (status IN ('matched', 'review', 'assigned', 'ignored')),
    matched_by   TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    customer_id  TEXT REFERENCES customers (id),
    plan_id      TEXT REFERENCES plans (id),
    invoice_id   TEXT REFERENCES invoices (id),
    payment_id   TEXT REFERENCES payments (id),
    resolved_by  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX bank_lines_status ON bank_lines (status, id);

-- +goose Down
DROP TABLE bank_lines;
DROP INDEX plans_bank_ref;
ALTER TABLE plans DROP COLUMN bank_ref;
