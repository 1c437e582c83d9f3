// Package plan computes the installment schedule of a payment plan
// (domain.md §3): each installment's due date and exact amount, split into
// principal and interest. It is a pure calculator: no I/O, no clock, no
// floating point. Amounts are int64 minor units (money.Amount); interest
// is computed exactly with math/big and rounded only where stated below.
//
// # Due dates
//
// The regular installments are due, for k = 0, 1, 2, …:
//
//   - monthly: anchor.AddMonths(k), computed from the anchor every time,
//     never from the previous (possibly clamped) date, so the day of the
//     month is kept and only clamped to short months: Jan 31, Feb 28 (29 in
//     leap years), Mar 31, Apr 30;
//   - biweekly: anchor + 14k days;
//   - weekly: anchor + 7k days.
//
// Without a down payment the anchor is Start, the first regular date. With
// a down payment, the down payment is due on Start and the regular
// installments one period later: their dates are those of k+1 above, still
// computed from Start (a plan starting Jan 31 with a down payment has its
// regular installments on Feb 28, Mar 31, Apr 30, not Feb 28, Mar 28).
//
// Explicit Dates replace the frequency: they must be strictly increasing,
// their count is the number of regular installments, and Start is then
// only used for the down payment, which must come before Dates[0].
//
// Then Roll moves every due date, the down payment's included, that falls
// on a weekend or a holiday of Country (rickar/cal/v2's national lists:
// AU (New South Wales), CA, DE, ES, FR, GB, IE, IT, JP, NL, US; empty:
// weekends only) to the next (RollFollowing) or previous (RollPreceding)
// business day. Holidays count on the day they are observed: US
// Independence Day 2026 falls on Saturday July 4 and is observed on Friday
// July 3. If rolling makes two due dates equal or out of order, or moves
// one before AsOf, Quote fails naming "roll".
//
// # Amounts without interest
//
// With Installments n, the principal P (Balance − DownPayment) is divided
// by money.Split: every installment is P/n truncated to the minor unit
// and the remainder goes to the LAST one (1,000.00 in 3: 333.33, 333.33,
// 333.34). P must be at least n minor units, so that no installment is 0.
//
// With InstallmentAmount a, the count is n = ⌈P/a⌉: every installment is a
// except the last, which is the rest (> 0 and ≤ a): 1,000.00 at 300.00 is
// 300.00, 300.00, 300.00, 100.00.
//
// # Amounts with interest
//
// With AnnualRate r > 0 (nominal, compounded once per period), the
// periodic rate is i = r/12 (monthly), r/26 (biweekly) or r/52 (weekly),
// an exact big.Rat. With explicit Dates the rate still comes from
// Frequency, and an empty Frequency means monthly; every period bears the
// same rate however far apart the dates are. The down payment bears no
// interest. In every period, on the remaining principal R:
//
//	interest  = R × i, rounded to the minor unit, halves away from zero
//	principal = payment − interest
//	R         = R − principal
//
// With Installments n, the payment is the annuity
// PMT = P·i / (1 − (1+i)^−n), computed exactly and then rounded to the
// minor unit, halves away from zero (10,000.00 at 12% over 12 months:
// 888.49). With InstallmentAmount a, the payment is a and the count is
// however many periods it takes: the installment in which R + interest ≤ a
// is the last. Either way the LAST installment pays exactly the remaining
// principal plus its interest, so the principal ends at exactly 0 and the
// last amount may differ from the others.
//
// An InstallmentAmount not above the first period's interest never pays
// the balance off: Quote fails naming "installment_amount" and gives the
// least amount that does (that interest + 1 minor unit). A count so large
// for the balance that the rounded payment would not cover the interest,
// or would pay the balance off before the last installment, fails naming
// "installments".
//
// # Down payment
//
// A DownPayment d > 0 is installment 1 (Seq 1, Down), due on Start
// (rolled): Amount = Principal = d, Interest 0. The regular installments
// follow with Seq 2, 3, ….
//
// # Limits and validation
//
// A schedule has at most 1,200 regular installments (100 years monthly).
// Quote checks all the Terms before computing anything and reports every
// problem at once, as an *apperr.Error with Code apperr.Invalid and one
// field error per problem, named by the JSON field: currency, balance,
// start_date, frequency, dates, installments, installment_amount,
// down_payment, annual_rate, roll, country. Problems found while computing
// (a count that would exceed 1,200, a payment that never pays off, a roll
// collision) are reported the same way, one at a time.
//
// # Paying a little more
//
// Faster re-quotes the same Terms with InstallmentAmount = the base
// schedule's first regular amount + an extra (the count follows) and
// keeps the alternatives that need fewer regular installments.
package plan

import (
	"fmt"
	"math/big"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

// Frequencies of installments.
const (
	Weekly   = "weekly"
	Biweekly = "biweekly"
	Monthly  = "monthly"
)

// Business-day rolls for due dates that fall on a weekend or holiday.
const (
	RollNone      = ""          // keep the date
	RollFollowing = "following" // next business day
	RollPreceding = "preceding" // previous business day
)

// maxInstallments caps the regular installments of one schedule: 100 years
// of monthly payments, far beyond any real plan, and it bounds the work a
// single Quote can be asked to do.
const maxInstallments = 1200

// maxRateDenominator bounds the precision of AnnualRate. PMT raises the
// rate's denominator to the power n (up to 1,200); a rate with a huge
// denominator would make that arbitrarily slow. 10^24 allows any decimal
// rate with up to 24 places.
var maxRateDenominator = new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil)

// Terms ask for a schedule. Exactly one of Installments (a count) or
// InstallmentAmount (amount per regular installment) is set; with Dates,
// neither is needed (the count is len(Dates)).
type Terms struct {
	Balance           money.Amount // > 0: what the plan covers
	Start             civil.Date   // first due date (of the down payment if any, else of installment 1)
	Frequency         string       // weekly, biweekly, monthly (ignored when Dates is set, except for the interest rate)
	Dates             []civil.Date // explicit due dates (optional): strictly increasing; their count is the number of regular installments; Start is then ignored for them (but still used for the down payment if any)
	Installments      int          // number of regular installments (not counting the down payment)
	InstallmentAmount money.Amount // or: the regular installment amount; the count follows
	DownPayment       money.Amount // optional, >= 0, < Balance; due on Start; regular installments then start one period after Start
	AnnualRate        *big.Rat     // nil or 0: no interest; e.g. 0.12 for 12% a year (nominal, compounded per period)
	Roll              string       // RollNone, RollFollowing, RollPreceding
	Country           string       // ISO country code for the holiday calendar used by Roll; empty: weekends only
	AsOf              civil.Date   // validation only: Start must not be before AsOf (zero AsOf: no check)
}

// Installment is one due payment of a schedule.
type Installment struct {
	Seq       int // 1-based; the down payment, if any, is Seq 1
	DueDate   civil.Date
	Amount    money.Amount // Principal + Interest
	Principal money.Amount
	Interest  money.Amount
	Down      bool // the down payment
}

// Schedule is a computed plan: the installments and their totals.
type Schedule struct {
	Currency     money.Currency
	Balance      money.Amount
	Total        money.Amount // sum of all Amounts (Balance + total interest)
	Interest     money.Amount // total interest
	Installments []Installment
}

// Alternative is a "pay a little more each time, finish sooner" option.
type Alternative struct {
	Extra         money.Amount // added to each regular installment
	Schedule      Schedule
	Installments  int          // regular installments in this alternative
	Fewer         int          // fewer regular installments than the base schedule
	DaysSooner    int          // base last due date − this last due date, in days
	InterestSaved money.Amount // base interest − this interest
}

// part is one regular installment's split, in minor units, before it gets
// a date.
type part struct {
	principal, interest int64
}

// Quote computes a schedule following the rules in the package doc. Errors
// are *apperr.Error with Code apperr.Invalid naming the field.
func Quote(t Terms) (Schedule, error) {
	if err := validate(t); err != nil {
		return Schedule{}, err
	}
	cur := t.Balance.Currency()
	down := t.DownPayment.Minor() // validated: 0 when unset, else 0 ≤ down < balance
	principal := t.Balance.Minor() - down

	parts, err := computeParts(t, principal)
	if err != nil {
		return Schedule{}, err
	}
	dates, err := dueDates(t, down > 0, len(parts))
	if err != nil {
		return Schedule{}, err
	}

	s := Schedule{Currency: cur, Balance: t.Balance, Installments: make([]Installment, 0, len(dates))}
	var total, interest int64
	if down > 0 {
		s.Installments = append(s.Installments, Installment{
			Seq: 1, DueDate: dates[0], Down: true,
			Amount: money.New(down, cur), Principal: money.New(down, cur), Interest: money.Zero(cur),
		})
		total = down
		dates = dates[1:]
	}
	for k, p := range parts {
		amount, ok1 := addInt64(p.principal, p.interest)
		newTotal, ok2 := addInt64(total, amount)
		newInterest, ok3 := addInt64(interest, p.interest)
		if !ok1 || !ok2 || !ok3 {
			return Schedule{}, apperr.Field("balance", "%s is too large: the schedule's total does not fit", fmtMinor(t.Balance.Minor(), cur))
		}
		total, interest = newTotal, newInterest
		s.Installments = append(s.Installments, Installment{
			Seq:       len(s.Installments) + 1,
			DueDate:   dates[k],
			Amount:    money.New(amount, cur),
			Principal: money.New(p.principal, cur),
			Interest:  money.New(p.interest, cur),
		})
	}
	s.Total = money.New(total, cur)
	s.Interest = money.New(interest, cur)
	return s, nil
}

// Faster returns, for each extra amount (in minor units of the balance's
// currency, e.g. 1000, 1500, 2500 = +10/+15/+25 for USD), the schedule
// with the regular installment raised by that much (the count follows).
// Extras that do not shorten the plan by at least one installment, and
// extras ≤ 0, are left out. Uses the same Terms otherwise; with explicit
// Dates an alternative uses the first of them.
func Faster(t Terms, base Schedule, extras []int64) ([]Alternative, error) {
	first, baseCount, ok := firstRegular(base)
	if !ok {
		return nil, fmt.Errorf("plan: base schedule has no regular installments")
	}
	cur := t.Balance.Currency()
	baseLast := base.Installments[len(base.Installments)-1].DueDate
	var alts []Alternative
	for _, e := range extras {
		if e <= 0 {
			continue // cannot shorten anything
		}
		amount, err := money.New(first, cur).Add(money.New(e, cur))
		if err != nil {
			return nil, apperr.Field("installment_amount", "%s + %s is too large", fmtMinor(first, cur), fmtMinor(e, cur))
		}
		alt := t
		alt.Installments = 0
		alt.InstallmentAmount = amount
		s, err := Quote(alt)
		if err != nil {
			return nil, err
		}
		_, n, _ := firstRegular(s)
		if n >= baseCount {
			continue
		}
		saved, err := base.Interest.Sub(s.Interest)
		if err != nil {
			return nil, fmt.Errorf("plan: interest saved: %w", err)
		}
		alts = append(alts, Alternative{
			Extra:         money.New(e, cur),
			Schedule:      s,
			Installments:  n,
			Fewer:         baseCount - n,
			DaysSooner:    baseLast.DaysSince(s.Installments[len(s.Installments)-1].DueDate),
			InterestSaved: saved,
		})
	}
	return alts, nil
}

// DefaultExtras are +10, +15 and +25 in major units of c (×10^digits):
// 1000, 1500, 2500 for USD; 10, 15, 25 for JPY.
func DefaultExtras(c money.Currency) []int64 {
	unit := c.Unit()
	return []int64{10 * unit, 15 * unit, 25 * unit}
}

// firstRegular returns the amount of s's first regular (non-down)
// installment in minor units and the number of regular installments.
func firstRegular(s Schedule) (first int64, count int, ok bool) {
	for _, in := range s.Installments {
		if in.Down {
			continue
		}
		if count == 0 {
			first = in.Amount.Minor()
		}
		count++
	}
	return first, count, count > 0
}

// validate checks every field of t and reports all problems at once.
func validate(t Terms) error {
	var fs apperr.Fields
	cur := t.Balance.Currency()
	curOK := false
	switch {
	case cur == "":
		fs.Add("currency", "is required")
	default:
		if _, err := money.ParseCurrency(string(cur)); err != nil {
			fs.Add("currency", "%s", err)
		} else {
			curOK = true
		}
	}
	if !t.Balance.IsPositive() {
		fs.Add("balance", "must be positive, not %s", t.Balance)
	}

	hasDates := len(t.Dates) > 0
	hasDown := t.DownPayment.IsPositive()

	switch t.Frequency {
	case Weekly, Biweekly, Monthly:
	case "":
		if !hasDates {
			fs.Add("frequency", "is required: weekly, biweekly or monthly")
		}
	default:
		fs.Add("frequency", "%q is not weekly, biweekly or monthly", t.Frequency)
	}

	// Start is the first due date unless explicit Dates replace it and
	// there is no down payment to fall due on it.
	startOK := false
	if !hasDates || hasDown {
		switch {
		case t.Start.IsZero():
			fs.Add("start_date", "is required")
		case !t.Start.InRange():
			fs.Add("start_date", "%s is not a valid date within %s to %s", t.Start, civil.MinDate, civil.MaxDate)
		case !t.AsOf.IsZero() && t.Start.Before(t.AsOf):
			fs.Add("start_date", "%s is before %s (as of)", t.Start, t.AsOf)
		default:
			startOK = true
		}
	}

	if hasDates {
		validateDates(&fs, t, hasDown, startOK)
	}

	amountSet := t.InstallmentAmount != (money.Amount{})
	switch {
	case t.Installments < 0:
		fs.Add("installments", "must be positive, not %d", t.Installments)
	case t.Installments > maxInstallments:
		fs.Add("installments", "at most %d, not %d", maxInstallments, t.Installments)
	case t.Installments > 0 && amountSet:
		fs.Add("installment_amount", "give installments or installment_amount, not both")
	case t.Installments > 0 && hasDates && t.Installments != len(t.Dates):
		fs.Add("installments", "%d installments but %d dates", t.Installments, len(t.Dates))
	case t.Installments == 0 && !amountSet && !hasDates:
		fs.Add("installments", "give installments or installment_amount")
	}
	if amountSet {
		switch {
		case curOK && t.InstallmentAmount.Currency() != cur:
			fs.Add("installment_amount", "is in %q, the balance in %s", t.InstallmentAmount.Currency(), cur)
		case !t.InstallmentAmount.IsPositive():
			fs.Add("installment_amount", "must be positive, not %s", t.InstallmentAmount)
		}
	}

	// The zero Amount (no currency) means no down payment; so does a zero
	// in the balance's currency.
	if t.DownPayment != (money.Amount{}) {
		switch {
		case curOK && t.DownPayment.Currency() != cur:
			fs.Add("down_payment", "is in %q, the balance in %s", t.DownPayment.Currency(), cur)
		case t.DownPayment.IsNegative():
			fs.Add("down_payment", "must not be negative, not %s", t.DownPayment)
		case t.Balance.IsPositive() && t.DownPayment.Minor() >= t.Balance.Minor():
			fs.Add("down_payment", "%s must be less than the balance %s", t.DownPayment, t.Balance)
		}
	}

	if r := t.AnnualRate; r != nil {
		switch {
		case r.Sign() < 0:
			fs.Add("annual_rate", "must not be negative, not %s", r.FloatString(6))
		case r.Cmp(big.NewRat(1, 1)) >= 0:
			fs.Add("annual_rate", "must be less than 1 (100%%), not %s", r.FloatString(6))
		case r.Denom().Cmp(maxRateDenominator) > 0:
			fs.Add("annual_rate", "is too precise: at most 24 decimal places")
		}
	}

	switch t.Roll {
	case RollNone, RollFollowing, RollPreceding:
	default:
		fs.Add("roll", "%q is not following or preceding", t.Roll)
	}
	if t.Roll != RollNone {
		if _, err := calendarFor(t.Country); err != nil {
			fs.Add("country", "%s", err)
		}
	}
	return fs.Err("terms")
}

// validateDates checks explicit due dates: valid, strictly increasing, at
// most maxInstallments, after the down payment's Start and not before AsOf.
func validateDates(fs *apperr.Fields, t Terms, hasDown, startOK bool) {
	if len(t.Dates) > maxInstallments {
		fs.Add("dates", "at most %d dates, not %d", maxInstallments, len(t.Dates))
		return
	}
	for k, d := range t.Dates {
		if !d.InRange() {
			fs.Add("dates", "item %d: %s is not a valid date within %s to %s", k+1, d, civil.MinDate, civil.MaxDate)
			return
		}
		if k > 0 && !d.After(t.Dates[k-1]) {
			fs.Add("dates", "item %d: %s is not after item %d, %s; dates must be strictly increasing", k+1, d, k, t.Dates[k-1])
			return
		}
	}
	first := t.Dates[0]
	switch {
	case hasDown && startOK && !first.After(t.Start):
		fs.Add("dates", "the first date %s must be after start_date %s, when the down payment is due", first, t.Start)
	case !hasDown && !t.AsOf.IsZero() && first.Before(t.AsOf):
		fs.Add("dates", "the first date %s is before %s (as of)", first, t.AsOf)
	}
}

// computeParts splits principal (balance − down payment) into the regular
// installments, by count or by amount, with or without interest.
func computeParts(t Terms, principal int64) ([]part, error) {
	cur := t.Balance.Currency()
	rate := periodicRate(t)
	if t.InstallmentAmount != (money.Amount{}) {
		a := t.InstallmentAmount.Minor()
		var parts []part
		var err error
		if rate == nil {
			parts, err = fixedParts(principal, a, cur)
		} else {
			parts, err = fixedAnnuityParts(principal, a, rate, cur)
		}
		if err != nil {
			return nil, err
		}
		if len(t.Dates) > 0 && len(parts) > len(t.Dates) {
			return nil, apperr.Field("installment_amount", "%s a time takes %d installments, but only %d dates are given",
				fmtMinor(a, cur), len(parts), len(t.Dates))
		}
		return parts, nil
	}
	n := t.Installments
	if n == 0 {
		n = len(t.Dates)
	}
	if rate == nil {
		return equalParts(principal, n, cur)
	}
	return annuityParts(principal, n, rate, cur)
}

// periodicRate returns AnnualRate divided by the periods per year of the
// frequency (monthly when Frequency is empty, as it may be with Dates), or
// nil when there is no interest.
func periodicRate(t Terms) *big.Rat {
	if t.AnnualRate == nil || t.AnnualRate.Sign() == 0 {
		return nil
	}
	perYear := int64(12)
	switch t.Frequency {
	case Weekly:
		perYear = 52
	case Biweekly:
		perYear = 26
	}
	return new(big.Rat).Quo(t.AnnualRate, new(big.Rat).SetInt64(perYear))
}

// equalParts splits p into n interest-free installments with money.Split:
// equal, the remainder in the last.
func equalParts(p int64, n int, cur money.Currency) ([]part, error) {
	// Split would give zero installments when p < n minor units.
	if p < int64(n) {
		return nil, apperr.Field("installments", "%d installments are too many for %s: at most %d, so that none is 0",
			n, fmtMinor(p, cur), p)
	}
	amounts, err := money.Split(money.New(p, cur), n)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err) // n ≥ 1 is validated; cannot happen
	}
	parts := make([]part, n)
	for k, a := range amounts {
		parts[k] = part{principal: a.Minor()}
	}
	return parts, nil
}

// fixedParts pays p interest-free in installments of a: ⌈p/a⌉ of them,
// the last one the rest.
func fixedParts(p, a int64, cur money.Currency) ([]part, error) {
	n := p / a
	if p%a != 0 {
		n++
	}
	if n > maxInstallments {
		least := p / maxInstallments
		if p%maxInstallments != 0 {
			least++
		}
		return nil, apperr.Field("installment_amount", "%s a time takes %d installments, more than %d; the least amount is %s",
			fmtMinor(a, cur), n, maxInstallments, fmtMinor(least, cur))
	}
	parts := make([]part, n)
	for k := range parts {
		parts[k] = part{principal: a}
	}
	parts[n-1].principal = p - (n-1)*a // in (0, a]
	return parts, nil
}

// rate is a periodic interest rate num/den (den > 0) with scratch space,
// so that the per-period rounding allocates nothing after the first use.
type rate struct {
	num, den big.Int
	t, q, r  big.Int
}

func newRate(i *big.Rat) *rate {
	rt := &rate{}
	rt.num.Set(i.Num())
	rt.den.Set(i.Denom())
	return rt
}

// interest returns remaining × rate rounded to the minor unit, halves away
// from zero. remaining ≥ 0 and rate < 1, so the result fits in an int64.
func (rt *rate) interest(remaining int64) int64 {
	rt.t.SetInt64(remaining)
	rt.t.Mul(&rt.t, &rt.num)
	roundQuo(&rt.q, &rt.t, &rt.den, &rt.r)
	return rt.q.Int64()
}

// roundQuo sets q = x/y rounded to the nearest integer, halves away from
// zero, for x ≥ 0 and y > 0, using r as scratch.
func roundQuo(q, x, y, r *big.Int) {
	q.QuoRem(x, y, r)
	// r/y ≥ 1/2 ⇔ 2r ≥ y.
	r.Lsh(r, 1)
	if r.Cmp(y) >= 0 {
		q.Add(q, bigOne)
	}
}

var bigOne = big.NewInt(1)

// annuityPayment returns PMT = p·i / (1 − (1+i)^−n) rounded to the minor
// unit, halves away from zero, and false if it does not fit in an int64.
//
// With i = a/b, (1+i)^n = N/D where N = (a+b)^n and D = b^n, so
// PMT = p·(a/b)·(N/D) / ((N−D)/D) = p·a·N / (b·(N−D)): one exact integer
// division.
func annuityPayment(p int64, n int, i *big.Rat) (int64, bool) {
	a, b := i.Num(), i.Denom()
	exp := big.NewInt(int64(n))
	bigN := new(big.Int).Add(a, b)
	bigN.Exp(bigN, exp, nil)
	bigD := new(big.Int).Exp(b, exp, nil)

	num := big.NewInt(p)
	num.Mul(num, a)
	num.Mul(num, bigN)
	den := bigD.Sub(bigN, bigD)
	den.Mul(den, b)

	q := new(big.Int)
	roundQuo(q, num, den, new(big.Int))
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

// annuityParts amortizes p over n installments of the rounded PMT at
// periodic rate i; the last pays the remaining principal and its interest.
func annuityParts(p int64, n int, i *big.Rat, cur money.Currency) ([]part, error) {
	payment, ok := annuityPayment(p, n, i)
	if !ok {
		return nil, apperr.Field("balance", "%s is too large", fmtMinor(p, cur))
	}
	rt := newRate(i)
	parts := make([]part, 0, n)
	remaining := p
	for k := range n {
		interest := rt.interest(remaining)
		if k == n-1 {
			parts = append(parts, part{principal: remaining, interest: interest})
			break
		}
		// Both failures need a payment of a few minor units, i.e. a
		// balance tiny for its count: the rounding of PMT then dominates.
		if payment <= interest {
			return nil, apperr.Field("installments", "%d installments are too many for %s: the payment rounds to %s, which does not cover the interest of %s",
				n, fmtMinor(p, cur), fmtMinor(payment, cur), fmtMinor(interest, cur))
		}
		principal := payment - interest
		if principal >= remaining {
			return nil, apperr.Field("installments", "%d installments are too many for %s: the rounded payment %s pays it off by installment %d",
				n, fmtMinor(p, cur), fmtMinor(payment, cur), k+1)
		}
		parts = append(parts, part{principal: principal, interest: interest})
		remaining -= principal
	}
	return parts, nil
}

// fixedAnnuityParts amortizes p with payments of a at periodic rate i
// until the remaining principal plus its interest is at most a; that last
// installment pays exactly the rest.
func fixedAnnuityParts(p, a int64, i *big.Rat, cur money.Currency) ([]part, error) {
	rt := newRate(i)
	if first := rt.interest(p); a <= first {
		return nil, apperr.Field("installment_amount", "%s a time never pays off %s: the first period's interest alone is %s; the least amount is %s",
			fmtMinor(a, cur), fmtMinor(p, cur), fmtMinor(first, cur), fmtMinor(first+1, cur))
	}
	var parts []part
	remaining := p
	for {
		// interest < a: it shrinks with remaining, and the first was < a.
		interest := rt.interest(remaining)
		if remaining <= a-interest {
			return append(parts, part{principal: remaining, interest: interest}), nil
		}
		if len(parts) == maxInstallments-1 {
			return nil, apperr.Field("installment_amount", "%s a time takes more than %d installments to pay off %s",
				fmtMinor(a, cur), maxInstallments, fmtMinor(p, cur))
		}
		// remaining > a − interest = principal > 0, so remaining stays > 0.
		principal := a - interest
		parts = append(parts, part{principal: principal, interest: interest})
		remaining -= principal
	}
}

// dueDates returns the due dates of the down payment (if hasDown) and of n
// regular installments, rolled, checked to be strictly increasing and not
// before AsOf.
func dueDates(t Terms, hasDown bool, n int) ([]civil.Date, error) {
	dates := make([]civil.Date, 0, n+1)
	offset := 0
	if hasDown {
		dates = append(dates, t.Start)
		offset = 1 // regular installments start one period after Start
	}
	if len(t.Dates) > 0 {
		dates = append(dates, t.Dates[:n]...)
	} else {
		for k := range n {
			var d civil.Date
			switch t.Frequency {
			case Weekly:
				d = t.Start.AddDays(7 * (k + offset))
			case Biweekly:
				d = t.Start.AddDays(14 * (k + offset))
			default: // Monthly; validated
				// Always from Start, never from the previous date, so a
				// day clamped in February does not stick.
				d = t.Start.AddMonths(k + offset)
			}
			if !d.InRange() {
				// Derived dates stay in the supported range like typed ones.
				return nil, apperr.Field("start_date", "installment %d would be due after %s", k+1, civil.MaxDate)
			}
			dates = append(dates, d)
		}
	}
	if t.Roll == RollNone {
		return dates, nil
	}

	c, err := calendarFor(t.Country)
	if err != nil {
		return nil, apperr.Field("country", "%s", err) // validated; cannot happen
	}
	for k, d := range dates {
		rolled := rollDate(c, t.Roll, d)
		if !t.AsOf.IsZero() && rolled.Before(t.AsOf) {
			return nil, apperr.Field("roll", "rolling %s to the %s business day gives %s, before %s (as of)",
				d, t.Roll, rolled, t.AsOf)
		}
		if !rolled.InRange() {
			return nil, apperr.Field("roll", "rolling %s gives a date out of range", d)
		}
		if k > 0 && !rolled.After(dates[k-1]) {
			return nil, apperr.Field("roll", "rolling %s to the %s business day gives %s, not after the previous due date %s",
				d, t.Roll, rolled, dates[k-1])
		}
		dates[k] = rolled
	}
	return dates, nil
}

// addInt64 returns a + b and whether it did not overflow.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, false
	}
	return s, true
}

// fmtMinor formats minor units of cur for messages: "100.01 USD".
func fmtMinor(minor int64, cur money.Currency) string {
	return money.New(minor, cur).String() + " " + string(cur)
}
