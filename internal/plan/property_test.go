package plan

import (
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

// propertyCases is how many random Terms TestQuote_Properties checks.
const propertyCases = 10000

// randomTerms draws Terms from a fixed-seed generator: USD, JPY or BHD;
// balances of 1 to 10^9 minor units (uniform in the number of digits);
// counts 1..120, amounts or explicit dates; any frequency; rates 0..0.3
// half the time; down payments a quarter of the time; following,
// preceding or no roll with US, GB or weekend-only calendars.
func randomTerms(rng *rand.Rand) Terms {
	curs := []money.Currency{usd, jpy, bhd}
	freqs := []string{Weekly, Biweekly, Monthly}
	pow10 := int64(1)
	for range rng.IntN(9) + 1 {
		pow10 *= 10
	}
	balance := rng.Int64N(pow10) + 1
	cur := curs[rng.IntN(len(curs))]
	t := Terms{
		Balance:   money.New(balance, cur),
		Start:     civil.New(2026, time.January, 1).AddDays(rng.IntN(1500)),
		Frequency: freqs[rng.IntN(len(freqs))],
		Roll:      []string{RollNone, RollFollowing, RollPreceding}[rng.IntN(3)],
		Country:   []string{"", "US", "GB"}[rng.IntN(3)],
	}
	if rng.IntN(4) == 0 {
		t.DownPayment = money.New(rng.Int64N(balance), cur) // may be 0: no down payment
	}
	if rng.IntN(2) == 0 {
		t.AnnualRate = big.NewRat(int64(rng.IntN(3001)), 10000) // 0 .. 0.3; 0 is no interest
	}
	principal := balance - t.DownPayment.Minor()
	// Mostly no more installments than minor units to pay, so that most
	// Terms are valid; one in 20 exercises the errors for tiny balances.
	maxN := int64(120)
	if rng.IntN(20) != 0 {
		maxN = min(maxN, principal)
	}
	switch rng.IntN(10) {
	case 0, 1: // explicit dates, at least 5 days apart and after Start
		n := rng.IntN(int(min(60, maxN))) + 1
		d := t.Start
		for range n {
			d = d.AddDays(5 + rng.IntN(40))
			t.Dates = append(t.Dates, d)
		}
		t.Frequency = []string{"", Weekly, Biweekly, Monthly}[rng.IntN(4)]
	case 2, 3, 4: // an installment amount of about principal/k
		k := int64(rng.IntN(150) + 1)
		base := principal / k
		t.InstallmentAmount = money.New(max(1, base+rng.Int64N(base+1)), cur)
	default:
		t.Installments = rng.IntN(int(maxN)) + 1
	}
	return t
}

// roundHalfUp rounds x ≥ 0 to an integer, halves up: ⌊x + 1/2⌋. It is
// written differently from the package's roundQuo on purpose.
func roundHalfUp(x *big.Rat) int64 {
	twice := new(big.Int).Mul(x.Num(), big.NewInt(2))
	twice.Add(twice, x.Denom())
	den := new(big.Int).Mul(x.Denom(), big.NewInt(2))
	return new(big.Int).Div(twice, den).Int64()
}

// periodRate is the spec's periodic rate, computed independently.
func periodRate(t Terms) *big.Rat {
	if t.AnnualRate == nil || t.AnnualRate.Sign() == 0 {
		return nil
	}
	perYear := map[string]int64{Weekly: 52, Biweekly: 26, Monthly: 12, "": 12}[t.Frequency]
	return new(big.Rat).Mul(t.AnnualRate, big.NewRat(1, perYear))
}

// ratPMT is P·i / (1 − (1+i)^−n) with big.Rat, straight from the formula.
func ratPMT(p int64, i *big.Rat, n int) *big.Rat {
	// (1+i)^n by repeated squaring.
	base := new(big.Rat).Add(big.NewRat(1, 1), i)
	pow := big.NewRat(1, 1)
	for e := n; e > 0; e >>= 1 {
		if e&1 == 1 {
			pow.Mul(pow, base)
		}
		base.Mul(base, base)
	}
	den := new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Inv(pow))
	num := new(big.Rat).Mul(new(big.Rat).SetInt64(p), i)
	return num.Quo(num, den)
}

// unrolledDate is the spec's k-th regular due date (0-based) before rolling.
func unrolledDate(t Terms, k int, hasDown bool) civil.Date {
	if len(t.Dates) > 0 {
		return t.Dates[k]
	}
	if hasDown {
		k++
	}
	switch t.Frequency {
	case Weekly:
		return t.Start.AddDays(7 * k)
	case Biweekly:
		return t.Start.AddDays(14 * k)
	}
	// Monthly: the day of Start, clamped to the month's length.
	m := civil.New(t.Start.Year, t.Start.Month+time.Month(k), 1)
	return civil.Date{Year: m.Year, Month: m.Month, Day: min(t.Start.Day, civil.DaysIn(m.Year, m.Month))}
}

// checkRolled checks that got is unrolled moved by t.Roll: unchanged
// without a roll, else the nearest business day in the roll's direction.
func checkRolled(t *testing.T, terms Terms, unrolled, got civil.Date) {
	t.Helper()
	if terms.Roll == RollNone {
		if got != unrolled {
			t.Errorf("due %s, want %s (no roll)", got, unrolled)
		}
		return
	}
	c, err := calendarFor(terms.Country)
	if err != nil {
		t.Fatal(err)
	}
	if !isBusinessDay(c, got) || got.Weekday() == time.Saturday || got.Weekday() == time.Sunday {
		t.Errorf("due %s (rolled %s from %s) is not a business day in %q", got, terms.Roll, unrolled, terms.Country)
	}
	step := 1
	if terms.Roll == RollPreceding {
		step = -1
	}
	days := got.DaysSince(unrolled) * step
	if days < 0 || days > 5 {
		t.Errorf("due %s is %d days the wrong way or too far from %s (%s)", got, days, unrolled, terms.Roll)
	}
	for d := unrolled; d != got; d = d.AddDays(step) {
		if isBusinessDay(c, d) {
			t.Errorf("roll %s from %s skipped business day %s to reach %s", terms.Roll, unrolled, d, got)
		}
	}
}

// allowedError checks that an error for random Terms is one the rules
// call for: a count or amount that cannot work for the balance.
func allowedError(t *testing.T, terms Terms, err error) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid || len(e.Fields) != 1 {
		t.Fatalf("unexpected error %v", err)
	}
	p := terms.Balance.Minor() - terms.DownPayment.Minor()
	i := periodRate(terms)
	n := terms.Installments
	if n == 0 {
		n = len(terms.Dates)
	}
	switch e.Fields[0].Field {
	case "installments":
		switch {
		case i == nil:
			if p >= int64(n) {
				t.Errorf("%v, but %d minor units suffice for %d installments", err, p, n)
			}
		default:
			// Only a payment of a few minor units lets rounding pay off
			// early or fall short of the interest.
			pmt := ratPMT(p, i, n)
			if pmt.Cmp(big.NewRat(int64(50*n), 1)) >= 0 {
				t.Errorf("%v, but the payment %s is not tiny", err, pmt.FloatString(2))
			}
		}
	case "installment_amount":
		a := terms.InstallmentAmount.Minor()
		if i == nil {
			if (p+a-1)/a <= maxInstallments {
				t.Errorf("%v, but %d at %d takes at most %d", err, p, a, maxInstallments)
			}
			return
		}
		if a <= roundHalfUp(new(big.Rat).Mul(new(big.Rat).SetInt64(p), i)) {
			return // never pays off
		}
		// Otherwise it must take more than the cap: replay it.
		rem := p
		for range maxInstallments {
			in := roundHalfUp(new(big.Rat).Mul(new(big.Rat).SetInt64(rem), i))
			if rem+in <= a {
				t.Errorf("%v, but %d at %d pays off within %d", err, p, a, maxInstallments)
				return
			}
			rem -= a - in
		}
	default:
		t.Errorf("unexpected field in %v", err)
	}
}

func TestQuote_Properties(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260704, 1))
	var ok, interest, rolled, failed int
	for c := range propertyCases {
		terms := randomTerms(rng)
		s, err := Quote(terms)
		if err != nil {
			failed++
			allowedError(t, terms, err)
			if t.Failed() {
				t.Fatalf("case %d: %+v", c, terms)
			}
			continue
		}
		ok++
		checkProperties(t, terms, s)
		if t.Failed() {
			t.Fatalf("case %d: %+v (rate %v)\nschedule %+v", c, terms, terms.AnnualRate, s)
		}
		if periodRate(terms) != nil {
			interest++
		}
		if terms.Roll != RollNone {
			rolled++
		}
	}
	// The generator must mostly produce schedules, with interest and rolls.
	if ok < propertyCases*9/10 || interest < propertyCases/4 || rolled < propertyCases/2 {
		t.Errorf("%d ok (%d with interest, %d rolled), %d rejected", ok, interest, rolled, failed)
	}
	t.Logf("%d schedules (%d with interest, %d rolled), %d rejected as the rules require", ok, interest, rolled, failed)
}

func checkProperties(t *testing.T, terms Terms, s Schedule) {
	t.Helper()
	cur := terms.Balance.Currency()
	down := terms.DownPayment.Minor()
	p := terms.Balance.Minor() - down
	i := periodRate(terms)

	ins := s.Installments
	if down > 0 {
		d := ins[0]
		if !d.Down || d.Amount.Minor() != down || d.Principal.Minor() != down || !d.Interest.IsZero() {
			t.Errorf("down payment %+v, want %d", d, down)
		}
		checkRolled(t, terms, terms.Start, d.DueDate)
		ins = ins[1:]
	}
	if len(ins) == 0 {
		t.Fatal("no regular installments")
	}

	// The count.
	switch {
	case terms.Installments > 0:
		if len(ins) != terms.Installments {
			t.Errorf("%d regular installments, want %d", len(ins), terms.Installments)
		}
	case terms.InstallmentAmount.IsPositive():
		if a := terms.InstallmentAmount.Minor(); i == nil && int64(len(ins)) != (p+a-1)/a {
			t.Errorf("%d regular installments, want ⌈%d/%d⌉", len(ins), p, a)
		}
	default:
		if len(ins) != len(terms.Dates) {
			t.Errorf("%d regular installments, want %d dates", len(ins), len(terms.Dates))
		}
	}

	var total, principal, interestSum int64
	prev := civil.Date{}
	for k, in := range s.Installments {
		if in.Seq != k+1 || in.Amount.Currency() != cur || in.Principal.Currency() != cur || in.Interest.Currency() != cur {
			t.Errorf("installment %d: Seq %d, currencies %s/%s/%s", k+1, in.Seq, in.Amount.Currency(), in.Principal.Currency(), in.Interest.Currency())
		}
		if !in.Amount.IsPositive() || !in.Principal.IsPositive() || in.Interest.IsNegative() {
			t.Errorf("installment %d: amount %s, principal %s, interest %s", k+1, in.Amount, in.Principal, in.Interest)
		}
		if in.Amount.Minor() != in.Principal.Minor()+in.Interest.Minor() {
			t.Errorf("installment %d: %s ≠ %s + %s", k+1, in.Amount, in.Principal, in.Interest)
		}
		if k > 0 && !in.DueDate.After(prev) {
			t.Errorf("installment %d due %s, not after %s", k+1, in.DueDate, prev)
		}
		prev = in.DueDate
		total += in.Amount.Minor()
		principal += in.Principal.Minor()
		interestSum += in.Interest.Minor()
	}
	if principal != terms.Balance.Minor() || total != terms.Balance.Minor()+interestSum ||
		s.Total.Minor() != total || s.Interest.Minor() != interestSum || s.Balance != terms.Balance || s.Currency != cur {
		t.Errorf("Σprincipal %d, Σamount %d, Σinterest %d; schedule balance %s total %s interest %s",
			principal, total, interestSum, s.Balance, s.Total, s.Interest)
	}

	// Regular installments: equal except the last; the amount when given.
	last := len(ins) - 1
	for k, in := range ins[:last] {
		if in.Amount != ins[0].Amount {
			t.Errorf("regular installment %d is %s, the first %s", k+1, in.Amount, ins[0].Amount)
		}
	}
	if a := terms.InstallmentAmount; a.IsPositive() {
		if last > 0 && ins[0].Amount != a {
			t.Errorf("regular installments are %s, want %s", ins[0].Amount, a)
		}
		if ins[last].Amount.Minor() > a.Minor() {
			t.Errorf("last %s exceeds the amount %s", ins[last].Amount, a)
		}
	}

	// Interest: replay each period on the remaining principal; it must end at 0.
	rem := p
	for k, in := range ins {
		want := int64(0)
		if i != nil {
			want = roundHalfUp(new(big.Rat).Mul(new(big.Rat).SetInt64(rem), i))
		}
		if in.Interest.Minor() != want {
			t.Errorf("regular installment %d: interest %s, want round(%d × %s) = %d", k+1, in.Interest, rem, i, want)
		}
		rem -= in.Principal.Minor()
		if rem < 0 || (rem == 0 && k < last) {
			t.Errorf("regular installment %d leaves %d", k+1, rem)
		}
	}
	if rem != 0 {
		t.Errorf("remaining principal ends at %d", rem)
	}
	if n := len(ins); i != nil && !terms.InstallmentAmount.IsPositive() && n > 1 {
		want := roundHalfUp(ratPMT(p, i, n))
		if got := ins[0].Amount.Minor(); got != want {
			t.Errorf("payment %d, PMT rounds to %d", got, want)
		}
	}

	// Dates.
	for k, in := range ins {
		checkRolled(t, terms, unrolledDate(terms, k, down > 0), in.DueDate)
	}
}
