package sqldb

import (
	"context"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/store"
)

// Staff users and their web sessions (internal/web), and the counts the
// dashboard reads.

const userCols = `id, email, name, role, password_hash, disabled, created_at`

func scanUser(sc scanner) (store.User, error) {
	var u store.User
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt); err != nil {
		return u, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}

// InsertUser implements store.Tx. The email is stored lower-cased; one
// already taken (in any case) is a Conflict.
func (t *Tx) InsertUser(ctx context.Context, u *store.User) error {
	if u.ID == "" {
		u.ID = ids.New(ids.User)
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = t.now
	}
	u.Email = strings.ToLower(u.Email)
	u.CreatedAt = u.CreatedAt.UTC()
	_, err := t.Exec(ctx, `INSERT INTO users (`+userCols+`) VALUES (?,?,?,?,?,?,?)`,
		u.ID, u.Email, u.Name, u.Role, u.PasswordHash, u.Disabled, u.CreatedAt)
	if t.s.dialect.IsUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Message: "invalid email",
			Fields: []apperr.FieldError{{Field: "email", Message: u.Email + " is taken by another user"}}}
	}
	return err
}

// User implements store.Tx: by id (usr_…) or by email, in any case.
func (t *Tx) User(ctx context.Context, idOrEmail string) (*store.User, error) {
	col, key := "email", strings.ToLower(idOrEmail)
	if ids.HasPrefix(idOrEmail, ids.User) {
		col, key = "id", idOrEmail
	}
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE `+col+` = ?`, key))
	if isNoRows(err) {
		return nil, notFound("user", idOrEmail)
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Users implements store.Tx.
func (t *Tx) Users(ctx context.Context, p store.Page) ([]store.User, string, error) {
	rows, limit, err := t.listRows(ctx, userCols, "users", p, conds{})
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanUser, func(u store.User) string { return u.ID })
}

// UpdateUser implements store.Tx: Name, Role, PasswordHash and Disabled.
func (t *Tx) UpdateUser(ctx context.Context, u *store.User) error {
	res, err := t.Exec(ctx, `UPDATE users SET name = ?, role = ?, password_hash = ?, disabled = ? WHERE id = ?`,
		u.Name, u.Role, u.PasswordHash, u.Disabled, u.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("user", u.ID)
	}
	return nil
}

const sessionCols = `id, user_id, csrf_token, created_at, expires_at, last_seen_at`

// InsertSession implements store.Tx. CreatedAt and LastSeenAt default to
// the transaction's clock.
func (t *Tx) InsertSession(ctx context.Context, s *store.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = t.now
	}
	if s.LastSeenAt.IsZero() {
		s.LastSeenAt = s.CreatedAt
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeenAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.LastSeenAt.UTC()
	_, err := t.Exec(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES (?,?,?,?,?,?)`,
		s.ID, s.UserID, s.CSRFToken, s.CreatedAt, s.ExpiresAt, s.LastSeenAt)
	if t.s.dialect.IsUniqueViolation(err) {
		return apperr.Errorf(apperr.Conflict, "the session exists already")
	}
	return err
}

// Session implements store.Tx.
func (t *Tx) Session(ctx context.Context, id string) (*store.Session, error) {
	var s store.Session
	err := t.queryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.UserID, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt, &s.LastSeenAt)
	if isNoRows(err) {
		// The id is a hash of a secret: not worth repeating in the message.
		return nil, apperr.Errorf(apperr.NotFound, "session not found")
	}
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeenAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.LastSeenAt.UTC()
	return &s, nil
}

// TouchSession implements store.Tx.
func (t *Tx) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := t.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, at.UTC(), id)
	return err
}

// DeleteSession implements store.Tx.
func (t *Tx) DeleteSession(ctx context.Context, id string) error {
	_, err := t.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// DeleteUserSessions implements store.Tx.
func (t *Tx) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	res, err := t.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteEndedSessions implements store.Tx.
func (t *Tx) DeleteEndedSessions(ctx context.Context, now, idleSince time.Time) (int64, error) {
	res, err := t.Exec(ctx, `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`, now.UTC(), idleSince.UTC())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// PlanIDsByStatus implements store.Tx.
func (t *Tx) PlanIDsByStatus(ctx context.Context, status string) ([]string, error) {
	return t.stringColumn(ctx, `SELECT id FROM plans WHERE status = ? ORDER BY id`, status)
}

// TaskCounts implements store.Tx (the tasks_queue index covers it).
func (t *Tx) TaskCounts(ctx context.Context) ([]store.TaskCount, error) {
	rows, err := t.query(ctx, `SELECT queue, status, COUNT(*) FROM tasks GROUP BY queue, status ORDER BY queue, status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.TaskCount
	for rows.Next() {
		var c store.TaskCount
		if err := rows.Scan(&c.Queue, &c.Status, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
