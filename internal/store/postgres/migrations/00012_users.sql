-- +goose Up
-- Staff who sign in to the web UI, and their sessions.

-- A person with a role (the same roles as API tokens). email is stored
-- lower-cased and is unique; password_hash is an argon2id PHC string
-- ($argon2id$v=19$m=…,t=…,p=…$salt$hash), never the password.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'viewer')),
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMPTZ NOT NULL
);

-- A signed-in browser. id is the SHA-256 (hex) of the secret in the
-- session cookie: the secret itself is never stored. csrf_token is the
-- session's token for forms and htmx requests. A session ends at
-- expires_at (absolute) or when unused for the idle limit (last_seen_at).
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
-- Clean-up of ended sessions reads by time.
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
