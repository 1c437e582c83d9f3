package negotiate

import (
	"fmt"
	"math/big"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/plan"
)

// This file judges a plan made outside a negotiation (POST /v1/plans, a
// renegotiation, the staff form) against the customer's segment policy: the
// same limits the engine keeps to when it makes an offer. It is pure: the
// plan's date (as of) is an argument. docs/negotiation.md "Policies bind
// every path" states the rules; in short:
//
//   - Term. Monthly installments: each runs a month, so n monthly
//     installments run n months and n ≤ max_term_months. Weekly and
//     biweekly: n installments run 7n or 14n days, and a month is 365/12
//     days, so 12·7n ≤ 365·max_term_months (24 months: at most 104 weekly
//     or 52 biweekly installments, as the engine counts them). Explicit
//     dates have no period: the last due date must be on or before the
//     plan's date plus max_term_months calendar months (civil.AddMonths).
//     The down payment is not an installment of the term.
//   - Smallest installment. Every regular installment but the last (which
//     absorbs rounding) is at least min_installment. A down payment is not
//     a regular installment.
//   - Start. The first due date (the down payment's, if any) is at most
//     max_start_days after the plan's date — as asked, before it is rolled
//     to a business day.
//   - Down payment. With a down_payment_share s > 0, the first payment (the
//     down payment, or without one the first installment) is at least
//     ⌈s × balance⌉ in minor units: the share is exact (big.Rat) and the
//     required amount is rounded up to the minor unit, so that it is never
//     below the share.

// How a plan's schedule was asked for: which input field set its count.
const (
	ByCount  = "installments"       // a number of installments
	ByAmount = "installment_amount" // an installment amount: the count follows
	ByDates  = "dates"              // explicit due dates
)

// PlanShape is what CheckPlan judges: a plan's schedule and how it was asked for.
type PlanShape struct {
	AsOf         civil.Date   // the plan's date: start and term are measured from it
	Balance      money.Amount // what the plan covers (the down payment included)
	Frequency    string       // weekly, biweekly, monthly (ignored with ByDates)
	By           string       // ByCount, ByAmount or ByDates: the field a term or installment breach names
	Installments []plan.Installment
	// Start is the first due date as asked, before rolling to a business
	// day; zero: the first due date. A start on the last allowed day that
	// falls on a weekend is within the policy, though it is paid on the
	// Monday.
	Start civil.Date
}

// CheckPlan returns every limit of p that the plan breaks, each as a field
// error naming the input field (installments, installment_amount, dates,
// start_date, down_payment) and the limit in plain words; none when the
// plan is within the policy. An error means the policy itself is invalid.
func CheckPlan(p Policy, s PlanShape) ([]apperr.FieldError, error) {
	cur := s.Balance.Currency()
	l, err := p.compile(cur)
	if err != nil {
		return nil, err
	}
	var regular []plan.Installment
	var down *plan.Installment
	for i, in := range s.Installments {
		if in.Down {
			down = &s.Installments[i]
			continue
		}
		regular = append(regular, in)
	}
	if len(regular) == 0 {
		return nil, apperr.Errorf(apperr.Invalid, "the plan has no installments")
	}
	var fs apperr.Fields
	seg := p.Segment
	by := s.By
	if by == "" {
		by = ByCount
	}

	// Term.
	n := len(regular)
	last := regular[n-1].DueDate
	if by == ByDates {
		limit := s.AsOf.AddMonths(l.maxTermMonths)
		if last.After(limit) {
			fs.Add(ByDates, "the last due date, %s, is more than %d months after the plan's date %s (by %s); the policy for segment %s allows at most %d months",
				last, l.maxTermMonths, s.AsOf, limit, seg, l.maxTermMonths)
		}
	} else {
		switch s.Frequency {
		case plan.Weekly, plan.Biweekly:
			days := 7
			if s.Frequency == plan.Biweekly {
				days = 14
			}
			if most := 365 * l.maxTermMonths / (12 * days); n > most {
				fs.Add(by, "%d %s installments run %d days, more than %d months (at 365/12 days a month); the policy for segment %s allows at most %d %s installments",
					n, s.Frequency, n*days, l.maxTermMonths, seg, most, s.Frequency)
			}
		default:
			if n > l.maxTermMonths {
				fs.Add(by, "%d monthly installments run %d months; the policy for segment %s allows at most %d", n, n, seg, l.maxTermMonths)
			}
		}
	}

	// Smallest installment: all regular ones but the last.
	if l.minInstallment > 0 {
		for _, in := range regular[:n-1] {
			if in.Amount.Minor() < l.minInstallment {
				fs.Add(by, "%s %s is below the policy's smallest installment, %s %s", in.Amount, cur, money.New(l.minInstallment, cur), cur)
				break
			}
		}
	}

	// Start.
	first := regular[0].DueDate
	if down != nil {
		first = down.DueDate
	}
	if !s.Start.IsZero() {
		first = s.Start
	}
	if d := first.DaysSince(s.AsOf); d > l.maxStartDays {
		fs.Add("start_date", "%s is %d days away; the policy allows at most %d (by %s)", first, d, l.maxStartDays, s.AsOf.AddDays(l.maxStartDays))
	}

	// Down payment.
	if need := RequiredDown(p, s.Balance); need.IsPositive() {
		paid := regular[0].Amount
		if down != nil {
			paid = down.Amount
		}
		if paid.Minor() < need.Minor() {
			fs.Add("down_payment", "the policy asks for a down payment of at least %s%% (%s %s)", percent(p.DownPaymentShare), need, cur)
		}
	}
	return fs, nil
}

// RequiredDown is the least down payment p asks for on balance:
// ⌈down_payment_share × balance⌉ in minor units (0 when the share is 0 or
// not a number; Validate reports the latter).
func RequiredDown(p Policy, balance money.Amount) money.Amount {
	cur := balance.Currency()
	r, ok := new(big.Rat).SetString(strings.TrimSpace(p.DownPaymentShare))
	if !ok || r.Sign() <= 0 {
		return money.Zero(cur)
	}
	r.Mul(r, new(big.Rat).SetInt64(balance.Minor()))
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return money.New(q.Int64(), cur)
}

// percent writes a share as a percentage: "0.10" → "10", "0.125" → "12.5".
func percent(share string) string {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(share))
	if !ok {
		return share
	}
	s := new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(4)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// Limits describes p's limits for a plan form, in words: the term, the
// smallest installment in cur, the latest start from asOf, and the down
// payment asked for on balance ("" when none).
func Limits(p Policy, cur money.Currency, asOf civil.Date, balance money.Amount) (term, installment, start, down string, err error) {
	l, err := p.compile(cur)
	if err != nil {
		return "", "", "", "", err
	}
	term = fmt.Sprintf("at most %d months", l.maxTermMonths)
	if l.minInstallment > 0 {
		installment = fmt.Sprintf("at least %s %s", money.New(l.minInstallment, cur), cur)
	}
	start = fmt.Sprintf("within %d days (by %s)", l.maxStartDays, asOf.AddDays(l.maxStartDays))
	if need := RequiredDown(p, balance); need.IsPositive() {
		down = fmt.Sprintf("at least %s%% (%s %s)", percent(p.DownPaymentShare), need, cur)
	}
	return term, installment, start, down, nil
}
