package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/store"
)

// stringList is the JSON array of a list column ("[]" when empty).
func stringList(list []string) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// parseStringList reads a list column; an empty list reads as nil.
func parseStringList(s string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// ---- interactions -------------------------------------------------------------------

const interactionCols = `id, customer_id, kind, direction, occurred_at, summary, reason_category, claim, evidence, invoice_ids, follow_up, actor, created_at, conversation`

func scanInteraction(sc scanner) (store.Interaction, error) {
	var i store.Interaction
	var invoiceIDs string
	err := sc.Scan(&i.ID, &i.CustomerID, &i.Kind, &i.Direction, &i.OccurredAt, &i.Summary, &i.ReasonCategory,
		&i.Claim, &i.Evidence, &invoiceIDs, &i.FollowUp, &i.Actor, &i.CreatedAt, &i.Conversation)
	if err != nil {
		return i, err
	}
	i.OccurredAt, i.CreatedAt = i.OccurredAt.UTC(), i.CreatedAt.UTC()
	if i.InvoiceIDs, err = parseStringList(invoiceIDs); err != nil {
		return i, fmt.Errorf("interaction %s: invoice_ids: %w", i.ID, err)
	}
	return i, nil
}

// InsertInteraction implements store.Tx. A zero OccurredAt becomes the
// transaction's clock.
func (t *Tx) InsertInteraction(ctx context.Context, i *store.Interaction) error {
	if i.ID == "" {
		i.ID = ids.New(ids.Interaction)
	}
	if i.CreatedAt.IsZero() {
		i.CreatedAt = t.now
	}
	if i.OccurredAt.IsZero() {
		i.OccurredAt = t.now
	}
	invoiceIDs, err := stringList(i.InvoiceIDs)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO interactions (`+interactionCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		i.ID, i.CustomerID, i.Kind, i.Direction, i.OccurredAt.UTC(), i.Summary, i.ReasonCategory, i.Claim, i.Evidence,
		invoiceIDs, i.FollowUp, i.Actor, i.CreatedAt.UTC(), i.Conversation)
	return err
}

// Interactions implements store.Tx.
func (t *Tx) Interactions(ctx context.Context, f store.InteractionFilter) ([]store.Interaction, string, error) {
	var c conds
	c.eq("customer_id", f.CustomerID)
	rows, limit, err := t.listRows(ctx, interactionCols, "interactions", f.Page, c)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanInteraction, func(v store.Interaction) string { return v.ID })
}

// ---- messages (the outbox) ----------------------------------------------------------

const messageCols = `id, customer_id, channel, step, tone, locale, scheduled_for, status, subject, body, invoice_numbers, dedupe_key, attempts, last_error, sent_at, next_attempt_at, claimed_by, claimed_at, created_at, attachments, context, status_reason, held_at, held_by, awaiting_approval, edited`

func scanMessage(sc scanner) (store.Message, error) {
	var m store.Message
	var numbers string
	var dedupe sql.NullString
	var sentAt, nextAttemptAt, claimedAt, heldAt sql.NullTime
	var attachments, mctx string
	err := sc.Scan(&m.ID, &m.CustomerID, &m.Channel, &m.Step, &m.Tone, &m.Locale, &m.ScheduledFor, &m.Status,
		&m.Subject, &m.Body, &numbers, &dedupe, &m.Attempts, &m.LastError, &sentAt, &nextAttemptAt, &m.ClaimedBy, &claimedAt, &m.CreatedAt, &attachments,
		&mctx, &m.StatusReason, &heldAt, &m.HeldBy, &m.AwaitingApproval, &m.Edited)
	if err != nil {
		return m, err
	}
	if mctx != "" && mctx != "{}" {
		if err := json.Unmarshal([]byte(mctx), &m.Context); err != nil {
			return m, fmt.Errorf("message %s: context: %w", m.ID, err)
		}
	}
	if attachments != "" && attachments != "[]" {
		if err := json.Unmarshal([]byte(attachments), &m.Attachments); err != nil {
			return m, fmt.Errorf("message %s: attachments: %w", m.ID, err)
		}
	}
	m.ScheduledFor, m.CreatedAt, m.DedupeKey = m.ScheduledFor.UTC(), m.CreatedAt.UTC(), dedupe.String
	m.SentAt, m.NextAttemptAt, m.ClaimedAt, m.HeldAt = timePtr(sentAt), timePtr(nextAttemptAt), timePtr(claimedAt), timePtr(heldAt)
	if m.InvoiceNumbers, err = parseStringList(numbers); err != nil {
		return m, fmt.Errorf("message %s: invoice_numbers: %w", m.ID, err)
	}
	return m, nil
}

var messageStatuses = map[string]bool{store.MessageQueued: true, store.MessageSent: true, store.MessageFailed: true, store.MessageBounced: true, store.MessageWithdrawn: true}

// InsertMessage implements store.Tx. When a message with m.DedupeKey is
// stored already, nothing is written and m.ID is set to that message's id.
func (t *Tx) InsertMessage(ctx context.Context, m *store.Message) (string, bool, error) {
	row, err := t.messageRow(m)
	if err != nil {
		return "", false, err
	}
	n, err := t.execCount(ctx, `INSERT INTO messages (`+messageCols+`) VALUES (`+placeholders(messageColumns)+`) ON CONFLICT (dedupe_key) DO NOTHING`, row...)
	if err != nil {
		return "", false, err
	}
	if n > 0 {
		return m.ID, true, nil
	}
	// Only a stored dedupe_key makes the INSERT do nothing.
	var id string
	if err := t.queryRow(ctx, `SELECT id FROM messages WHERE dedupe_key = ?`, m.DedupeKey).Scan(&id); err != nil {
		return "", false, fmt.Errorf("message with dedupe key %q: %w", m.DedupeKey, err)
	}
	m.ID = id
	return id, false, nil
}

// messageColumns is how many columns messageCols names.
const messageColumns = 26

// messageRow fills a new message's defaults (id, created now) and returns
// its values in messageCols order.
func (t *Tx) messageRow(m *store.Message) ([]any, error) {
	if m.ID == "" {
		m.ID = ids.New(ids.Message)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t.now
	}
	numbers, err := stringList(m.InvoiceNumbers)
	if err != nil {
		return nil, err
	}
	atts := []byte("[]")
	if len(m.Attachments) > 0 {
		if atts, err = json.Marshal(m.Attachments); err != nil {
			return nil, err
		}
	}
	mctx, err := json.Marshal(m.Context)
	if err != nil {
		return nil, err
	}
	return []any{m.ID, m.CustomerID, m.Channel, m.Step, m.Tone, m.Locale, m.ScheduledFor.UTC(), m.Status, m.Subject, m.Body,
		numbers, nullString(m.DedupeKey), m.Attempts, m.LastError, nullTime(m.SentAt), nullTime(m.NextAttemptAt),
		m.ClaimedBy, nullTime(m.ClaimedAt), m.CreatedAt.UTC(), string(atts), string(mctx), m.StatusReason,
		nullTime(m.HeldAt), m.HeldBy, m.AwaitingApproval, m.Edited}, nil
}

// InsertMessages implements store.Tx: multi-row INSERTs.
func (t *Tx) InsertMessages(ctx context.Context, ms []*store.Message) (int, error) {
	const per = bulkChunk / messageColumns
	created := 0
	for start := 0; start < len(ms); start += per {
		end := min(start+per, len(ms))
		args := make([]any, 0, messageColumns*(end-start))
		for _, m := range ms[start:end] {
			row, err := t.messageRow(m)
			if err != nil {
				return created, err
			}
			args = append(args, row...)
		}
		n, err := t.execCount(ctx, multiInsert("messages", messageCols, messageColumns, end-start)+` ON CONFLICT (dedupe_key) DO NOTHING`, args...)
		if err != nil {
			return created, err
		}
		created += n
	}
	return created, nil
}

// Message implements store.Tx.
func (t *Tx) Message(ctx context.Context, id string) (*store.Message, error) {
	m, err := scanMessage(t.queryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("message", id)
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// ClaimMessages implements store.Tx. One statement picks up to limit
// messages of channel that are queued, scheduled at or before now, not
// held back past now by next_attempt_at, and either unclaimed or claimed
// before staleBefore (strictly; a claim without a time counts as free),
// and claims them for worker at the transaction's clock. On PostgreSQL the
// pick locks its rows FOR UPDATE SKIP LOCKED: a concurrent claim passes
// over them instead of waiting, and one that reads them after this
// transaction commits sees them claimed. The pick is a MATERIALIZED CTE so
// that it runs exactly once. SQLite runs one writer at a time and needs no
// lock. Held messages and those awaiting approval are passed over (staff
// control, docs/collections.md "The outbox"). The messages are returned as stored, with the claim, in
// (scheduled_for, id) order.
func (t *Tx) ClaimMessages(ctx context.Context, channel, worker string, now, staleBefore time.Time, limit int) ([]store.Message, error) {
	if worker == "" {
		return nil, errors.New("store: ClaimMessages: empty worker")
	}
	if limit <= 0 {
		return nil, nil
	}
	lock := t.skipLocked()
	rows, err := t.query(ctx, `WITH picked AS MATERIALIZED (
			SELECT id FROM messages
			WHERE channel = ? AND status = 'queued' AND scheduled_for <= ?
				AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
				AND (claimed_by = '' OR claimed_at IS NULL OR claimed_at < ?)
				AND held_at IS NULL AND NOT awaiting_approval
			ORDER BY scheduled_for, id LIMIT ?`+lock+`)
		UPDATE messages SET claimed_by = ?, claimed_at = ?
		WHERE id IN (SELECT id FROM picked)
		RETURNING `+messageCols,
		channel, now.UTC(), now.UTC(), staleBefore.UTC(), limit, worker, t.now.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING has no order.
	slices.SortFunc(out, func(a, b store.Message) int {
		if c := a.ScheduledFor.Compare(b.ScheduledFor); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// UpdateMessageDelivery implements store.Tx: Status, Attempts, LastError,
// SentAt and NextAttemptAt are stored and the claim is cleared (also in
// m: ClaimedBy "", ClaimedAt nil).
func (t *Tx) UpdateMessageDelivery(ctx context.Context, m *store.Message) error {
	if !messageStatuses[m.Status] {
		return apperr.Field("status", "%q must be queued, sent, failed, bounced or withdrawn", m.Status)
	}
	// Subject and body are stored as they were sent: a collections message
	// is rendered again when it leaves (service.DeliverEmails).
	res, err := t.Exec(ctx, `UPDATE messages SET status = ?, attempts = ?, last_error = ?, sent_at = ?, next_attempt_at = ?,
		subject = ?, body = ?, status_reason = ?, scheduled_for = ?, claimed_by = '', claimed_at = NULL WHERE id = ? AND claimed_by = ?`,
		m.Status, m.Attempts, m.LastError, nullTime(m.SentAt), nullTime(m.NextAttemptAt), m.Subject, m.Body, m.StatusReason, m.ScheduledFor.UTC(), m.ID, m.ClaimedBy)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var by string
		if err := t.queryRow(ctx, `SELECT claimed_by FROM messages WHERE id = ?`, m.ID).Scan(&by); isNoRows(err) {
			return notFound("message", m.ID)
		} else if err != nil {
			return err
		}
		return apperr.Errorf(apperr.Conflict, "message %s is no longer claimed by %q (claimed by %q)", m.ID, m.ClaimedBy, by)
	}
	m.ClaimedBy, m.ClaimedAt = "", nil
	return nil
}

// Messages implements store.Tx.
func (t *Tx) Messages(ctx context.Context, f store.MessageFilter) ([]store.Message, string, error) {
	if f.Status != "" && !messageStatuses[f.Status] {
		return nil, "", apperr.Field("status", "%q must be queued, sent, failed, bounced or withdrawn", f.Status)
	}
	var c conds
	c.eq("customer_id", f.CustomerID)
	c.eq("status", f.Status)
	c.eq("channel", f.Channel)
	switch f.Control {
	case "":
	case "held":
		c.where = append(c.where, "held_at IS NOT NULL")
	case "awaiting_approval":
		c.where = append(c.where, "held_at IS NULL AND awaiting_approval")
	case "free":
		c.where = append(c.where, "held_at IS NULL AND NOT awaiting_approval")
	default:
		return nil, "", apperr.Field("state", "%q must be held, awaiting_approval or free", f.Control)
	}
	if !f.Since.IsZero() {
		c.where, c.args = append(c.where, "scheduled_for >= ?"), append(c.args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		c.where, c.args = append(c.where, "scheduled_for < ?"), append(c.args, f.Until.UTC())
	}
	rows, limit, err := t.listRows(ctx, messageCols, "messages", f.Page, c)
	if err != nil {
		return nil, "", err
	}
	return page(rows, limit, scanMessage, func(v store.Message) string { return v.ID })
}
