-- +goose Up
-- Outbox delivery: a worker claims queued messages that are due
-- (claimed_by, claimed_at; a claim older than the stale limit is taken
-- over), and a temporary failure puts a message back in the queue not to
-- be tried again before next_attempt_at.
ALTER TABLE messages ADD COLUMN next_attempt_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN claimed_at TIMESTAMPTZ;
-- Claims read a channel's queued messages in scheduled_for order.
CREATE INDEX messages_claim ON messages (channel, status, scheduled_for, id);

-- +goose Down
DROP INDEX messages_claim;
ALTER TABLE messages DROP COLUMN claimed_at;
ALTER TABLE messages DROP COLUMN claimed_by;
ALTER TABLE messages DROP COLUMN next_attempt_at;
