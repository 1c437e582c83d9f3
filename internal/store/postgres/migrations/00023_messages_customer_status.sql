-- +goose Up
-- The daily run reads, per batch of customers, their queued messages (to
-- re-check them) and their sent ones (the earlier steps a message names):
-- customer and status together, whatever the size of the outbox.
CREATE INDEX messages_customer_status ON messages (customer_id, status);

-- +goose Down
DROP INDEX messages_customer_status;
