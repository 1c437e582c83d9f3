-- +goose Up
-- Money is integer minor units (amount_minor) beside an ISO 4217 currency.
-- Civil dates are DATE ('YYYY-MM-DD' text in SQLite); instants are UTC TIMESTAMP.
CREATE TABLE customers (
    id                 TEXT PRIMARY KEY,
    external_ref       TEXT UNIQUE,
    name               TEXT NOT NULL,
    email              TEXT NOT NULL DEFAULT '',
    phone              TEXT NOT NULL DEFAULT '',
    time_zone          TEXT NOT NULL,
    locale             TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('business', 'consumer')),
    jurisdiction       TEXT NOT NULL DEFAULT '',
    segment            TEXT NOT NULL,
    style              TEXT NOT NULL CHECK (style IN ('direct', 'indirect')),
    payment_terms_days INTEGER NOT NULL,
    import_id          TEXT,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);

CREATE TABLE invoices (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    issue_date    DATE NOT NULL,
    due_date      DATE NOT NULL,
    currency      TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    balance_minor INTEGER NOT NULL,
    disputed      BOOLEAN NOT NULL DEFAULT 0,
    voided_on     DATE,
    void_reason   TEXT NOT NULL DEFAULT '',
    import_id     TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX invoices_customer ON invoices (customer_id);

CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('payment', 'credit_note')),
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    received_on     DATE NOT NULL,
    currency        TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    unapplied_minor INTEGER NOT NULL,
    method          TEXT NOT NULL,
    reference       TEXT NOT NULL DEFAULT '',
    invoice_id      TEXT REFERENCES invoices (id),
    import_id       TEXT,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX payments_customer ON payments (customer_id);

-- Derived from the ledger by ledger.Allocate; rewritten per customer.
CREATE TABLE allocations (
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    payment_id   TEXT NOT NULL REFERENCES payments (id),
    invoice_id   TEXT NOT NULL REFERENCES invoices (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    applied_on   DATE NOT NULL
);
CREATE INDEX allocations_customer ON allocations (customer_id);
CREATE INDEX allocations_invoice ON allocations (invoice_id, applied_on);
CREATE INDEX allocations_payment ON allocations (payment_id);

CREATE TABLE imports (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    filename   TEXT NOT NULL DEFAULT '',
    rows       INTEGER NOT NULL,
    inserted   INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    unchanged  INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (kind, sha256)
);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'viewer')),
    hash       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- Append-only: the triggers below refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_object ON audit_log (object_id);
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

CREATE TABLE idempotency_keys (
    actor        TEXT NOT NULL,
    key          TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (actor, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE imports;
DROP TABLE allocations;
DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE customers;
