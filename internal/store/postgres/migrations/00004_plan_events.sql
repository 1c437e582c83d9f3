-- +goose Up
-- What happened to plans, for later use (collections, reports, webhooks),
-- each written in the transaction of the change it records. Append-only.
CREATE TABLE plan_events (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id    TEXT NOT NULL REFERENCES plans (id),
    kind       TEXT NOT NULL,
    on_date    DATE NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}',
    UNIQUE (plan_id, kind, on_date)
);
CREATE INDEX plan_events_plan ON plan_events (plan_id);

-- +goose Down
DROP TABLE plan_events;
