-- +goose Up
-- Channels a customer opted out of (Regulation F §1006.6(e), §1006.14(h)):
-- an opted-out channel is not used again until the customer opts back in.
CREATE TABLE opt_outs (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    channel     TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (customer_id, channel)
);

-- +goose Down
DROP TABLE opt_outs;
