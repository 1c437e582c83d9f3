package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/notify"
	"settle/internal/store"
)

// Mailer sends one email; notify.Sender does it over SMTP.
type Mailer interface {
	Send(ctx context.Context, e notify.Email) error
}

// MaxDeliveryAttempts: after this many temporary failures a message is
// failed (an agent sees it) rather than retried again.
const MaxDeliveryAttempts = 6

// DeliveryReport counts one pass of the email sender.
type DeliveryReport struct {
	Claimed, Sent, Retried, Failed, Bounced int
	// Superseded counts results not stored because another sender took
	// the claim over meanwhile (this one was too slow): that sender's
	// result stands.
	Superseded int
	// Withdrawn counts messages re-checked and found moot (paid, covered,
	// disputed, …): not sent.
	Withdrawn int
	// Deferred counts messages outside the customer's contact hours at
	// the moment they would leave: queued again for the next allowed slot.
	Deferred int
}

// DeliverEmails sends the queued emails that are due: each is claimed in
// a transaction (so that two senders never take the same one), sent, and
// its result stored — sent, retried later with backoff after a temporary
// failure, bounced after a permanent one, failed after MaxDeliveryAttempts.
// A sender that dies between sending and storing leaves a claim that goes
// stale after ten minutes (ClaimTimeout); the message is then sent again (at least once:
// the Message-ID header, fixed per message, lets mail systems drop the
// duplicate).
func (s *Service) DeliverEmails(ctx context.Context, m Mailer, worker string, limit int) (DeliveryReport, error) {
	var rep DeliveryReport
	if _, err := require(ctx, RoleAgent); err != nil {
		return rep, err
	}
	if err := s.loadPortalKey(ctx); err != nil { // the opt-out links are signed in read-only transactions
		return rep, err
	}
	defer func() { s.observer().EmailsDelivered(rep) }()
	var claimed []store.Message
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		now := tx.Now()
		claimed, err = tx.ClaimMessages(ctx, "email", worker, now, now.Add(-s.claimTimeout(10*time.Minute)), limit)
		return err
	})
	if err != nil {
		return rep, err
	}
	rep.Claimed = len(claimed)
	for i := range claimed {
		msg := &claimed[i]
		var to, name, optOut, html string
		var verdict recheckVerdict
		err := s.store.Tx(ctx, func(tx store.Tx) error {
			c, err := tx.Customer(ctx, msg.CustomerID)
			if err != nil {
				return err
			}
			to, name = c.Email, c.Name
			if optOut, err = s.optOutURL(ctx, tx, c.ID, tx.Now()); err != nil {
				return err
			}
			// Re-checked and rendered again now (cases.go): what became
			// moot is withdrawn, what is outside the contact rules waits.
			verdict, err = s.recheckForDelivery(ctx, tx, c, msg, worker, tx.Now())
			if err != nil {
				return err
			}
			html = verdict.html
			return nil
		})
		if err != nil {
			return rep, err
		}
		if verdict.withdrawn {
			rep.Withdrawn++
			continue
		}
		if !verdict.waitUntil.IsZero() {
			// Outside the customer's contact hours now: back in the queue,
			// untouched, for the next allowed slot (no attempt counted).
			wait := verdict.waitUntil.UTC()
			msg.Status, msg.ScheduledFor = store.MessageQueued, wait
			err := s.store.Tx(ctx, func(tx store.Tx) error {
				if err := tx.UpdateMessageDelivery(ctx, msg); err != nil {
					return err
				}
				return audit(ctx, tx, "message.deferred", "message", msg.ID, map[string]any{"until": wait.Format(time.RFC3339), "reason": verdict.waitReason})
			})
			if apperr.CodeOf(err) == apperr.Conflict {
				rep.Superseded++
				continue
			}
			if err != nil {
				return rep, err
			}
			rep.Deferred++
			continue
		}
		var sendErr error
		if strings.TrimSpace(to) == "" {
			sendErr = fmt.Errorf("the customer has no email address")
		} else {
			e := notify.Email{From: s.MailFrom, To: formatAddress(name, to), Subject: msg.Subject, Text: msg.Body, HTML: html,
				MessageID: fmt.Sprintf("<%s@settle>", msg.ID),
				Headers:   map[string]string{"List-Unsubscribe": "<" + optOut + ">"}}
			for _, a := range msg.Attachments {
				if sendErr = layOut(&a); sendErr != nil {
					break
				}
				e.Attachments = append(e.Attachments, notify.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
			}
			if sendErr == nil {
				sendErr = m.Send(ctx, e)
			}
			if sendErr == nil {
				s.fault(FaultDeliverAfterAccept, msg.ID)
			}
		}
		now := s.now().UTC()
		msg.Attempts++
		msg.NextAttemptAt = nil
		action := "message.sent"
		switch {
		case sendErr == nil:
			msg.Status, msg.SentAt, msg.LastError = store.MessageSent, &now, ""
			rep.Sent++
		case to == "":
			msg.Status, msg.LastError = store.MessageFailed, sendErr.Error()
			action = "message.failed"
			rep.Failed++
		case notify.IsPermanent(sendErr):
			msg.Status, msg.LastError = store.MessageBounced, sendErr.Error()
			action = "message.bounced"
			rep.Bounced++
		case msg.Attempts >= MaxDeliveryAttempts:
			msg.Status, msg.LastError = store.MessageFailed, sendErr.Error()
			action = "message.failed"
			rep.Failed++
		default:
			next := now.Add(notify.Backoff(msg.Attempts))
			msg.Status, msg.LastError, msg.NextAttemptAt = store.MessageQueued, sendErr.Error(), &next
			action = "message.retry"
			rep.Retried++
		}
		err = s.store.Tx(ctx, func(tx store.Tx) error {
			if err := tx.UpdateMessageDelivery(ctx, msg); err != nil {
				return err
			}
			if msg.Status == store.MessageSent {
				// The statutory claim the email stated is now made:
				// posted to the ledger (charges.go).
				if err := postClaims(ctx, tx, msg, verdict.asOf); err != nil {
					return err
				}
				if err := emit(ctx, tx, "message.sent", map[string]any{"message_id": msg.ID, "customer_id": msg.CustomerID, "channel": msg.Channel,
					"step": msg.Step, "sent_at": msg.SentAt.UTC().Format(time.RFC3339)}); err != nil {
					return err
				}
			}
			return audit(ctx, tx, action, "message", msg.ID, map[string]any{"attempts": msg.Attempts, "status": msg.Status, "error": msg.LastError})
		})
		if apperr.CodeOf(err) == apperr.Conflict {
			rep.Superseded++
			continue
		}
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func formatAddress(name, email string) string {
	if name == "" || strings.ContainsAny(name, "\"<>\r\n") {
		return email
	}
	return fmt.Sprintf("%q <%s>", name, email)
}

// Message returns one message of the outbox.
func (s *Service) Message(ctx context.Context, id string) (*store.Message, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var m *store.Message
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		m, err = tx.Message(ctx, id)
		return err
	})
	return m, err
}

// MessageAttachment returns a file of a message with its bytes: a letter
// stored as what it says is laid out now (the same bytes every time).
func (s *Service) MessageAttachment(ctx context.Context, id, name string) (*store.MessageAttachment, error) {
	m, err := s.Message(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, a := range m.Attachments {
		if a.Name == name {
			if err := layOut(&a); err != nil {
				return nil, fmt.Errorf("message %s: %s: %w", id, name, err)
			}
			return &a, nil
		}
	}
	return nil, apperr.Errorf(apperr.NotFound, "message %s has no attachment %q", id, name)
}

// layOut fills a stored letter's bytes from its spec.
func layOut(a *store.MessageAttachment) error {
	if len(a.Data) > 0 || len(a.Spec) == 0 {
		return nil
	}
	pdf, err := notify.LetterFromSpec(a.Spec)
	if err != nil {
		return err
	}
	a.Data = pdf
	return nil
}
