-- +goose Up
-- CSV files uploaded in the web UI, kept between the preview and the
-- confirmation: the import then reads exactly the bytes the preview
-- checked (never a second upload), whichever instance serves the
-- confirmation. id is random (not guessable); owner is the actor that
-- uploaded it (only they may see or confirm it); expired rows are deleted
-- when the next file is staged. preview and result are JSON (what the
-- dry run found; what the import did, once confirmed — data is then
-- emptied).
CREATE TABLE import_staging (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('customers', 'invoices', 'payments')),
    filename    TEXT NOT NULL DEFAULT '',
    date_format TEXT NOT NULL DEFAULT '',
    mapping     TEXT NOT NULL DEFAULT '{}',
    sha256      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    data        BYTEA NOT NULL,
    owner       TEXT NOT NULL,
    preview     TEXT NOT NULL DEFAULT '',
    result      TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX import_staging_expires ON import_staging (expires_at);
-- The recent imports list reads the newest first.
CREATE INDEX imports_created ON imports (created_at);

-- +goose Down
DROP INDEX imports_created;
DROP TABLE import_staging;
