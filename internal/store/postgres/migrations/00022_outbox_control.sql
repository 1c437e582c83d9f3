-- +goose Up
-- The outbox under staff control (issue 16 item 7, docs/collections.md
-- "The outbox"). New columns rather than new statuses (SQLite cannot
-- change a CHECK constraint in place): a held or unapproved message stays
-- 'queued' and the sender's claim passes over it.
--   held_at/held_by: held by staff; not delivered until released.
--   awaiting_approval: queued by the run for a segment whose policy says
--     approve_before_sending; not delivered until approved.
--   edited: staff edited subject/body; delivery re-checks it but does not
--     render it again (the edited words are what leaves).
ALTER TABLE messages ADD COLUMN held_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN held_by TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN awaiting_approval BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE messages ADD COLUMN edited BOOLEAN NOT NULL DEFAULT false;

-- A staff pause of chasing per customer, until a date (exclusive: chasing
-- resumes on it), with a reason. One row per customer; lifting it deletes it.
CREATE TABLE customer_pauses (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    paused_until DATE NOT NULL,
    reason      TEXT NOT NULL,
    paused_by   TEXT NOT NULL,
    paused_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE customer_pauses;
ALTER TABLE messages DROP COLUMN edited;
ALTER TABLE messages DROP COLUMN awaiting_approval;
ALTER TABLE messages DROP COLUMN held_by;
ALTER TABLE messages DROP COLUMN held_at;
