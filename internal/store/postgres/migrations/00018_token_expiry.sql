-- +goose Up
-- API tokens may expire (settle token create --ttl, the settings tokens
-- page): after expires_at the token is refused like a revoked one. NULL
-- (every token made before this migration, and the default) never expires.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
