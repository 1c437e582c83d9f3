package sqldb

import (
	"context"
	"time"

	"settle/internal/apperr"
	"settle/internal/store"
)

const stagedCols = `id, kind, filename, date_format, mapping, sha256, size, owner, preview, result, created_at, expires_at`

// InsertStagedUpload implements store.Tx.
func (t *Tx) InsertStagedUpload(ctx context.Context, u *store.StagedUpload) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = t.now
	}
	u.CreatedAt, u.ExpiresAt = u.CreatedAt.UTC(), u.ExpiresAt.UTC()
	if u.Mapping == "" {
		u.Mapping = "{}"
	}
	data := u.Data
	if data == nil {
		data = []byte{}
	}
	_, err := t.Exec(ctx, `INSERT INTO import_staging (`+stagedCols+`, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		u.ID, u.Kind, u.Filename, u.DateFormat, u.Mapping, u.SHA256, u.Size, u.Owner, string(u.Preview),
		nullBytes(u.Result), u.CreatedAt, u.ExpiresAt, data)
	if t.s.dialect.IsUniqueViolation(err) {
		return apperr.Errorf(apperr.Conflict, "staged upload %s exists already", u.ID)
	}
	return err
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// StagedUpload implements store.Tx.
func (t *Tx) StagedUpload(ctx context.Context, id string, withData bool) (*store.StagedUpload, error) {
	var u store.StagedUpload
	var preview string
	var result *string
	dest := []any{&u.ID, &u.Kind, &u.Filename, &u.DateFormat, &u.Mapping, &u.SHA256, &u.Size, &u.Owner, &preview, &result, &u.CreatedAt, &u.ExpiresAt}
	q := `SELECT ` + stagedCols + ` FROM import_staging WHERE id = ?`
	if withData {
		q = `SELECT ` + stagedCols + `, data FROM import_staging WHERE id = ?`
		dest = append(dest, &u.Data)
	}
	err := t.queryRow(ctx, q, id).Scan(dest...)
	if isNoRows(err) {
		return nil, apperr.Errorf(apperr.NotFound, "staged upload %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	u.Preview = []byte(preview)
	if result != nil {
		u.Result = []byte(*result)
	}
	if withData && u.Data == nil {
		u.Data = []byte{}
	}
	u.CreatedAt, u.ExpiresAt = u.CreatedAt.UTC(), u.ExpiresAt.UTC()
	return &u, nil
}

// FinishStagedUpload implements store.Tx.
func (t *Tx) FinishStagedUpload(ctx context.Context, id string, result []byte) (bool, error) {
	n, err := t.execCount(ctx, `UPDATE import_staging SET result = ?, data = ? WHERE id = ? AND result IS NULL`,
		string(result), []byte{}, id)
	return n == 1, err
}

// DeleteExpiredStagedUploads implements store.Tx.
func (t *Tx) DeleteExpiredStagedUploads(ctx context.Context, now time.Time) (int64, error) {
	res, err := t.Exec(ctx, `DELETE FROM import_staging WHERE expires_at < ?`, now.UTC())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// RecentImports implements store.Tx.
func (t *Tx) RecentImports(ctx context.Context, limit int) ([]store.Import, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := t.query(ctx, `SELECT id, kind, sha256, filename, rows, inserted, updated, unchanged, actor, created_at
		FROM imports ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Import
	for rows.Next() {
		var im store.Import
		if err := rows.Scan(&im.ID, &im.Kind, &im.SHA256, &im.Filename, &im.Rows, &im.Inserted, &im.Updated,
			&im.Unchanged, &im.Actor, &im.CreatedAt); err != nil {
			return nil, err
		}
		im.CreatedAt = im.CreatedAt.UTC()
		out = append(out, im)
	}
	return out, rows.Err()
}
