package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/store"
)

// What the settings pages of the web UI need beyond the API's calls:
// listing and revoking API tokens, checking a policy form in full, and
// previewing the message templates for a sample customer.

// Tokens lists the API tokens (admins), revoked ones included; the hash
// of a token's secret is not returned.
func (s *Service) Tokens(ctx context.Context, p store.Page) ([]store.Token, string, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, "", err
	}
	var list []store.Token
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		list, next, err = tx.Tokens(ctx, p)
		return err
	})
	for i := range list {
		list[i].Hash = ""
	}
	return list, next, err
}

// RevokeToken revokes an API token (admins): it stops working at once in
// this process (other processes: within TokenCacheTTL). Revoking a revoked
// token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, id string) (*store.Token, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	var tok *store.Token
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if tok, err = tx.RevokeToken(ctx, id, tx.Now()); err != nil {
			return err
		}
		return audit(ctx, tx, "token.revoke", "token", tok.ID, map[string]string{"name": tok.Name, "role": tok.Role})
	})
	if err != nil {
		return nil, err
	}
	s.tokens.drop(tok.Hash)
	tok.Hash = ""
	return tok, nil
}

func (c *tokenCache) drop(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, hash)
}

// Validate checks a policy as CreatePolicy and UpdatePolicy would, but
// names every bad field at once: the negotiation limits and the ladder
// (the calls stop at the limits when those are wrong).
func (in PolicyInput) Validate() error {
	var fields []apperr.FieldError
	collect := func(err error) error {
		if err == nil {
			return nil
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Invalid {
			return err
		}
		fields = append(fields, e.Fields...)
		return nil
	}
	if _, err := in.policy(); collect(err) != nil {
		return err
	}
	if in.Ladder != nil {
		if err := collect(in.Ladder.Validate()); err != nil {
			return err
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Message: "invalid policy", Fields: fields}
}

// ---- template previews ------------------------------------------------------------

// PreviewLocales are the languages the message templates are written in.
var PreviewLocales = []string{"en", "de", "fr"}

// PreviewChannels are the channels a message can be previewed for.
var PreviewChannels = []string{notify.ChannelEmail, notify.ChannelSMS, notify.ChannelLetter}

// PreviewInput picks a message: a template step, tone, locale and channel.
type PreviewInput struct {
	Step, Tone, Locale, Channel string
}

// Preview is a message rendered for the sample customer.
type Preview struct {
	PreviewInput
	Customer string // the sample customer's name
	AsOf     civil.Date
	notify.Rendered
}

func (in PreviewInput) validate() error {
	var fs apperr.Fields
	if !slices.Contains(notify.Steps, in.Step) {
		fs.Add("step", "%q is not a message template", in.Step)
	}
	if in.Tone != notify.ToneDirect && in.Tone != notify.ToneIndirect {
		fs.Add("tone", "%q must be direct or indirect", in.Tone)
	}
	if !slices.Contains(PreviewLocales, in.Locale) {
		fs.Add("locale", "%q must be en, de or fr", in.Locale)
	}
	if !slices.Contains(PreviewChannels, in.Channel) {
		fs.Add("channel", "%q must be email, sms or letter", in.Channel)
	}
	return fs.Err("preview")
}

// sampleCustomer is the customer a preview is addressed to, per language.
func sampleCustomer(locale string) (name string, cur money.Currency, zone string, address []string) {
	switch locale {
	case "de":
		return "Müller & Söhne GmbH", "EUR", "Europe/Berlin", []string{"Hauptstraße 12", "10115 Berlin", "Deutschland"}
	case "fr":
		return "José Álvarez", "EUR", "Europe/Paris", []string{"8 rue des Lilas", "75011 Paris", "France"}
	}
	return "O'Neill & Sons Ltd", "USD", "America/New_York", []string{"200 Harbor Street", "Boston, MA 02110", "United States"}
}

// previewData is the sample data of a step: what the collections run
// would pass for the sample customer as of asOf (two invoices, the
// deadlines, fee and installment the step states).
func (s *Service) previewData(in PreviewInput, asOf civil.Date) (notify.MessageData, error) {
	name, cur, zone, _ := sampleCustomer(in.Locale)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return notify.MessageData{}, err
	}
	amount := func(cents int64) money.Amount { return money.New(cents, cur) } // USD and EUR: 2 digits
	d := notify.MessageData{
		Creditor: s.Creditor, CustomerName: name, Locale: in.Locale, Tone: in.Tone, Channel: in.Channel, AsOf: asOf,
		PaymentMethods: []string{"bank_transfer", "card"}, PayReference: "C-1001-" + fmt.Sprintf("%02d%02d", asOf.Year%100, int(asOf.Month)),
		OptOutURL: s.OptOutURL,
	}
	invoices := func(overdue ...int) {
		d.Total = money.Zero(cur)
		for i, days := range overdue {
			due := asOf.AddDays(-days)
			bal := []int64{123450, 48000}[i%2]
			line := notify.InvoiceLine{Number: fmt.Sprintf("INV-%d-%04d", due.Year, 117+25*i), IssueDate: due.AddDays(-30), DueDate: due,
				Amount: amount([]int64{123450, 98000}[i%2]), Balance: amount(bal)}
			if days > 0 {
				line.DaysOverdue = days
			}
			d.Invoices = append(d.Invoices, line)
			d.Total, _ = d.Total.Add(line.Balance)
		}
	}
	// A plan is named to the customer by its reference, which they also
	// quote with payments (messageData).
	const samplePlan = "STL-4K7M2P9Q"
	inst := &notify.InstallmentLine{Seq: 3, Amount: amount(25000), PlanID: samplePlan}
	switch in.Step {
	case notify.StepReminder:
		invoices(-3)
	case notify.StepDueToday:
		invoices(0)
	case notify.StepOverdue:
		invoices(16, 3)
		d.Benefits = []string{notify.BenefitDelivery}
	case notify.StepFirm:
		invoices(7)
		d.PayBy = asOf.AddDays(7)
		d.Benefits = []string{notify.BenefitDelivery, notify.BenefitCreditLimit}
	case notify.StepDemand:
		invoices(30, 17)
		d.Fee, d.PayBy, d.NextStep = amount(4000), asOf.AddDays(14), notify.NextAgency
	case notify.StepFinal:
		invoices(45, 32)
		d.Fee, d.PayBy, d.NextStep = amount(5237), asOf.AddDays(14), notify.NextLegal
	case notify.StepInstallmentReminder:
		inst.DueDate = asOf.AddDays(3)
		d.Installment, d.PayReference = inst, samplePlan
	case notify.StepInstallmentMissed:
		inst.DueDate = asOf.AddDays(-5)
		d.Installment, d.Fee, d.PayBy, d.PayReference = inst, amount(1500), asOf.AddDays(7), samplePlan
	case notify.StepPlanDefaulted:
		// A plan of three installments of 411.50 over one invoice, agreed
		// 60 days ago: the first two missed, nothing paid.
		invoices(66)
		d.PayBy = asOf.AddDays(collect.DefaultNoticePayByDays)
		d.PayReference = samplePlan
		d.Default = &notify.DefaultLine{PlanID: samplePlan, AgreedOn: asOf.AddDays(-60), Missed: []notify.InstallmentLine{
			{Seq: 1, DueDate: asOf.AddDays(-36), Amount: amount(41150), PlanID: samplePlan},
			{Seq: 2, DueDate: asOf.AddDays(-6), Amount: amount(41150), PlanID: samplePlan}}}
	case notify.StepPlanCompleted:
		// A plan of three installments of 411.50 over one invoice, paid
		// off by the last yesterday; another invoice (480.00, due in 10
		// days) is still open. A thank-you asks for nothing: no payment
		// reference.
		d.PayReference = ""
		d.Completed = &notify.CompletionLine{PlanID: samplePlan, FinalPayment: amount(41150), PaidOn: asOf.AddDays(-1),
			InvoiceNumbers: []string{fmt.Sprintf("INV-%d-0117", asOf.AddDays(-95).Year)}, Others: []money.Amount{amount(48000)}}
	case notify.StepInvoiceResend:
		invoices(4)
		d.PayBy = asOf.AddDays(14)
	case notify.StepFollowUp:
		invoices(30, 17)
		day := asOf.AddDays(5)
		d.Meeting = &notify.MeetingLine{Start: time.Date(day.Year, day.Month, day.Day, 10, 0, 0, 0, loc), Location: loc,
			Length: 30 * time.Minute, With: s.Creditor + ", Accounts Receivable"}
	}
	return d, nil
}

// PreviewMessage renders a template step in a tone, locale and channel for
// a sample customer as of asOf (any signed-in role: it reads nothing).
// A letter's Subject and Text are its content; LetterPreview lays it out.
func (s *Service) PreviewMessage(ctx context.Context, in PreviewInput, asOf civil.Date) (*Preview, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	d, err := s.previewData(in, asOf)
	if err != nil {
		return nil, err
	}
	r, err := notify.Render(in.Step, d)
	if err != nil {
		return nil, fmt.Errorf("preview %s: sample data: %w", in.Step, err)
	}
	return &Preview{PreviewInput: in, Customer: d.CustomerName, AsOf: asOf, Rendered: r}, nil
}

// LetterPreview is the printed letter (PDF) of a step for the sample
// customer.
func (s *Service) LetterPreview(ctx context.Context, in PreviewInput, asOf civil.Date) ([]byte, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	in.Channel = notify.ChannelLetter
	if err := in.validate(); err != nil {
		return nil, err
	}
	d, err := s.previewData(in, asOf)
	if err != nil {
		return nil, err
	}
	// The sender block as the organisation settings give it.
	if d.Sender, err = s.Organisation(ctx); err != nil {
		return nil, err
	}
	d.Creditor = d.Sender.Name
	_, _, _, address := sampleCustomer(in.Locale)
	pdf, err := notify.LetterPDF(in.Step, d, address)
	if err != nil {
		return nil, fmt.Errorf("preview %s letter: sample data: %w", in.Step, err)
	}
	return pdf, nil
}
