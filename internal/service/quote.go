package service

import (
	"context"
	"math/big"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/plan"
)

// QuoteInput asks the schedule calculator for a plan (nothing is stored).
type QuoteInput struct {
	Balance           string   `json:"balance" doc:"What the plan covers, e.g. 1200.00"`
	Currency          string   `json:"currency"`
	Installments      int      `json:"installments,omitempty" doc:"Number of regular installments (or give installment_amount)"`
	InstallmentAmount string   `json:"installment_amount,omitempty" doc:"Amount of each regular installment (or give installments); the count follows"`
	Frequency         string   `json:"frequency,omitempty" doc:"weekly, biweekly or monthly (default monthly)"`
	StartDate         string   `json:"start_date,omitempty" doc:"First due date, YYYY-MM-DD (of the down payment when there is one)"`
	Dates             []string `json:"dates,omitempty" doc:"Explicit due dates instead of a frequency"`
	DownPayment       string   `json:"down_payment,omitempty"`
	AnnualRate        string   `json:"annual_rate,omitempty" doc:"Nominal yearly rate as a decimal string, e.g. 0.12 for 12%"`
	Roll              string   `json:"roll,omitempty" doc:"following or preceding: move due dates off weekends and holidays"`
	Country           string   `json:"country,omitempty" doc:"Holiday calendar for roll, e.g. US, GB, DE"`
	AsOf              string   `json:"as_of,omitempty" doc:"Start may not be before this date (default today)"`
}

// QuoteResult is a schedule and its "pay a little more, finish sooner" alternatives.
type QuoteResult struct {
	Schedule     plan.Schedule
	Alternatives []plan.Alternative
}

// Quote computes an installment schedule. It is a pure calculator: any
// authenticated caller may use it and nothing is recorded.
func (s *Service) Quote(ctx context.Context, in QuoteInput) (*QuoteResult, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	t, err := s.quoteTerms(in)
	if err != nil {
		return nil, err
	}
	cur := t.Balance.Currency()
	sched, err := plan.Quote(t)
	if err != nil {
		return nil, err
	}
	alts, err := plan.Faster(t, sched, plan.DefaultExtras(cur))
	if err != nil {
		return nil, err
	}
	return &QuoteResult{Schedule: sched, Alternatives: alts}, nil
}

// quoteTerms turns the calculator's input into plan.Terms, naming every
// bad field.
func (s *Service) quoteTerms(in QuoteInput) (plan.Terms, error) {
	var fs apperr.Fields
	t := plan.Terms{Frequency: strings.ToLower(strings.TrimSpace(in.Frequency)), Installments: in.Installments,
		Roll: strings.ToLower(strings.TrimSpace(in.Roll)), Country: strings.ToUpper(strings.TrimSpace(in.Country))}
	if t.Frequency == "" && len(in.Dates) == 0 {
		t.Frequency = plan.Monthly
	}
	t.Balance = parseMoney(&fs, "currency", in.Currency, "balance", in.Balance)
	cur := t.Balance.Currency()
	optional := func(field, v string) money.Amount {
		if v == "" || cur == "" {
			return money.Amount{}
		}
		a, err := money.Parse(strings.TrimSpace(v), cur)
		if err != nil {
			fs.Add(field, "%s", err)
		}
		return a
	}
	t.InstallmentAmount = optional("installment_amount", in.InstallmentAmount)
	t.DownPayment = optional("down_payment", in.DownPayment)
	if cur != "" && t.DownPayment.Currency() == "" {
		t.DownPayment = money.Zero(cur)
	}
	t.Start = parseDate(&fs, "start_date", in.StartDate, false)
	for i, d := range in.Dates {
		dt, err := civil.Parse(d)
		if err != nil {
			fs.Add("dates", "item %d: %s", i+1, err)
			continue
		}
		t.Dates = append(t.Dates, dt)
	}
	if in.AnnualRate != "" {
		r, ok := parseRate(in.AnnualRate)
		if !ok {
			fs.Add("annual_rate", "%q is not a decimal rate such as 0.12", in.AnnualRate)
		}
		t.AnnualRate = r
	}
	asOf, err := s.AsOf("as_of", in.AsOf)
	if err != nil {
		return t, err
	}
	t.AsOf = asOf
	return t, fs.Err("quote")
}

// parseRate reads a plain decimal ("0.12"): digits, an optional point and
// digits; no sign, exponent or fraction syntax.
func parseRate(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	digits, point := 0, false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			return nil, false
		}
	}
	if digits == 0 || len(s) > 20 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}
