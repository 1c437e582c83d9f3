-- +goose Up
-- Promises to pay; their status (open, kept, broken) is judged as of a
-- date from the customer's payments (ledger.Promise.StatusAsOf), not stored.
CREATE TABLE promises (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    currency     TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    promised_on  DATE NOT NULL,
    due_date     DATE NOT NULL,
    channel      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    CHECK (due_date >= promised_on)
);
CREATE INDEX promises_customer ON promises (customer_id);

-- +goose Down
DROP TABLE promises;
