-- +goose Up
-- Files sent with a message (a calendar invite, a letter), as a JSON array
-- of {name, content_type, data (base64)}.
ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE messages DROP COLUMN attachments;
