-- +goose Up
-- When the daily run next needs to visit a customer (collect.NextWake).
-- '0001-01-01' means at the next run: the triggers below set it whenever
-- something the ladder depends on changes (invoices, payments, promises,
-- plans and their installments, the customer's segment, kind, zone, locale
-- or style); '9999-12-31' means never by time alone. wake_version counts
-- the changes: a run writes the wake date it computed only if the version
-- it read is still there, so a change committed meanwhile (READ COMMITTED)
-- is never written over. Statement-level triggers with transition tables
-- keep a bulk import to one UPDATE of the customers it touched; the ids
-- go in as an array, looked up by primary key (a transition table has no
-- statistics: joined, it made the planner scan every customer for every
-- batch of 5,000 invoices). New invoices have no trigger: a bulk load
-- would update each customer's row once per batch, and PostgreSQL keeps
-- every version of a row updated in one transaction (a load of 1M
-- invoices slowed to a crawl); the store wakes the customers of the
-- invoices it inserts itself, once per customer and transaction
-- (sqldb.Tx.wakeInserted).
ALTER TABLE customers ADD COLUMN wake_on DATE NOT NULL DEFAULT '0001-01-01';
ALTER TABLE customers ADD COLUMN wake_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX customers_wake ON customers (wake_on, id);

-- The run reads the steps of a batch's customers in one range each.
ALTER TABLE collection_steps ADD COLUMN customer_id TEXT NOT NULL DEFAULT '';
UPDATE collection_steps AS s SET customer_id = COALESCE(
    (SELECT i.customer_id FROM invoices i WHERE i.id = s.subject_id),
    (SELECT p.customer_id FROM plans p WHERE p.id = split_part(s.subject_id, '#', 1)),
    '');
CREATE INDEX collection_steps_customer ON collection_steps (customer_id, subject_id, step);

-- +goose StatementBegin
CREATE FUNCTION settle_wake_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customers SET wake_on = '0001-01-01', wake_version = wake_version + 1
    WHERE id = ANY (ARRAY(SELECT DISTINCT customer_id FROM new_rows));
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION settle_wake_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customers SET wake_on = '0001-01-01', wake_version = wake_version + 1
    WHERE id = ANY (ARRAY(SELECT DISTINCT customer_id FROM old_rows));
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION settle_wake_installments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customers SET wake_on = '0001-01-01', wake_version = wake_version + 1
    WHERE id = ANY (ARRAY(SELECT DISTINCT p.customer_id FROM plans p WHERE p.id = ANY (ARRAY(SELECT DISTINCT plan_id FROM new_rows))));
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION settle_wake_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.segment IS DISTINCT FROM OLD.segment OR NEW.kind IS DISTINCT FROM OLD.kind
       OR NEW.time_zone IS DISTINCT FROM OLD.time_zone OR NEW.jurisdiction IS DISTINCT FROM OLD.jurisdiction
       OR NEW.locale IS DISTINCT FROM OLD.locale OR NEW.style IS DISTINCT FROM OLD.style THEN
        NEW.wake_on := '0001-01-01';
        NEW.wake_version := OLD.wake_version + 1;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER invoices_wake_update AFTER UPDATE ON invoices REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_new_rows();
CREATE TRIGGER payments_wake_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_new_rows();
CREATE TRIGGER payments_wake_update AFTER UPDATE ON payments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_new_rows();
CREATE TRIGGER payments_wake_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_old_rows();
CREATE TRIGGER promises_wake_insert AFTER INSERT ON promises REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_new_rows();
CREATE TRIGGER promises_wake_update AFTER UPDATE ON promises REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_new_rows();
CREATE TRIGGER plans_wake_insert AFTER INSERT ON plans REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_new_rows();
CREATE TRIGGER plans_wake_update AFTER UPDATE ON plans REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_new_rows();
CREATE TRIGGER plan_installments_wake_insert AFTER INSERT ON plan_installments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_installments();
CREATE TRIGGER plan_installments_wake_update AFTER UPDATE ON plan_installments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settle_wake_installments();
CREATE TRIGGER customers_wake_update BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION settle_wake_customer();

-- +goose Down
DROP TRIGGER customers_wake_update ON customers;
DROP TRIGGER plan_installments_wake_update ON plan_installments;
DROP TRIGGER plan_installments_wake_insert ON plan_installments;
DROP TRIGGER plans_wake_update ON plans;
DROP TRIGGER plans_wake_insert ON plans;
DROP TRIGGER promises_wake_update ON promises;
DROP TRIGGER promises_wake_insert ON promises;
DROP TRIGGER payments_wake_delete ON payments;
DROP TRIGGER payments_wake_update ON payments;
DROP TRIGGER payments_wake_insert ON payments;
DROP TRIGGER invoices_wake_update ON invoices;
DROP FUNCTION settle_wake_customer();
DROP FUNCTION settle_wake_installments();
DROP FUNCTION settle_wake_old_rows();
DROP FUNCTION settle_wake_new_rows();
DROP INDEX collection_steps_customer;
ALTER TABLE collection_steps DROP COLUMN customer_id;
DROP INDEX customers_wake;
ALTER TABLE customers DROP COLUMN wake_version;
ALTER TABLE customers DROP COLUMN wake_on;
