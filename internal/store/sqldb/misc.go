package sqldb

import (
	"context"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/store"
)

// ImportByHash implements store.Tx.
func (t *Tx) ImportByHash(ctx context.Context, kind, sha string) (*store.Import, error) {
	var im store.Import
	err := t.queryRow(ctx, `SELECT id, kind, sha256, filename, rows, inserted, updated, unchanged, actor, created_at
		FROM imports WHERE kind = ? AND sha256 = ?`, kind, sha).Scan(&im.ID, &im.Kind, &im.SHA256, &im.Filename,
		&im.Rows, &im.Inserted, &im.Updated, &im.Unchanged, &im.Actor, &im.CreatedAt)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	im.CreatedAt = im.CreatedAt.UTC()
	return &im, nil
}

// InsertImport implements store.Tx.
func (t *Tx) InsertImport(ctx context.Context, im *store.Import) error {
	if im.ID == "" {
		im.ID = ids.New(ids.Import)
	}
	if im.CreatedAt.IsZero() {
		im.CreatedAt = t.now
	}
	_, err := t.Exec(ctx, `INSERT INTO imports (id, kind, sha256, filename, rows, inserted, updated, unchanged, actor, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, im.ID, im.Kind, im.SHA256, im.Filename, im.Rows, im.Inserted, im.Updated,
		im.Unchanged, im.Actor, im.CreatedAt.UTC())
	if t.s.dialect.IsUniqueViolation(err) {
		return apperr.Errorf(apperr.Conflict, "this %s file was imported already", im.Kind)
	}
	return err
}

// InsertToken implements store.Tx.
func (t *Tx) InsertToken(ctx context.Context, tok *store.Token) error {
	if tok.ID == "" {
		tok.ID = ids.New(ids.Token)
	}
	if tok.CreatedAt.IsZero() {
		tok.CreatedAt = t.now
	}
	var expires any
	if tok.ExpiresAt != nil {
		expires = tok.ExpiresAt.UTC()
	}
	_, err := t.Exec(ctx, `INSERT INTO api_tokens (id, name, role, hash, created_at, expires_at) VALUES (?,?,?,?,?,?)`,
		tok.ID, tok.Name, tok.Role, tok.Hash, tok.CreatedAt.UTC(), expires)
	return err
}

// TokenByHash implements store.Tx.
func (t *Tx) TokenByHash(ctx context.Context, hash string) (*store.Token, error) {
	tok, err := scanToken(t.queryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE hash = ?`, hash))
	if isNoRows(err) {
		return nil, apperr.Errorf(apperr.Unauthorized, "unknown token")
	}
	if err != nil {
		return nil, err
	}
	return &tok, nil
}

// AppendAudit implements store.Tx.
func (t *Tx) AppendAudit(ctx context.Context, e *store.AuditEntry) error {
	if e.At.IsZero() {
		e.At = t.now
	}
	if e.Detail == "" {
		e.Detail = "{}"
	}
	return t.queryRow(ctx, `INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) VALUES (?,?,?,?,?,?) RETURNING seq`,
		e.At.UTC(), e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Detail).Scan(&e.Seq)
}

// Audit implements store.Tx.
func (t *Tx) Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	var where []string
	var args []any
	if f.ObjectID != "" {
		where, args = append(where, "object_id = ?"), append(args, f.ObjectID)
	}
	if f.AfterSeq > 0 {
		where, args = append(where, "seq > ?"), append(args, f.AfterSeq)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := t.query(ctx, `SELECT seq, at, actor, action, object_type, object_id, detail FROM audit_log`+whereClause(where)+` ORDER BY seq LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Idempotency implements store.Tx.
func (t *Tx) Idempotency(ctx context.Context, actor, key string) (*store.IdempotencyRecord, error) {
	r := store.IdempotencyRecord{Actor: actor, Key: key}
	err := t.queryRow(ctx, `SELECT method, path, request_hash, status, body, created_at FROM idempotency_keys WHERE actor = ? AND key = ?`,
		actor, key).Scan(&r.Method, &r.Path, &r.RequestHash, &r.Status, &r.Body, &r.CreatedAt)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// SaveIdempotency implements store.Tx.
func (t *Tx) SaveIdempotency(ctx context.Context, r *store.IdempotencyRecord) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = t.now
	}
	body := r.Body
	if body == nil {
		body = []byte{} // an empty response (204) is still a response to replay
	}
	_, err := t.Exec(ctx, `INSERT INTO idempotency_keys (actor, key, method, path, request_hash, status, body, created_at) VALUES (?,?,?,?,?,?,?,?)`,
		r.Actor, r.Key, r.Method, r.Path, r.RequestHash, r.Status, body, r.CreatedAt.UTC())
	if t.s.dialect.IsUniqueViolation(err) {
		return apperr.Errorf(apperr.Conflict, "a request with this Idempotency-Key is already in progress")
	}
	return err
}

// FinishIdempotency implements store.Tx.
func (t *Tx) FinishIdempotency(ctx context.Context, actor, key string, status int, body []byte) error {
	if body == nil {
		body = []byte{}
	}
	res, err := t.Exec(ctx, `UPDATE idempotency_keys SET status = ?, body = ? WHERE actor = ? AND key = ? AND status IN (0, -1)`, status, body, actor, key)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Errorf(apperr.Conflict, "no reservation for Idempotency-Key %q", key)
	}
	return nil
}

// ReleaseIdempotency implements store.Tx.
func (t *Tx) ReleaseIdempotency(ctx context.Context, actor, key string) error {
	_, err := t.Exec(ctx, `DELETE FROM idempotency_keys WHERE actor = ? AND key = ? AND status = 0`, actor, key)
	return err
}
