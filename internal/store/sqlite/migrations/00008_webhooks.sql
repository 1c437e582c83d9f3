-- +goose Up
-- Webhooks: subscriptions (events are POSTed to url, signed with secret)
-- and the deliveries of events to them, each with its attempts.

-- A subscription; events is a JSON array of event names.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    events     TEXT NOT NULL DEFAULT '[]',
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

-- One event to one subscription: at most one per (webhook, event id). A
-- worker claims pending deliveries whose next attempt is due (claimed_by,
-- claimed_at; a claim older than the stale limit is taken over); a failed
-- attempt puts the delivery back as pending with a later next_attempt_at.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id),
    event_id         TEXT NOT NULL,
    event            TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    next_attempt_at  TIMESTAMP NOT NULL,
    delivered_at     TIMESTAMP,
    claimed_by       TEXT NOT NULL DEFAULT '',
    claimed_at       TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    UNIQUE (webhook_id, event_id)
);
-- Claims read pending deliveries in next_attempt_at order.
CREATE INDEX webhook_deliveries_claim ON webhook_deliveries (status, next_attempt_at, id);
-- A subscription's deliveries, newest first.
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
