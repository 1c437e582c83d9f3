-- +goose Up
-- Whether a call reached the customer (a conversation): Regulation F
-- (§1006.14(b)(2)(ii)) forbids further calls about the debt for 7 days
-- after one. Earlier calls are classified as the run used to: a stated
-- reason, or a task outcome that reached the customer (summary "reached: …").
ALTER TABLE interactions ADD COLUMN conversation BOOLEAN NOT NULL DEFAULT false;
UPDATE interactions SET conversation = true
WHERE kind = 'call' AND (reason_category <> '' OR lower(summary) LIKE 'reached:%');

-- The invoices a task is about (a JSON array, as interactions'): the call
-- it records counts toward those debts' Regulation F caps.
ALTER TABLE tasks ADD COLUMN invoice_ids TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE tasks DROP COLUMN invoice_ids;
ALTER TABLE interactions DROP COLUMN conversation;
