package service

import (
	"context"
	"strings"
	"time"

	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/money"
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
	d, err := agreementData(ctx, tx, s.Creditor, c, v)
	if err != nil {
		return err
	}
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

// queueInvoiceCopies queues, in tx, the copy of invoices c says they did not
// receive: the invoice_resend template in c's language and tone, with each
// invoice's PDF (notify.InvoicePDF) attached, at the next allowed email
// slot. Only open invoices are sent (the template is about what is owed;
// a settled invoice needs no copy), one email per currency because an
// email's total is in one currency. key makes each email unique (the
// currency is added). It returns what was queued: nothing when no invoice
// is open or c opted out of email.
func (s *Service) queueInvoiceCopies(ctx context.Context, tx store.Tx, c *ledger.Customer, invs []ledger.Invoice, key string) ([]*store.Message, error) {
	var curs []money.Currency
	byCur := map[money.Currency][]ledger.Invoice{}
	for _, inv := range invs {
		if !inv.Balance.IsPositive() {
			continue
		}
		cur := inv.Balance.Currency()
		if _, ok := byCur[cur]; !ok {
			curs = append(curs, cur)
		}
		byCur[cur] = append(byCur[cur], inv)
	}
	if len(curs) == 0 {
		return nil, nil
	}
	var ids []string
	for _, inv := range invs {
		ids = append(ids, inv.ID)
	}
	at, ok, err := emailSlot(ctx, tx, c, strings.Join(ids, ","))
	if err != nil || !ok {
		return nil, err
	}
	optOut, err := s.optOutURL(ctx, tx, c.ID, tx.Now())
	if err != nil {
		return nil, err
	}
	payURL, err := s.payURL(ctx, tx, c.ID, tx.Now())
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	// The copy's date is the customer's day when it goes out.
	asOf := civil.In(at, loc)
	tone := toneOf(c.Style)
	var out []*store.Message
	for _, cur := range curs {
		d := notify.MessageData{Creditor: s.Creditor, CustomerName: c.Name, Locale: c.Locale, Tone: tone, Channel: notify.ChannelEmail,
			AsOf: asOf, Total: money.Zero(cur), OptOutURL: optOut, PayURL: payURL}
		m := &store.Message{CustomerID: c.ID, Channel: notify.ChannelEmail, Step: notify.StepInvoiceResend, Tone: tone, Locale: c.Locale,
			ScheduledFor: at.UTC(), Status: store.MessageQueued, DedupeKey: key + ":" + string(cur)}
		for _, inv := range byCur[cur] {
			d.Invoices = append(d.Invoices, notify.InvoiceLine{Number: inv.Number, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
				Amount: inv.Amount, Balance: inv.Balance, DaysOverdue: max(0, asOf.DaysSince(inv.DueDate))})
			if d.Total, err = d.Total.Add(inv.Balance); err != nil {
				return nil, err
			}
			m.InvoiceNumbers = append(m.InvoiceNumbers, inv.Number)
			pdf, err := notify.InvoicePDF(notify.InvoiceData{Creditor: s.Creditor, CustomerName: c.Name, CustomerRef: c.ExternalRef,
				Number: inv.Number, IssueDate: inv.IssueDate, DueDate: inv.DueDate, Amount: inv.Amount, Balance: inv.Balance,
				Disputed: inv.Disputed, Locale: c.Locale, AsOf: asOf})
			if err != nil {
				return nil, err
			}
			m.Attachments = append(m.Attachments, store.MessageAttachment{Name: invoiceFileName(inv.Number), ContentType: "application/pdf", Data: pdf})
		}
		r, err := notify.RenderText(notify.StepInvoiceResend, d)
		if err != nil {
			return nil, err
		}
		m.Subject, m.Body = r.Subject, r.Text
		id, _, err := tx.InsertMessage(ctx, m)
		if err != nil {
			return nil, err
		}
		m.ID = id
		out = append(out, m)
	}
	return out, nil
}

// invoiceFileName is the attachment name of an invoice copy: its number
// with the characters a file name cannot hold replaced, e.g. "INV-7.pdf".
func invoiceFileName(number string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, number) + ".pdf"
}
