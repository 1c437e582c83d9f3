package sqldb

import (
	"context"
	"encoding/hex"
	"fmt"

	"settle/internal/apperr"
	"settle/internal/store"
)

// The customer portal's signing keys (migration 00014; store.PortalKeysTx).

// firstPortalKey is the id of the key created on first use. A fixed id
// makes creation race-free across instances: both insert it, one wins
// (ON CONFLICT DO NOTHING), both read the winner's secret.
const firstPortalKey = "pk1"

// PortalKey returns the secret of the portal signing key id; NotFound
// when there is no such key.
func (t *Tx) PortalKey(ctx context.Context, id string) ([]byte, error) {
	var h string
	err := t.queryRow(ctx, `SELECT secret FROM portal_keys WHERE id = ?`, id).Scan(&h)
	if isNoRows(err) {
		return nil, apperr.Errorf(apperr.NotFound, "no portal key %q", id)
	}
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("portal key %s: %w", id, err)
	}
	return b, nil
}

// CurrentPortalKey returns the newest portal signing key, creating the
// first one with secret fresh when there is none yet.
func (t *Tx) CurrentPortalKey(ctx context.Context, fresh []byte) (string, []byte, error) {
	read := func() (string, []byte, error) {
		var id, h string
		err := t.queryRow(ctx, `SELECT id, secret FROM portal_keys ORDER BY created_at DESC, id DESC LIMIT 1`).Scan(&id, &h)
		if err != nil {
			return "", nil, err
		}
		b, err := hex.DecodeString(h)
		return id, b, err
	}
	id, b, err := read()
	if !isNoRows(err) {
		return id, b, err
	}
	if len(fresh) < 32 {
		return "", nil, fmt.Errorf("portal key: a new secret needs at least 32 bytes, got %d", len(fresh))
	}
	if _, err := t.Exec(ctx, `INSERT INTO portal_keys (id, secret, created_at) VALUES (?,?,?) ON CONFLICT (id) DO NOTHING`,
		firstPortalKey, hex.EncodeToString(fresh), t.now.UTC()); err != nil {
		return "", nil, err
	}
	return read()
}

// Short portal links (migration 00020; store.PortalShortLinksTx).

// InsertPortalShortLink implements store.Tx.
func (t *Tx) InsertPortalShortLink(ctx context.Context, l *store.PortalShortLink) error {
	_, err := t.Exec(ctx, `INSERT INTO portal_short_links (code_hash, customer_id, scope, expires_at, created_at) VALUES (?,?,?,?,?)
		ON CONFLICT (code_hash) DO NOTHING`, l.CodeHash, l.CustomerID, l.Scope, l.ExpiresAt.UTC(), l.CreatedAt.UTC())
	return err
}

// PortalShortLink implements store.Tx.
func (t *Tx) PortalShortLink(ctx context.Context, codeHash string) (*store.PortalShortLink, error) {
	var l store.PortalShortLink
	err := t.queryRow(ctx, `SELECT code_hash, customer_id, scope, expires_at, created_at FROM portal_short_links WHERE code_hash = ?`, codeHash).
		Scan(&l.CodeHash, &l.CustomerID, &l.Scope, &l.ExpiresAt, &l.CreatedAt)
	if isNoRows(err) {
		return nil, apperr.Errorf(apperr.NotFound, "no portal short link")
	}
	if err != nil {
		return nil, err
	}
	l.ExpiresAt, l.CreatedAt = l.ExpiresAt.UTC(), l.CreatedAt.UTC()
	return &l, nil
}
