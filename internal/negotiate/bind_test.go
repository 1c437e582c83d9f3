package negotiate

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/plan"
)

// sched builds installments by hand: an optional down payment (0 none) on
// its date, then one regular installment per (date, amount) pair.
func sched(cur money.Currency, down int64, downOn civil.Date, regular ...any) []plan.Installment {
	var out []plan.Installment
	if down > 0 {
		out = append(out, plan.Installment{Seq: 1, DueDate: downOn, Amount: money.New(down, cur), Down: true})
	}
	for i := 0; i < len(regular); i += 2 {
		out = append(out, plan.Installment{Seq: len(out) + 1, DueDate: regular[i].(civil.Date), Amount: money.New(regular[i+1].(int64), cur)})
	}
	return out
}

// every gives n regular installments of amount (the last of last), due
// monthly, weekly or biweekly from first, as (date, amount) pairs for sched.
func every(freq string, first civil.Date, n int, amount, last int64) []any {
	var out []any
	for k := range n {
		d := first.AddMonths(k)
		switch freq {
		case plan.Weekly:
			d = first.AddDays(7 * k)
		case plan.Biweekly:
			d = first.AddDays(14 * k)
		}
		a := amount
		if k == n-1 {
			a = last
		}
		out = append(out, d, a)
	}
	return out
}

func TestCheckPlan(t *testing.T) {
	asOf := civil.New(2026, 12, 6)
	retail := DefaultPolicy("retail") // 24 months, 20.00, 30 days, no down payment
	withDown := retail
	withDown.DownPaymentShare = "0.10"
	usd := func(minor int64) money.Amount { return money.New(minor, "USD") }
	jan5 := civil.New(2027, 1, 5)
	tests := []struct {
		name string
		p    Policy
		s    PlanShape
		want []apperr.FieldError
	}{
		{
			name: "within the policy: 10% down, 12 monthly",
			p:    withDown,
			// 427.75: 10% is 42.775, rounded up 42.78; the rest 384.97 in
			// 12: 32.08 × 11 + 32.09.
			s: PlanShape{AsOf: asOf, Balance: usd(42775), Frequency: plan.Monthly,
				Installments: sched("USD", 4278, civil.New(2026, 12, 10), every(plan.Monthly, civil.New(2027, 1, 10), 12, 3208, 3209)...)},
		},
		{
			name: "36 monthly installments of 12.22",
			p:    retail,
			// 440.00 in 36: 12.22 × 35 + 12.30.
			s: PlanShape{AsOf: asOf, Balance: usd(44000), Frequency: plan.Monthly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Monthly, jan5, 36, 1222, 1230)...)},
			want: []apperr.FieldError{
				{Field: "installments", Message: "36 monthly installments run 36 months; the policy for segment retail allows at most 24"},
				{Field: "installments", Message: "12.22 USD is below the policy's smallest installment, 20.00 USD"},
			},
		},
		{
			name: "an installment amount of 12.22 names installment_amount",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(10000), Frequency: plan.Monthly, By: ByAmount,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Monthly, jan5, 9, 1222, 224)...)},
			want: []apperr.FieldError{{Field: "installment_amount", Message: "12.22 USD is below the policy's smallest installment, 20.00 USD"}},
		},
		{
			name: "the last installment may be smaller",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(4500), Frequency: plan.Monthly, By: ByAmount,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Monthly, jan5, 3, 2000, 500)...)},
		},
		{
			name: "24 monthly installments is the limit",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(48000), Frequency: plan.Monthly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Monthly, civil.New(2027, 1, 5), 24, 2000, 2000)...)},
		},
		{
			name: "start 85 days away",
			p:    retail,
			// Dec 6 → Mar 1: 25 days of December, 31 of January, 28 of
			// February and 1 = 85; the limit is Dec 6 + 30 = Jan 5.
			s: PlanShape{AsOf: asOf, Balance: usd(60000), Frequency: plan.Monthly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Monthly, civil.New(2027, 3, 1), 6, 10000, 10000)...)},
			want: []apperr.FieldError{{Field: "start_date", Message: "2027-03-01 is 85 days away; the policy allows at most 30 (by 2027-01-05)"}},
		},
		{
			name: "start on the 30th day",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(60000), Frequency: plan.Monthly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Monthly, civil.New(2027, 1, 5), 6, 10000, 10000)...)},
		},
		{
			name: "the down payment's date is the start",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(60000), Frequency: plan.Monthly,
				Installments: sched("USD", 10000, civil.New(2027, 1, 6), every(plan.Monthly, civil.New(2027, 2, 6), 5, 10000, 10000)...)},
			want: []apperr.FieldError{{Field: "start_date", Message: "2027-01-06 is 31 days away; the policy allows at most 30 (by 2027-01-05)"}},
		},
		{
			name: "down payment one cent short",
			p:    withDown,
			s: PlanShape{AsOf: asOf, Balance: usd(42775), Frequency: plan.Monthly,
				Installments: sched("USD", 4277, civil.New(2026, 12, 10), every(plan.Monthly, civil.New(2027, 1, 10), 12, 3208, 3290)...)},
			want: []apperr.FieldError{{Field: "down_payment", Message: "the policy asks for a down payment of at least 10% (42.78 USD)"}},
		},
		{
			name: "no down payment: 12 even installments are each below 10%",
			p:    withDown,
			s: PlanShape{AsOf: asOf, Balance: usd(42775), Frequency: plan.Monthly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Monthly, jan5, 12, 3564, 3571)...)},
			want: []apperr.FieldError{{Field: "down_payment", Message: "the policy asks for a down payment of at least 10% (42.78 USD)"}},
		},
		{
			name: "no down payment: a first payment of half the balance covers it",
			p:    withDown,
			s: PlanShape{AsOf: asOf, Balance: usd(42775), Frequency: plan.Monthly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Monthly, jan5, 2, 21387, 21388)...)},
		},
		{
			name: "104 weekly installments",
			p:    retail,
			// 365 × 24 / (12 × 7) = 104.28…: at most 104.
			s: PlanShape{AsOf: asOf, Balance: usd(208000), Frequency: plan.Weekly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Weekly, civil.New(2027, 1, 5), 104, 2000, 2000)...)},
		},
		{
			name: "105 weekly installments",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(210000), Frequency: plan.Weekly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Weekly, civil.New(2026, 12, 13), 105, 2000, 2000)...)},
			want: []apperr.FieldError{{Field: "installments", Message: "105 weekly installments run 735 days, more than 24 months (at 365/12 days a month); the policy for segment retail allows at most 104 weekly installments"}},
		},
		{
			name: "52 biweekly installments",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(104000), Frequency: plan.Biweekly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Biweekly, civil.New(2026, 12, 13), 52, 2000, 2000)...)},
		},
		{
			name: "53 biweekly installments",
			p:    retail,
			// 365 × 24 / (12 × 14) = 52.14…
			s: PlanShape{AsOf: asOf, Balance: usd(106000), Frequency: plan.Biweekly,
				Installments: sched("USD", 0, civil.Date{}, every(plan.Biweekly, civil.New(2026, 12, 13), 53, 2000, 2000)...)},
			want: []apperr.FieldError{{Field: "installments", Message: "53 biweekly installments run 742 days, more than 24 months (at 365/12 days a month); the policy for segment retail allows at most 52 biweekly installments"}},
		},
		{
			name: "dates ending on as of + 24 months",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(30000), By: ByDates,
				Installments: sched("USD", 0, civil.Date{}, civil.New(2026, 12, 20), int64(10000), civil.New(2027, 6, 1), int64(10000), civil.New(2028, 12, 6), int64(10000))},
		},
		{
			name: "dates ending a day later",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: usd(30000), By: ByDates,
				Installments: sched("USD", 0, civil.Date{}, civil.New(2026, 12, 20), int64(10000), civil.New(2027, 6, 1), int64(1000), civil.New(2028, 12, 7), int64(19000))},
			want: []apperr.FieldError{
				{Field: "dates", Message: "the last due date, 2028-12-07, is more than 24 months after the plan's date 2026-12-06 (by 2028-12-06); the policy for segment retail allows at most 24 months"},
				{Field: "dates", Message: "10.00 USD is below the policy's smallest installment, 20.00 USD"},
			},
		},
		{
			name: "dates from January 31 end by January 31",
			p:    retail,
			s: PlanShape{AsOf: civil.New(2027, 1, 31), Balance: usd(20000), By: ByDates,
				Installments: sched("USD", 0, civil.Date{}, civil.New(2027, 2, 28), int64(10000), civil.New(2029, 1, 31), int64(10000))},
		},
		{
			name: "JPY: 20.00 means 20 yen",
			p:    retail,
			s: PlanShape{AsOf: asOf, Balance: money.New(100, "JPY"), Frequency: plan.Monthly,
				Installments: sched("JPY", 0, civil.Date{}, every(plan.Monthly, jan5, 5, 19, 24)...)},
			want: []apperr.FieldError{{Field: "installments", Message: "19 JPY is below the policy's smallest installment, 20 JPY"}},
		},
		{
			name: "a single payment: nothing smaller than the last",
			p:    withDown,
			s: PlanShape{AsOf: asOf, Balance: usd(500), Frequency: plan.Monthly,
				Installments: sched("USD", 0, civil.Date{}, jan5, int64(500))},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckPlan(tt.p, tt.s)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("breaches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckPlan_InvalidPolicy(t *testing.T) {
	p := DefaultPolicy("retail")
	p.MaxTermMonths = 0
	s := PlanShape{AsOf: civil.New(2026, 12, 6), Balance: money.New(1000, "USD"), Frequency: plan.Monthly,
		Installments: sched("USD", 0, civil.Date{}, civil.New(2026, 12, 10), int64(1000))}
	if _, err := CheckPlan(p, s); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("err = %v, want invalid policy", err)
	}
}

func TestRequiredDown(t *testing.T) {
	tests := []struct {
		share string
		bal   money.Amount
		want  string
	}{
		{"0.10", money.New(42775, "USD"), "42.78"},       // 42.775 up
		{"0.10", money.New(10000, "USD"), "10.00"},       // exact
		{"0.10", money.New(10001, "USD"), "10.01"},       // 10.001 up
		{"0.333", money.New(100, "JPY"), "34"},           // 33.3 up
		{"0.125", money.New(1001, "BHD"), "0.126"},       // 0.125125 up
		{"0", money.New(42775, "USD"), "0.00"},           // none asked
		{"0.00", money.New(42775, "USD"), "0.00"},        // none asked
		{"0.9", money.New(1, "USD"), "0.01"},             // 0.009 up
		{"0.25", money.New(400, "GBP"), "1.00"},          // exact
		{"0.3", money.New(99999999, "USD"), "300000.00"}, // 299,999.997 up
	}
	for _, tt := range tests {
		if got := RequiredDown(Policy{DownPaymentShare: tt.share}, tt.bal).String(); got != tt.want {
			t.Errorf("RequiredDown(%s of %s %s) = %s, want %s", tt.share, tt.bal, tt.bal.Currency(), got, tt.want)
		}
	}
}

// engineShape is an engine offer as the plan it becomes (service
// planFromOffer): a lump sum is one payment of the settled amount.
func engineShape(c Case, o Offer) PlanShape {
	s := PlanShape{AsOf: c.AsOf, Balance: money.New(c.Balance, c.Currency), Frequency: o.Frequency, Installments: o.Schedule.Installments, Start: o.Start}
	switch {
	case o.Kind == KindLump:
		s.Balance, s.Frequency = money.New(o.LumpSum, c.Currency), plan.Monthly
	case o.Fixed:
		s.By = ByAmount
	}
	return s
}

// TestCheckPlan_EngineOffers: every plan the engine offers — openings,
// answers to random counter-offers, their alternatives — keeps to the
// term, the smallest installment and the start CheckPlan judges, so that a
// plan made from a negotiation would pass it. The down payment is the
// exception the engine is allowed: down_payment_share is what it asks for
// first, and it may concede less (a smaller or no down payment) when the
// valuation says so. Its opening offers ask for the share rounded up to
// the minor unit, exactly what CheckPlan requires (before, they rounded to
// the nearest and asked one minor unit less in 58 of 288 openings).
func TestCheckPlan_EngineOffers(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 7))
	var offers, openings, downConceded int
	for i := range 300 {
		c, p := randomCase(rng), randomPolicy(rng)
		crng := rand.New(rand.NewPCG(uint64(i), 17))
		tr := play(t, c, p, nil, func(s Session) (Counter, string) { return randomCounter(crng, s) }, false)
		for k, st := range tr.Steps {
			var all []Offer
			if st.Resp.Offer != nil {
				all = append(all, *st.Resp.Offer)
			}
			for _, a := range st.Resp.Alternatives {
				all = append(all, a.Offer)
			}
			for j, o := range all {
				got, err := CheckPlan(p, engineShape(c, o))
				if err != nil {
					t.Fatalf("case %d step %d: %v", i, k, err)
				}
				offers++
				opening := k == 0 && j == 0
				if opening {
					openings++
				}
				for _, b := range got {
					switch {
					case b.Field != "down_payment":
					case !opening:
						downConceded++
						continue
					}
					t.Errorf("case %d step %d offer %d (%+v) under policy %+v: %s", i, k, j, o.Terms, p, b)
				}
			}
		}
	}
	t.Logf("%d offers checked, %d openings; %d later offers conceded part of the down payment",
		offers, openings, downConceded)
	if openings < 250 {
		t.Fatalf("only %d openings checked", openings)
	}
}
