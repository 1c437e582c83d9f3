-- +goose Up
-- A charge is a receivable settle itself adds to the ledger (docs/ledger.md,
-- "Charges"): the statutory compensation and interest a demand or final
-- notice claimed when it was delivered ('statutory'), or a plan's late fee
-- for a missed installment ('late_fee'). charge is '' for the creditor's
-- own invoices. charge_for names what it arose from: the invoice id
-- (statutory) or "<plan id>#<installment>" (late fee); one late fee per
-- installment, enforced by the unique index.
ALTER TABLE invoices ADD COLUMN charge TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN charge_for TEXT NOT NULL DEFAULT '';
CREATE INDEX invoices_charge_for ON invoices (charge_for) WHERE charge <> '';
CREATE UNIQUE INDEX invoices_late_fee_once ON invoices (charge_for) WHERE charge = 'late_fee';

-- +goose Down
DROP INDEX invoices_late_fee_once;
DROP INDEX invoices_charge_for;
ALTER TABLE invoices DROP COLUMN charge_for;
ALTER TABLE invoices DROP COLUMN charge;
