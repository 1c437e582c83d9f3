-- +goose Up
-- When the daily run next needs to visit a customer (collect.NextWake).
-- '0001-01-01' means at the next run: the triggers below set it whenever
-- something the ladder depends on changes (invoices, payments, promises,
-- plans and their installments, the customer's segment, kind, zone, locale
-- or style); '9999-12-31' means never by time alone. wake_version counts
-- the changes, so that a run's wake date computed before a concurrent
-- change is not written over it (the run writes only if the version it
-- read is still there: the run reads a batch in a snapshot while it
-- writes the one before). The triggers count every change but set
-- wake_on (an indexed column) only when it changes: an import of a
-- million invoices would otherwise rewrite customers_wake a million times.
-- New invoices have no row trigger: SQLite runs a row trigger inside
-- every INSERT of a bulk load (it tripled the load of 1M invoices), so the
-- store wakes the customers of each batch it inserts in one statement,
-- each customer once per transaction (sqldb.Tx.wakeInserted).
ALTER TABLE customers ADD COLUMN wake_on DATE NOT NULL DEFAULT '0001-01-01';
ALTER TABLE customers ADD COLUMN wake_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customers_wake ON customers (wake_on, id);

-- The run reads the steps of a batch's customers in one range each.
ALTER TABLE collection_steps ADD COLUMN customer_id TEXT NOT NULL DEFAULT '';
UPDATE collection_steps AS s SET customer_id = COALESCE(
    (SELECT i.customer_id FROM invoices i WHERE i.id = s.subject_id),
    (SELECT p.customer_id FROM plans p WHERE p.id = substr(s.subject_id, 1, instr(s.subject_id || '#', '#') - 1)),
    '');
CREATE INDEX collection_steps_customer ON collection_steps (customer_id, subject_id, step);

-- +goose StatementBegin
CREATE TRIGGER invoices_wake_update AFTER UPDATE ON invoices BEGIN
    UPDATE customers SET wake_version = wake_version + 1 WHERE id = NEW.customer_id;
    UPDATE customers SET wake_on = '0001-01-01' WHERE id = NEW.customer_id AND wake_on <> '0001-01-01';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER payments_wake_insert AFTER INSERT ON payments BEGIN
    UPDATE customers SET wake_version = wake_version + 1 WHERE id = NEW.customer_id;
    UPDATE customers SET wake_on = '0001-01-01' WHERE id = NEW.customer_id AND wake_on <> '0001-01-01';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER payments_wake_update AFTER UPDATE ON payments BEGIN
    UPDATE customers SET wake_version = wake_version + 1 WHERE id = NEW.customer_id;
    UPDATE customers SET wake_on = '0001-01-01' WHERE id = NEW.customer_id AND wake_on <> '0001-01-01';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER payments_wake_delete AFTER DELETE ON payments BEGIN
    UPDATE customers SET wake_version = wake_version + 1 WHERE id = OLD.customer_id;
    UPDATE customers SET wake_on = '0001-01-01' WHERE id = OLD.customer_id AND wake_on <> '0001-01-01';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER promises_wake_insert AFTER INSERT ON promises BEGIN
    UPDATE customers SET wake_version = wake_version + 1 WHERE id = NEW.customer_id;
    UPDATE customers SET wake_on = '0001-01-01' WHERE id = NEW.customer_id AND wake_on <> '0001-01-01';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER promises_wake_update AFTER UPDATE ON promises BEGIN
    UPDATE customers SET wake_version = wake_version + 1 WHERE id = NEW.customer_id;
    UPDATE customers SET wake_on = '0001-01-01' WHERE id = NEW.customer_id AND wake_on <> '0001-01-01';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plans_wake_insert AFTER INSERT ON plans BEGIN
    UPDATE customers SET wake_version = wake_version + 1 WHERE id = NEW.customer_id;
    UPDATE customers SET wake_on = '0001-01-01' WHERE id = NEW.customer_id AND wake_on <> '0001-01-01';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plans_wake_update AFTER UPDATE ON plans BEGIN
    UPDATE customers SET wake_version = wake_version + 1 WHERE id = NEW.customer_id;
    UPDATE customers SET wake_on = '0001-01-01' WHERE id = NEW.customer_id AND wake_on <> '0001-01-01';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_installments_wake_insert AFTER INSERT ON plan_installments BEGIN
    UPDATE customers SET wake_version = wake_version + 1, wake_on = '0001-01-01'
    WHERE id = (SELECT customer_id FROM plans WHERE id = NEW.plan_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_installments_wake_update AFTER UPDATE ON plan_installments BEGIN
    UPDATE customers SET wake_version = wake_version + 1, wake_on = '0001-01-01'
    WHERE id = (SELECT customer_id FROM plans WHERE id = NEW.plan_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_wake_update AFTER UPDATE OF segment, kind, time_zone, jurisdiction, locale, style ON customers
WHEN NEW.segment IS NOT OLD.segment OR NEW.kind IS NOT OLD.kind OR NEW.time_zone IS NOT OLD.time_zone
  OR NEW.jurisdiction IS NOT OLD.jurisdiction OR NEW.locale IS NOT OLD.locale OR NEW.style IS NOT OLD.style
BEGIN
    UPDATE customers SET wake_on = '0001-01-01', wake_version = wake_version + 1 WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER customers_wake_update;
DROP TRIGGER plan_installments_wake_update;
DROP TRIGGER plan_installments_wake_insert;
DROP TRIGGER plans_wake_update;
DROP TRIGGER plans_wake_insert;
DROP TRIGGER promises_wake_update;
DROP TRIGGER promises_wake_insert;
DROP TRIGGER payments_wake_delete;
DROP TRIGGER payments_wake_update;
DROP TRIGGER payments_wake_insert;
DROP TRIGGER invoices_wake_update;
DROP INDEX collection_steps_customer;
ALTER TABLE collection_steps DROP COLUMN customer_id;
DROP INDEX customers_wake;
ALTER TABLE customers DROP COLUMN wake_version;
ALTER TABLE customers DROP COLUMN wake_on;
