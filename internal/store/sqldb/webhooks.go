package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/store"
)

// ---- webhooks (subscriptions) -------------------------------------------------------

const webhookCols = `id, url, secret, events, active, created_at`

func scanWebhook(sc scanner) (store.Webhook, error) {
	var w store.Webhook
	var events string
	if err := sc.Scan(&w.ID, &w.URL, &w.Secret, &events, &w.Active, &w.CreatedAt); err != nil {
		return w, err
	}
	w.CreatedAt = w.CreatedAt.UTC()
	var err error
	if w.Events, err = parseStringList(events); err != nil {
		return w, fmt.Errorf("webhook %s: events: %w", w.ID, err)
	}
	return w, nil
}

// InsertWebhook implements store.Tx. An empty ID becomes a new whk_ id and
// a zero CreatedAt the transaction's clock. Events are stored as a JSON
// array (an empty list reads back as nil).
func (t *Tx) InsertWebhook(ctx context.Context, w *store.Webhook) error {
	if w.ID == "" {
		w.ID = ids.New(ids.Webhook)
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = t.now
	}
	events, err := stringList(w.Events)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO webhooks (`+webhookCols+`) VALUES (?,?,?,?,?,?)`,
		w.ID, w.URL, w.Secret, events, w.Active, w.CreatedAt.UTC())
	return err
}

// Webhook implements store.Tx.
func (t *Tx) Webhook(ctx context.Context, id string) (*store.Webhook, error) {
	w, err := scanWebhook(t.queryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("webhook", id)
	}
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// Webhooks implements store.Tx: in id (creation) order.
func (t *Tx) Webhooks(ctx context.Context, pg store.Page) ([]store.Webhook, string, error) {
	rows, limit, err := t.listRows(ctx, webhookCols, "webhooks", pg, conds{})
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanWebhook, func(v store.Webhook) string { return v.ID })
}

// UpdateWebhook implements store.Tx: URL, Events and Active are stored;
// the secret and creation time are kept.
func (t *Tx) UpdateWebhook(ctx context.Context, w *store.Webhook) error {
	events, err := stringList(w.Events)
	if err != nil {
		return err
	}
	res, err := t.Exec(ctx, `UPDATE webhooks SET url = ?, events = ?, active = ? WHERE id = ?`, w.URL, events, w.Active, w.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("webhook", w.ID)
	}
	return nil
}

// WebhooksFor implements store.Tx: the active subscriptions whose events
// name event exactly, in id order. Subscriptions are few: the active ones
// are read and matched here, which keeps the query the same on both
// engines (no JSON functions).
func (t *Tx) WebhooksFor(ctx context.Context, event string) ([]store.Webhook, error) {
	rows, err := t.query(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE active = ? ORDER BY id`, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		if slices.Contains(w.Events, event) {
			out = append(out, w)
		}
	}
	return out, rows.Err()
}

// ---- webhook deliveries -------------------------------------------------------------

const deliveryCols = `id, webhook_id, event_id, event, payload, status, attempts, last_status_code, last_error, next_attempt_at, delivered_at, claimed_by, claimed_at, created_at`

func scanDelivery(sc scanner) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	var payload string
	var deliveredAt, claimedAt sql.NullTime
	err := sc.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.Event, &payload, &d.Status, &d.Attempts, &d.LastStatusCode,
		&d.LastError, &d.NextAttemptAt, &deliveredAt, &d.ClaimedBy, &claimedAt, &d.CreatedAt)
	d.Payload = []byte(payload)
	d.NextAttemptAt, d.CreatedAt = d.NextAttemptAt.UTC(), d.CreatedAt.UTC()
	d.DeliveredAt, d.ClaimedAt = timePtr(deliveredAt), timePtr(claimedAt)
	return d, err
}

var deliveryStatuses = map[string]bool{store.DeliveryPending: true, store.DeliveryDelivered: true, store.DeliveryFailed: true}

func badDeliveryStatus(status string) error {
	return apperr.Field("status", "%q must be pending, delivered or failed", status)
}

// InsertWebhookDelivery implements store.Tx. An empty ID becomes a new
// dlv_ id, an empty Status pending, a zero CreatedAt and a zero
// NextAttemptAt the transaction's clock (due at once), and an empty
// Payload "{}". When the webhook has a delivery of d.EventID already, ON
// CONFLICT DO NOTHING skips the row, which is no error (on PostgreSQL the
// transaction stays usable): nothing is written, d.ID is set to the stored
// delivery's id and created is false.
func (t *Tx) InsertWebhookDelivery(ctx context.Context, d *store.WebhookDelivery) (bool, error) {
	if d.Status == "" {
		d.Status = store.DeliveryPending
	}
	if !deliveryStatuses[d.Status] {
		return false, badDeliveryStatus(d.Status)
	}
	if d.ID == "" {
		d.ID = ids.New(ids.Delivery)
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = t.now
	}
	if d.NextAttemptAt.IsZero() {
		d.NextAttemptAt = t.now
	}
	d.Payload = orEmptyObject(d.Payload)
	res, err := t.Exec(ctx, `INSERT INTO webhook_deliveries (`+deliveryCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (webhook_id, event_id) DO NOTHING`,
		d.ID, d.WebhookID, d.EventID, d.Event, string(d.Payload), d.Status, d.Attempts, d.LastStatusCode, d.LastError,
		d.NextAttemptAt.UTC(), nullTime(d.DeliveredAt), d.ClaimedBy, nullTime(d.ClaimedAt), d.CreatedAt.UTC())
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	// Only a stored (webhook_id, event_id) makes the INSERT do nothing.
	var id string
	if err := t.queryRow(ctx, `SELECT id FROM webhook_deliveries WHERE webhook_id = ? AND event_id = ?`, d.WebhookID, d.EventID).Scan(&id); err != nil {
		return false, fmt.Errorf("delivery of event %s to webhook %s: %w", d.EventID, d.WebhookID, err)
	}
	d.ID = id
	return false, nil
}

// ClaimWebhookDeliveries implements store.Tx. One statement picks up to
// limit deliveries that are pending, due by now (next_attempt_at <= now),
// and either unclaimed or claimed before staleBefore (strictly; a claim
// without a time counts as free), and claims them for worker at the
// transaction's clock. On PostgreSQL the pick locks its rows FOR UPDATE
// SKIP LOCKED: a concurrent claim passes over them instead of waiting, and
// one that reads them after this transaction commits sees them claimed.
// The pick is a MATERIALIZED CTE so that it runs exactly once. SQLite runs
// one writer at a time and needs no lock. The deliveries are returned as
// stored, with the claim, in (next_attempt_at, id) order.
func (t *Tx) ClaimWebhookDeliveries(ctx context.Context, worker string, now, staleBefore time.Time, limit int) ([]store.WebhookDelivery, error) {
	if worker == "" {
		return nil, errors.New("store: ClaimWebhookDeliveries: empty worker")
	}
	if limit <= 0 {
		return nil, nil
	}
	lock := t.skipLocked()
	rows, err := t.query(ctx, `WITH picked AS MATERIALIZED (
			SELECT id FROM webhook_deliveries
			WHERE status = 'pending' AND next_attempt_at <= ?
				AND (claimed_by = '' OR claimed_at IS NULL OR claimed_at < ?)
			ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
		UPDATE webhook_deliveries SET claimed_by = ?, claimed_at = ?
		WHERE id IN (SELECT id FROM picked)
		RETURNING `+deliveryCols,
		now.UTC(), staleBefore.UTC(), limit, worker, t.now.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING has no order.
	slices.SortFunc(out, func(a, b store.WebhookDelivery) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// UpdateWebhookDelivery implements store.Tx: Status, Attempts,
// LastStatusCode, LastError, NextAttemptAt and DeliveredAt are stored and
// the claim is cleared (also in d: ClaimedBy "", ClaimedAt nil). A zero
// NextAttemptAt keeps the stored one (the column is NOT NULL), which is
// then set in d.
func (t *Tx) UpdateWebhookDelivery(ctx context.Context, d *store.WebhookDelivery) error {
	if !deliveryStatuses[d.Status] {
		return badDeliveryStatus(d.Status)
	}
	var next any
	if !d.NextAttemptAt.IsZero() {
		next = d.NextAttemptAt.UTC()
	}
	var stored time.Time
	err := t.queryRow(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?, last_error = ?,
		next_attempt_at = COALESCE(?, next_attempt_at), delivered_at = ?, claimed_by = '', claimed_at = NULL
		WHERE id = ? AND claimed_by = ? RETURNING next_attempt_at`,
		d.Status, d.Attempts, d.LastStatusCode, d.LastError, next, nullTime(d.DeliveredAt), d.ID, d.ClaimedBy).Scan(&stored)
	if isNoRows(err) {
		var by string
		if err := t.queryRow(ctx, `SELECT claimed_by FROM webhook_deliveries WHERE id = ?`, d.ID).Scan(&by); isNoRows(err) {
			return notFound("webhook delivery", d.ID)
		} else if err != nil {
			return err
		}
		return apperr.Errorf(apperr.Conflict, "webhook delivery %s is no longer claimed by %q (claimed by %q)", d.ID, d.ClaimedBy, by)
	}
	if err != nil {
		return err
	}
	d.NextAttemptAt, d.ClaimedBy, d.ClaimedAt = stored.UTC(), "", nil
	return nil
}

// deliveryCursor is the position of a delivery in list order (created_at
// descending, then id descending): an opaque cursor encodes the last
// delivery of a page.
type deliveryCursor struct {
	createdAt time.Time
	id        string
}

func (c deliveryCursor) String() string {
	raw := c.createdAt.UTC().Format(time.RFC3339Nano) + "|" + c.id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseDeliveryCursor(s string) (deliveryCursor, error) {
	bad := apperr.Field("cursor", "%q is not a cursor of this list", s)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return deliveryCursor{}, bad
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok || !ids.HasPrefix(id, ids.Delivery) {
		return deliveryCursor{}, bad
	}
	created, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return deliveryCursor{}, bad
	}
	return deliveryCursor{createdAt: created.UTC(), id: id}, nil
}

// WebhookDeliveries implements store.Tx: newest first (created_at
// descending, then id descending). Cursors are opaque: they encode the
// creation time and id of the last delivery of the page before. An
// unknown webhook has no deliveries (an empty list, not NotFound).
func (t *Tx) WebhookDeliveries(ctx context.Context, webhookID string, p store.Page) ([]store.WebhookDelivery, string, error) {
	where := []string{"webhook_id = ?"}
	args := []any{webhookID}
	if p.Cursor != "" {
		cur, err := parseDeliveryCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		// Before the cursor in (created_at, id) order; the redundant first
		// bound lets the (webhook_id, created_at, id) index start there.
		where = append(where, `created_at <= ? AND (created_at < ? OR id < ?)`)
		args = append(args, cur.createdAt, cur.createdAt, cur.id)
	}
	limit := limitOf(p)
	rows, err := t.query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries`+whereClause(where)+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanDelivery, func(d store.WebhookDelivery) string {
		return deliveryCursor{createdAt: d.CreatedAt, id: d.ID}.String()
	})
}
