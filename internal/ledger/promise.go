package ledger

import (
	"math"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

// Promise statuses.
const (
	PromiseOpen   = "open"
	PromiseKept   = "kept"
	PromiseBroken = "broken"
)

// Promise channels: how the customer made the promise.
var promiseChannels = map[string]bool{"call": true, "email": true, "letter": true, "portal": true, "meeting": true, "other": true}

// Promise is a customer's promise to pay an amount by a date.
type Promise struct {
	ID         string
	CustomerID string
	Amount     money.Amount
	PromisedOn civil.Date // when the customer made it
	DueDate    civil.Date // by when they will pay
	Channel    string
	Note       string
	CreatedAt  time.Time
}

// Normalize trims and lower-cases; the channel defaults to "call".
func (p *Promise) Normalize() {
	p.Channel = strings.ToLower(strings.TrimSpace(p.Channel))
	if p.Channel == "" {
		p.Channel = "call"
	}
	p.Note = strings.TrimSpace(p.Note)
}

// Validate reports every bad field.
func (p *Promise) Validate() error {
	var fs apperr.Fields
	if p.CustomerID == "" {
		fs.Add("customer_id", "is required")
	}
	if !p.Amount.IsPositive() {
		fs.Add("amount", "%s must be greater than zero", p.Amount)
	}
	// The single-amount limit (money package doc), here as well as in
	// money.Parse so that every path that builds one is checked.
	if err := p.Amount.CheckLimit(); err != nil {
		fs.Add("amount", "%s", err)
	}
	if p.DueDate.IsZero() {
		fs.Add("due_date", "is required")
	}
	if !p.PromisedOn.IsZero() && !p.DueDate.IsZero() && p.DueDate.Before(p.PromisedOn) {
		fs.Add("due_date", "%s is before promised_on %s", p.DueDate, p.PromisedOn)
	}
	if !promiseChannels[p.Channel] {
		fs.Add("channel", "%q must be call, email, letter, portal, meeting or other", p.Channel)
	}
	if msg := checkText(p.Note, 2000); msg != "" {
		fs.Add("note", "%s", msg)
	}
	return fs.Err("promise")
}

// StatusAsOf judges the promise on asOf. Payments (not credit notes) in
// the promise's currency received from PromisedOn through the earlier of
// asOf and DueDate count towards it:
//
//   - kept: they reach the promised amount (on or before the due date);
//   - broken: asOf is after the due date and they do not (money arriving
//     later is welcome, but the promise was not kept);
//   - open: neither yet.
//
// Each promise is judged on its own: a payment counts towards every
// promise whose window it falls in.
func (p *Promise) StatusAsOf(asOf civil.Date, payments []Payment) (status string, paid money.Amount) {
	until := p.DueDate
	if asOf.Before(until) {
		until = asOf
	}
	// Wide: payments written before money's limit existed could
	// overflow an int64 sum (and wrap to a negative "paid").
	var sum money.Wide
	for _, pay := range payments {
		if pay.Kind == KindCreditNote || pay.Amount.Currency() != p.Amount.Currency() {
			continue
		}
		if pay.ReceivedOn.Before(p.PromisedOn) || pay.ReceivedOn.After(until) {
			continue
		}
		sum = sum.AddInt64(pay.Amount.Minor())
	}
	kept := sum.Cmp(money.WideOf(p.Amount.Minor())) >= 0
	v, ok := sum.Int64()
	if !ok {
		// Only with such old data: show the most an Amount holds (the
		// promise is kept either way).
		v = math.MaxInt64
	}
	paid = money.New(v, p.Amount.Currency())
	switch {
	case kept:
		return PromiseKept, paid
	case asOf.After(p.DueDate):
		return PromiseBroken, paid
	default:
		return PromiseOpen, paid
	}
}
