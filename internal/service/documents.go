package service

import (
	"context"
	"strings"
	"time"

	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/store"
)

// Documents a customer is sent outside the collection ladder: the written
// agreement when a plan is accepted or renegotiated, and the copy of
// invoices the customer says they never received (docs/messages.md,
// "Documents"). Like the ladder's messages they are written in the
// customer's language and tone and wait for the contact hours.

// emailSlot is when an email to c made now may go out under the contact
// rules (collect.Decide: now when allowed, else the next allowed slot),
// and false when c opted out of email: then nothing is queued.
func emailSlot(ctx context.Context, tx store.Tx, c *ledger.Customer, debtID string) (time.Time, bool, error) {
	opts, err := tx.OptOuts(ctx, []string{c.ID})
	if err != nil {
		return time.Time{}, false, err
	}
	party := collect.Party{Kind: c.Kind, Jurisdiction: c.Jurisdiction, TimeZone: c.TimeZone, OptOuts: opts[c.ID]}
	dec := collect.Decide(party, collect.Email, debtID, tx.Now(), nil, collect.DefaultRules())
	if dec.Blocked {
		return time.Time{}, false, nil
	}
	return dec.At, true, nil
}

// queueAgreementEmail queues, in tx, the email that sends plan v's written
// agreement (PDF attached) to its customer: event "accepted" when the plan
// was just accepted, "proposed" for a renegotiated version. The dedupe key
// (plan, event) queues it once however often it is asked for. Nothing is
// queued for a customer without an email address or opted out of email.
//
// The message names no invoices on purpose: it is about the plan, and a
// re-check that withdraws messages about invoices covered by a plan must
// not withdraw the plan's own agreement.
func (s *Service) queueAgreementEmail(ctx context.Context, tx store.Tx, v *PlanView, event string) error {
	c, err := tx.Customer(ctx, v.Plan.CustomerID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(c.Email) == "" {
		return nil
	}
	at, ok, err := emailSlot(ctx, tx, c, v.Plan.ID)
	if err != nil || !ok {
		return err
	}
	d := agreementData(s.Creditor, c, v, civil.In(tx.Now(), time.UTC))
	d.BankAccount = s.BankAccount
	pdf, err := notify.AgreementPDF(d)
	if err != nil {
		return err
	}
	optOut, err := s.optOutURL(ctx, tx, c.ID, tx.Now())
	if err != nil {
		return err
	}
	tone := toneOf(c.Style)
	r, err := notify.AgreementEmail(d, tone, optOut)
	if err != nil {
		return err
	}
	m := &store.Message{CustomerID: c.ID, Channel: notify.ChannelEmail, Step: notify.StepAgreement, Tone: tone, Locale: c.Locale,
		ScheduledFor: at.UTC(), Status: store.MessageQueued, Subject: r.Subject, Body: r.Text,
		DedupeKey:   "agreement:" + v.Plan.ID + ":" + event,
		Attachments: []store.MessageAttachment{{Name: "agreement-" + v.Plan.ID + ".pdf", ContentType: "application/pdf", Data: pdf}}}
	_, _, err = tx.InsertMessage(ctx, m)
	return err
}
