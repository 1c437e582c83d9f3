package sqldb

import (
	"context"
	"database/sql"
	"time"

	"settle/internal/store"
)

// The API tokens, as the settings pages list and revoke them.

const tokenCols = `id, name, role, hash, created_at, revoked_at, expires_at`

func scanToken(sc scanner) (store.Token, error) {
	var tok store.Token
	var revoked, expires sql.NullTime
	if err := sc.Scan(&tok.ID, &tok.Name, &tok.Role, &tok.Hash, &tok.CreatedAt, &revoked, &expires); err != nil {
		return tok, err
	}
	tok.CreatedAt = tok.CreatedAt.UTC()
	if revoked.Valid {
		r := revoked.Time.UTC()
		tok.RevokedAt = &r
	}
	if expires.Valid {
		e := expires.Time.UTC()
		tok.ExpiresAt = &e
	}
	return tok, nil
}

// Tokens implements store.Tx.
func (t *Tx) Tokens(ctx context.Context, p store.Page) ([]store.Token, string, error) {
	rows, limit, err := t.listRows(ctx, tokenCols, "api_tokens", p, conds{})
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanToken, func(v store.Token) string { return v.ID })
}

// RevokeToken implements store.Tx: the first revocation's time is kept.
func (t *Tx) RevokeToken(ctx context.Context, id string, at time.Time) (*store.Token, error) {
	if _, err := t.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, at.UTC(), id); err != nil {
		return nil, err
	}
	tok, err := scanToken(t.queryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("token", id)
	}
	if err != nil {
		return nil, err
	}
	return &tok, nil
}
