-- +goose Up
-- Issue 16: customers' postal addresses (letters go to them, in a window
-- envelope), the staff user who owns the relationship, and a credit hold
-- with an optional credit limit (one currency). Street lines are stored
-- joined by a newline: each line is single-line text (package text), so
-- the newline cannot occur inside one.
ALTER TABLE customers ADD COLUMN address_lines TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN address_postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN address_city TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN address_region TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN address_country TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN owner_id TEXT REFERENCES users (id);
ALTER TABLE customers ADD COLUMN credit_hold BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN credit_hold_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN credit_hold_since DATE;
ALTER TABLE customers ADD COLUMN credit_hold_by TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN credit_limit_minor INTEGER;
ALTER TABLE customers ADD COLUMN credit_limit_currency TEXT NOT NULL DEFAULT '';

-- The creditor's own details, edited by admins (one row; absent until
-- first saved, when the configuration's SETTLE_CREDITOR and
-- SETTLE_BANK_ACCOUNT stand in).
CREATE TABLE organisation_settings (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    legal_name          TEXT NOT NULL DEFAULT '',
    address_lines       TEXT NOT NULL DEFAULT '',
    address_postal_code TEXT NOT NULL DEFAULT '',
    address_city        TEXT NOT NULL DEFAULT '',
    address_region      TEXT NOT NULL DEFAULT '',
    address_country     TEXT NOT NULL DEFAULT '',
    company_number      TEXT NOT NULL DEFAULT '',
    vat_id              TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    website             TEXT NOT NULL DEFAULT '',
    bank_account_holder TEXT NOT NULL DEFAULT '',
    bank_account_number TEXT NOT NULL DEFAULT '',
    bank_code           TEXT NOT NULL DEFAULT '',
    bank_name           TEXT NOT NULL DEFAULT '',
    updated_at          TIMESTAMP NOT NULL,
    updated_by          TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE organisation_settings;
ALTER TABLE customers DROP COLUMN credit_limit_currency;
ALTER TABLE customers DROP COLUMN credit_limit_minor;
ALTER TABLE customers DROP COLUMN credit_hold_by;
ALTER TABLE customers DROP COLUMN credit_hold_since;
ALTER TABLE customers DROP COLUMN credit_hold_reason;
ALTER TABLE customers DROP COLUMN credit_hold;
ALTER TABLE customers DROP COLUMN owner_id;
ALTER TABLE customers DROP COLUMN address_country;
ALTER TABLE customers DROP COLUMN address_region;
ALTER TABLE customers DROP COLUMN address_city;
ALTER TABLE customers DROP COLUMN address_postal_code;
ALTER TABLE customers DROP COLUMN address_lines;
