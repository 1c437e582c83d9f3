package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/store"
	"settle/internal/text"
)

// The outbox under the controller's hand (docs/collections.md "The
// outbox"): staff read every queued message as it will leave, and hold,
// release, skip, send now, edit or approve it; they pause chasing per
// customer until a date; letters are printed in a daily batch and marked
// posted. Every action is audited with its actor. A held message and one
// awaiting approval stay queued: the sender's claim passes over them
// (store.ClaimMessages), the run and delivery still re-check them.

// Outbox states: a queued message is one of these.
const (
	OutboxQueued           = "queued"
	OutboxHeld             = "held"
	OutboxAwaitingApproval = "awaiting_approval"
)

// OutboxState is the state the outbox shows a message in: held and
// awaiting_approval are queued messages under staff control.
func OutboxState(m store.Message) string {
	switch {
	case m.Status != store.MessageQueued:
		return m.Status
	case m.HeldAt != nil:
		return OutboxHeld
	case m.AwaitingApproval:
		return OutboxAwaitingApproval
	}
	return OutboxQueued
}

// OutboxItem is a queued message with what it would say if it left now.
type OutboxItem struct {
	store.Message
	State    string // queued, held, awaiting_approval
	Customer string // the customer's name
	// Preview is the message rendered now, as delivery would render it
	// (an edited message as edited): Subject, Body and, for an email, HTML.
	Preview struct{ Subject, Body, HTML string }
	// Withdraw is why the re-check would withdraw the message now ("" it
	// holds): delivery (or the next run) will withdraw it.
	Withdraw string
	Pause    *store.CustomerPause // the customer's pause in force, if any
}

// OutboxFilter selects the outbox's queued messages.
type OutboxFilter struct {
	store.Page
	CustomerID string
	Channel    string // email, letter, sms ("" all)
	State      string // queued, held, awaiting_approval ("" all)
}

// errPreview rolls a preview's transaction back: what the re-check would
// write is never kept.
var errPreview = errors.New("preview: rolled back")

// Outbox lists queued messages (viewers), each rendered and re-checked as
// delivery would do it at its scheduled time (now, when that has passed),
// from the ledger of now. The re-check runs delivery's own code
// (recheckForDelivery) in a transaction that is rolled back, so the
// preview is what would leave, and nothing is written.
func (s *Service) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxItem, string, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	switch f.Channel {
	case "", notify.ChannelEmail, notify.ChannelLetter, notify.ChannelSMS:
	default:
		return nil, "", apperr.Field("channel", "%q must be email, letter or sms", f.Channel)
	}
	switch f.State {
	case "", OutboxQueued, OutboxHeld, OutboxAwaitingApproval:
	default:
		return nil, "", apperr.Field("status", "%q must be queued, held or awaiting_approval", f.State)
	}
	if err := s.loadPortalKey(ctx); err != nil {
		return nil, "", err
	}
	var list []store.Message
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		id, err := customerFilter(ctx, tx, f.CustomerID)
		if err != nil {
			return err
		}
		control := map[string]string{OutboxQueued: "free", OutboxHeld: "held", OutboxAwaitingApproval: "awaiting_approval"}[f.State]
		list, next, err = tx.Messages(ctx, store.MessageFilter{Page: f.Page, CustomerID: id, Channel: f.Channel, Status: store.MessageQueued, Control: control})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]OutboxItem, 0, len(list))
	for _, m := range list {
		it, err := s.previewMessage(ctx, m)
		if err != nil {
			return nil, "", fmt.Errorf("outbox: message %s: %w", m.ID, err)
		}
		out = append(out, it)
	}
	return out, next, nil
}

// OutboxMessage is one message of the outbox with its preview (viewers).
func (s *Service) OutboxMessage(ctx context.Context, id string) (*OutboxItem, error) {
	m, err := s.Message(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.loadPortalKey(ctx); err != nil {
		return nil, err
	}
	it, err := s.previewMessage(ctx, *m)
	return &it, err
}

// previewMessage renders and re-checks one message as delivery would now,
// in its own transaction (one message's withdrawal must not colour the
// next one's preview), and rolls it back.
func (s *Service) previewMessage(ctx context.Context, m store.Message) (OutboxItem, error) {
	it := OutboxItem{Message: m, State: OutboxState(m)}
	it.Preview.Subject, it.Preview.Body = m.Subject, m.Body
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, m.CustomerID)
		if err != nil {
			return err
		}
		it.Customer = c.Name
		now := tx.Now()
		if p, err := pauseInForce(ctx, tx, c, now); err != nil {
			return err
		} else if p != nil {
			it.Pause = p
		}
		if m.Status != store.MessageQueued {
			return errPreview
		}
		// As delivery would at the message's time (now when that has
		// passed): a "due today" queued for tomorrow is previewed as
		// tomorrow's, from today's ledger.
		at := now
		if m.ScheduledFor.After(now) {
			at = m.ScheduledFor
		}
		msg := m
		v, err := s.recheckForDelivery(ctx, tx, c, &msg, "", at)
		if err != nil {
			return err
		}
		if v.withdrawn {
			// The reason as withdraw stored it (in this transaction only).
			after, err := tx.Message(ctx, m.ID)
			if err != nil {
				return err
			}
			it.Withdraw = after.StatusReason
			if it.Withdraw == "" {
				it.Withdraw = "no longer true"
			}
			return errPreview
		}
		it.Preview.Subject, it.Preview.Body, it.Preview.HTML = msg.Subject, msg.Body, v.html
		return errPreview
	})
	if err != nil && !errors.Is(err, errPreview) {
		return it, err
	}
	return it, nil
}

// controlMessage loads a queued, unclaimed message in tx, lets change
// alter it, stores it and audits action with detail. A message that left,
// was withdrawn or is being sent is a Conflict; nothing is written.
func (s *Service) controlMessage(ctx context.Context, tx store.Tx, id, action string, change func(m *store.Message) (detail map[string]any, err error)) (*store.Message, error) {
	m, err := tx.Message(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Status != store.MessageQueued {
		return nil, apperr.Errorf(apperr.Conflict, "message %s is %s: only a queued message can be changed", id, m.Status)
	}
	if m.ClaimedBy != "" {
		return nil, apperr.Errorf(apperr.Conflict, "message %s is being sent", id)
	}
	detail, err := change(m)
	if err != nil {
		return nil, err
	}
	ok, err := tx.UpdateQueuedMessage(ctx, m)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.Errorf(apperr.Conflict, "message %s changed meanwhile: look again", id)
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["customer_id"] = m.CustomerID
	return m, audit(ctx, tx, action, "message", id, detail)
}

// HoldMessage holds a queued message (agents): it stays queued and is not
// delivered until released.
func (s *Service) HoldMessage(ctx context.Context, id string) (*store.Message, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	var out *store.Message
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		out, err = s.controlMessage(ctx, tx, id, "message.held", func(m *store.Message) (map[string]any, error) {
			if m.HeldAt != nil {
				return nil, apperr.Errorf(apperr.Conflict, "message %s is held already (by %s)", id, m.HeldBy)
			}
			now := tx.Now().UTC()
			m.HeldAt, m.HeldBy = &now, a.ID
			return nil, nil
		})
		return err
	})
	return out, err
}

// ReleaseMessage releases a held message (agents): it leaves at its
// scheduled time (at once when that has passed).
func (s *Service) ReleaseMessage(ctx context.Context, id string) (*store.Message, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var out *store.Message
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		out, err = s.controlMessage(ctx, tx, id, "message.released", func(m *store.Message) (map[string]any, error) {
			if m.HeldAt == nil {
				return nil, apperr.Errorf(apperr.Conflict, "message %s is not held", id)
			}
			d := map[string]any{"held_by": m.HeldBy, "held_at": m.HeldAt.Format(time.RFC3339)}
			m.HeldAt, m.HeldBy = nil, ""
			return d, nil
		})
		return err
	})
	return out, err
}

// SkipMessage withdraws a queued message (agents) with the reason
// "skipped by <actor>: <reason>", as the re-check withdraws one. The case
// keeps its step: a skip is the controller's decision about this message,
// not a reason to take the step again.
func (s *Service) SkipMessage(ctx context.Context, id, reason string) (*store.Message, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	var fs apperr.Fields
	if reason == "" {
		fs.Add("reason", "is required: say why the message is skipped")
	}
	text.Field(&fs, "reason", reason, text.Line)
	if err := fs.Err("skip"); err != nil {
		return nil, err
	}
	var out *store.Message
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		m, err := tx.Message(ctx, id)
		if err != nil {
			return err
		}
		if m.Status != store.MessageQueued {
			return apperr.Errorf(apperr.Conflict, "message %s is %s: only a queued message can be skipped", id, m.Status)
		}
		if m.ClaimedBy != "" {
			return apperr.Errorf(apperr.Conflict, "message %s is being sent", id)
		}
		w := withdrawal{messageID: id, reason: "skipped by " + a.ID + ": " + reason}
		if err := s.withdraw(ctx, tx, m.CustomerID, w, ""); err != nil {
			return err
		}
		if out, err = tx.Message(ctx, id); err != nil {
			return err
		}
		if out.Status != store.MessageWithdrawn {
			return apperr.Errorf(apperr.Conflict, "message %s changed meanwhile: look again", id)
		}
		return nil
	})
	return out, err
}

// SendNowResult is what "send now" did.
type SendNowResult struct {
	Message *store.Message
	// Now: the contact rules allow now, and it leaves with the next
	// delivery pass; otherwise Reason says why not and ScheduledFor is the
	// next allowed slot.
	Now    bool
	Reason string
}

// SendMessageNow schedules a queued email or text for now (agents) if the
// contact rules (collect.Decide) allow now, else for the next allowed
// slot; it releases a hold and approves it: the controller said send.
func (s *Service) SendMessageNow(ctx context.Context, id string) (*SendNowResult, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	res := &SendNowResult{}
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		res.Message, err = s.controlMessage(ctx, tx, id, "message.send_now", func(m *store.Message) (map[string]any, error) {
			if m.Channel == notify.ChannelLetter {
				return nil, apperr.Field("channel", "a letter is sent by printing it (the print batch) and marking it posted")
			}
			c, err := tx.Customer(ctx, m.CustomerID)
			if err != nil {
				return nil, err
			}
			optOuts, err := tx.OptOuts(ctx, []string{c.ID})
			if err != nil {
				return nil, err
			}
			calls, err := tx.CallsFor(ctx, []string{c.ID})
			if err != nil {
				return nil, err
			}
			party := collect.Party{Kind: c.Kind, Jurisdiction: c.Jurisdiction, TimeZone: c.TimeZone, OptOuts: optOuts[c.ID]}
			now := tx.Now().UTC()
			dec := collect.Decide(party, m.Channel, strings.Join(m.Context.InvoiceIDs, ","), now, contactHistory(calls[c.ID]), collect.DefaultRules())
			if dec.Blocked {
				return nil, apperr.Field("channel", "%s", dec.Reason)
			}
			d := map[string]any{"scheduled_before": m.ScheduledFor.Format(time.RFC3339), "scheduled_for": dec.At.UTC().Format(time.RFC3339)}
			res.Now = !dec.At.After(now)
			if !res.Now {
				res.Reason = dec.Reason
				d["reason"] = dec.Reason
			}
			m.ScheduledFor, m.NextAttemptAt = dec.At.UTC(), nil
			m.HeldAt, m.HeldBy, m.AwaitingApproval = nil, "", false
			return d, nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// MessageEdit is a staff edit of a queued message before it leaves.
type MessageEdit struct {
	Subject *string `json:"subject,omitempty" doc:"Emails: the subject line (up to 500 characters)"`
	Body    *string `json:"body,omitempty" doc:"The text (up to 4000 characters)"`
}

// EditMessage replaces a queued email's or text's subject and body
// (agents), audited with before and after. An edited message is still
// re-checked at delivery (and withdrawn when moot) but not rendered
// again: the edited words are what leave, as plain text.
func (s *Service) EditMessage(ctx context.Context, id string, in MessageEdit) (*store.Message, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var out *store.Message
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		out, err = s.controlMessage(ctx, tx, id, "message.edited", func(m *store.Message) (map[string]any, error) {
			if m.Channel == notify.ChannelLetter {
				return nil, apperr.Field("channel", "a letter cannot be edited here: skip it and write one instead")
			}
			var fs apperr.Fields
			if in.Subject == nil && in.Body == nil {
				fs.Add("body", "give a subject or a body to change")
			}
			subject, body := m.Subject, m.Body
			if in.Subject != nil {
				subject = strings.TrimSpace(*in.Subject)
				if subject == "" && m.Channel == notify.ChannelEmail {
					fs.Add("subject", "is required for an email")
				}
				text.Field(&fs, "subject", subject, text.Line)
			}
			if in.Body != nil {
				body = strings.TrimSpace(*in.Body)
				if body == "" {
					fs.Add("body", "is required")
				}
				text.NoteField(&fs, "body", body, text.Note)
			}
			if err := fs.Err("edit"); err != nil {
				return nil, err
			}
			d := map[string]any{"before": map[string]string{"subject": m.Subject, "body": m.Body},
				"after": map[string]string{"subject": subject, "body": body}}
			m.Subject, m.Body, m.Edited = subject, body, true
			return d, nil
		})
		return err
	})
	return out, err
}

// MaxApprove bounds one bulk approval.
const MaxApprove = 500

// ApproveMessages approves messages awaiting approval (agents): all or
// none. An id that is unknown, or of a message not awaiting approval, is
// a field error naming it (ids[i]); nothing is approved then.
func (s *Service) ApproveMessages(ctx context.Context, ids []string) ([]store.Message, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	if err := checkIDList(ids, "approval", "message"); err != nil {
		return nil, err
	}
	var out []store.Message
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		ms, err := listedMessages(ctx, tx, ids, "approval", func(m *store.Message) string {
			switch {
			case m.Status != store.MessageQueued || !m.AwaitingApproval:
				return fmt.Sprintf("message %s is not awaiting approval (it is %s)", m.ID, OutboxState(*m))
			case m.ClaimedBy != "":
				return fmt.Sprintf("message %s is being sent", m.ID)
			}
			return ""
		})
		if err != nil {
			return err
		}
		for _, m := range ms {
			got, err := s.controlMessage(ctx, tx, m.ID, "message.approved", func(m *store.Message) (map[string]any, error) {
				m.AwaitingApproval = false
				return nil, nil
			})
			if err != nil {
				return err
			}
			out = append(out, *got)
		}
		return nil
	})
	return out, err
}

// markForApproval marks the messages the run is about to queue for
// customers whose segment's policy says approve_before_sending (the
// run's hook, runs.go visitBatch): they wait in the outbox for staff.
func (s *Service) markForApproval(ctx context.Context, tx store.Tx, plans []*customerPlan, from map[string]*batch) error {
	approve := map[string]bool{} // per segment
	for _, p := range plans {
		b := from[p.customerID]
		if b == nil {
			continue
		}
		cust, ok := b.customers[p.customerID]
		if !ok {
			continue
		}
		on, ok := approve[cust.Segment]
		if !ok {
			v, err := policyViewFor(ctx, tx, cust.Segment)
			if err != nil {
				return err
			}
			on = v.ApproveBeforeSending
			approve[cust.Segment] = on
		}
		if !on {
			continue
		}
		for _, pa := range p.actions {
			if pa.message != nil {
				pa.message.AwaitingApproval = true
			}
		}
	}
	return nil
}

// ---- pauses ---------------------------------------------------------------------------

// PauseInput pauses chasing of a customer until a date, with a reason.
type PauseInput struct {
	Until  string `json:"until" doc:"YYYY-MM-DD: chasing resumes on this date (after today, at most a year ahead)" required:"true"`
	Reason string `json:"reason" doc:"Why (up to 500 characters)" required:"true"`
}

// MaxPauseDays bounds a pause: a longer one is a decision to stop
// chasing, which is not what a pause is for.
const MaxPauseDays = 366

// PauseCustomer pauses chasing of a customer until a date (agents): no
// courtesy or escalation step is taken and queued collections messages
// are withdrawn by the re-check while it lasts; plans are still followed.
// Chasing resumes on the date. Setting it again replaces it.
func (s *Service) PauseCustomer(ctx context.Context, customerID string, in PauseInput) (*store.CustomerPause, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	var out *store.CustomerPause
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		today := localToday(c, tx.Now())
		var fs apperr.Fields
		until, derr := civil.Parse(strings.TrimSpace(in.Until))
		switch {
		case strings.TrimSpace(in.Until) == "":
			fs.Add("until", "is required: the date chasing resumes")
		case derr != nil:
			fs.Add("until", "%q is not a date (YYYY-MM-DD)", in.Until)
		case !until.After(today):
			fs.Add("until", "%s is not after today (%s)", until, today)
		case until.DaysSince(today) > MaxPauseDays:
			fs.Add("until", "%s is more than %d days ahead", until, MaxPauseDays)
		}
		reason := strings.TrimSpace(in.Reason)
		if reason == "" {
			fs.Add("reason", "is required: say why chasing is paused")
		}
		text.Field(&fs, "reason", reason, text.Line)
		if err := fs.Err("pause"); err != nil {
			return err
		}
		out = &store.CustomerPause{CustomerID: c.ID, Until: until, Reason: reason, PausedBy: a.ID, PausedAt: tx.Now().UTC()}
		if err := tx.PutCustomerPause(ctx, out); err != nil {
			return err
		}
		return audit(ctx, tx, "customer.paused", "customer", c.ID, map[string]any{"until": until.String(), "reason": reason})
	})
	return out, err
}

// ResumeCustomer lifts a customer's pause (agents); NotFound when there
// is none.
func (s *Service) ResumeCustomer(ctx context.Context, customerID string) error {
	if _, err := require(ctx, RoleAgent); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		ok, err := tx.DeleteCustomerPause(ctx, c.ID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Errorf(apperr.NotFound, "customer %s is not paused", c.ID)
		}
		return audit(ctx, tx, "customer.resumed", "customer", c.ID, map[string]any{})
	})
}

// CustomerPause is the customer's pause in force (nil when none, or when
// it has ended) (viewers).
func (s *Service) CustomerPause(ctx context.Context, customerID string) (*store.CustomerPause, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var out *store.CustomerPause
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		out, err = pauseInForce(ctx, tx, c, tx.Now())
		return err
	})
	return out, err
}

// pauseInForce is c's pause if it lasts beyond today in c's zone.
func pauseInForce(ctx context.Context, tx store.Tx, c *ledger.Customer, now time.Time) (*store.CustomerPause, error) {
	ps, err := tx.CustomerPausesFor(ctx, []string{c.ID})
	if err != nil {
		return nil, err
	}
	p, ok := ps[c.ID]
	if !ok || !localToday(c, now).Before(p.Until) {
		return nil, nil
	}
	return &p, nil
}

// pausedOn reports whether a pause holds on a date: until its date.
func pausedOn(p store.CustomerPause, ok bool, on civil.Date) bool {
	return ok && on.Before(p.Until)
}

// localToday is the date now in the customer's zone.
func localToday(c *ledger.Customer, now time.Time) civil.Date {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return civil.Of(now.In(loc))
}

// ---- letters: the print batch, posted ----------------------------------------------

// PrintBatch is the day's letters in one PDF.
type PrintBatch struct {
	Date    civil.Date
	Letters []store.Message // in the PDF, in its order
	// Withdrawn are the letters the re-check withdrew at print time
	// (StatusReason says why): not in the PDF.
	Withdrawn []store.Message
	PDF       []byte // nil when no letter is left
}

// PrintLetters builds the print batch for a date (agents): every queued
// letter released for it (scheduled by the end of the date, UTC; not
// held, not awaiting approval), each re-checked as delivery would at its
// scheduled time (now when that has passed) — what became moot is
// withdrawn and left out — and the rest laid out in
// one PDF, a page-set per letter with the address where a window envelope
// shows it. The letters stay queued until marked posted.
func (s *Service) PrintLetters(ctx context.Context, date string) (*PrintBatch, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	d, err := civil.Parse(strings.TrimSpace(date))
	if err != nil {
		return nil, apperr.Field("date", "%q is not a date (YYYY-MM-DD)", date)
	}
	if !d.InRange() {
		return nil, apperr.Field("date", "%s is outside the supported dates %s to %s", d, civil.MinDate, civil.MaxDate)
	}
	if err := s.loadPortalKey(ctx); err != nil {
		return nil, err
	}
	batch := &PrintBatch{Date: d}
	list, err := s.releasedLetters(ctx, d)
	if err != nil {
		return nil, err
	}
	var specs [][]byte
	for _, m := range list {
		var withdrawn bool
		err := s.store.Tx(ctx, func(tx store.Tx) error {
			c, err := tx.Customer(ctx, m.CustomerID)
			if err != nil {
				return err
			}
			// As of the letter's own time (now when that has passed): a
			// batch printed the day before holds tomorrow's letters, true
			// tomorrow.
			at := tx.Now()
			if m.ScheduledFor.After(at) {
				at = m.ScheduledFor
			}
			msg := m
			v, err := s.recheckForDelivery(ctx, tx, c, &msg, "", at)
			if err != nil {
				return err
			}
			if withdrawn = v.withdrawn; withdrawn {
				after, err := tx.Message(ctx, m.ID)
				if err != nil {
					return err
				}
				batch.Withdrawn = append(batch.Withdrawn, *after)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("print batch: letter %s: %w", m.ID, err)
		}
		if withdrawn {
			continue
		}
		for _, a := range m.Attachments {
			if len(a.Spec) > 0 {
				specs = append(specs, a.Spec)
				batch.Letters = append(batch.Letters, m)
				break
			}
		}
	}
	if len(specs) > 0 {
		created := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		if batch.PDF, err = notify.LettersPDF(specs, created); err != nil {
			return nil, err
		}
	}
	return batch, nil
}

// releasedLetters are the queued letters released for date d, in id order.
func (s *Service) releasedLetters(ctx context.Context, d civil.Date) ([]store.Message, error) {
	end := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	var out []store.Message
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		cursor := ""
		for {
			list, next, err := tx.Messages(ctx, store.MessageFilter{Page: store.Page{Limit: 500, Cursor: cursor}, Channel: notify.ChannelLetter,
				Status: store.MessageQueued, Control: "free", Until: end})
			if err != nil {
				return err
			}
			out = append(out, list...)
			if next == "" {
				return nil
			}
			cursor = next
		}
	})
	return out, err
}

// LettersToPrint lists the letters released for a date without printing
// or re-checking them (viewers): the outbox's print batch panel.
func (s *Service) LettersToPrint(ctx context.Context, date civil.Date) ([]store.Message, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.releasedLetters(ctx, date)
}

// MarkPosted marks queued letters posted (agents): status sent, sent_at
// the posting time (now) — for a letter, sent means posted. All or none:
// an id that is unknown, not a letter or not queued is a field error
// naming it (ids[i]).
func (s *Service) MarkPosted(ctx context.Context, ids []string) ([]store.Message, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	if err := checkIDList(ids, "posting", "letter"); err != nil {
		return nil, err
	}
	var out []store.Message
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		if _, err := listedMessages(ctx, tx, ids, "posting", func(m *store.Message) string {
			switch {
			case m.Channel != notify.ChannelLetter:
				return fmt.Sprintf("message %s is an %s, not a letter", m.ID, m.Channel)
			case m.Status != store.MessageQueued:
				return fmt.Sprintf("letter %s is %s: only a queued letter can be marked posted", m.ID, m.Status)
			case m.HeldAt != nil || m.AwaitingApproval:
				return fmt.Sprintf("letter %s is %s: release or approve it first", m.ID, OutboxState(*m))
			}
			return ""
		}); err != nil {
			return err
		}
		for _, id := range ids {
			got, err := s.controlMessage(ctx, tx, id, "message.posted", func(m *store.Message) (map[string]any, error) {
				now := tx.Now().UTC()
				m.Status, m.SentAt = store.MessageSent, &now
				return map[string]any{"posted_at": now.Format(time.RFC3339)}, nil
			})
			if err != nil {
				return err
			}
			if err := emit(ctx, tx, "message.sent", map[string]any{"message_id": got.ID, "customer_id": got.CustomerID, "channel": got.Channel,
				"step": got.Step, "sent_at": got.SentAt.UTC().Format(time.RFC3339)}); err != nil {
				return err
			}
			// The statutory claim the letter states is made when it is
			// posted (charges.go), dated the customer's day.
			c, err := tx.Customer(ctx, got.CustomerID)
			if err != nil {
				return err
			}
			if err := postClaims(ctx, tx, got, localToday(c, tx.Now())); err != nil {
				return err
			}
			out = append(out, *got)
		}
		return nil
	})
	return out, err
}

// checkIDList checks a staff list of ids before anything is read: at
// least one, at most MaxApprove (noun names them in the error).
func checkIDList(ids []string, object, noun string) error {
	var fs apperr.Fields
	switch {
	case len(ids) == 0:
		fs.Add("ids", "choose at least one %s", noun)
	case len(ids) > MaxApprove:
		fs.Add("ids", "at most %d %ss at once (%d given)", MaxApprove, noun, len(ids))
	}
	return fs.Err(object)
}

// listedMessages reads each listed message in tx: one listed twice, one
// that does not exist, or one refuse gives a reason for is refused beside
// its field (ids[i]), and then none is returned — all or none.
func listedMessages(ctx context.Context, tx store.Tx, ids []string, object string, refuse func(*store.Message) string) ([]*store.Message, error) {
	var fs apperr.Fields
	seen := map[string]bool{}
	var out []*store.Message
	for i, id := range ids {
		field := fmt.Sprintf("ids[%d]", i)
		if seen[id] {
			fs.Add(field, "%q is listed twice", id)
			continue
		}
		seen[id] = true
		m, err := tx.Message(ctx, id)
		switch {
		case apperr.CodeOf(err) == apperr.NotFound:
			fs.Add(field, "no message %q", id)
			continue
		case err != nil:
			return nil, err
		}
		if why := refuse(m); why != "" {
			fs.Add(field, "%s", why)
			continue
		}
		out = append(out, m)
	}
	if err := fs.Err(object); err != nil {
		return nil, err
	}
	return out, nil
}
