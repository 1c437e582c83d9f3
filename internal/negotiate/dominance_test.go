package negotiate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"settle/internal/civil"
	"settle/internal/plan"
)

// paysNoLater reports whether schedule a pays at least as much as b, no
// later: on each of b's due dates, what a has paid by then (its due dates
// on or before it) is at least what b has. Worked from the two schedules
// directly, apart from the engine's own check (dominates).
func paysNoLater(a, b plan.Schedule) bool {
	if len(b.Installments) == 0 {
		return false
	}
	for _, due := range b.Installments {
		var byA, byB int64
		for _, in := range a.Installments {
			if !in.DueDate.After(due.DueDate) {
				byA += in.Amount.Minor()
			}
		}
		for _, in := range b.Installments {
			if !in.DueDate.After(due.DueDate) {
				byB += in.Amount.Minor()
			}
		}
		if byA < byB {
			return false
		}
	}
	return true
}

// Dominance is law (issue 17): a counter-offer that pays at least as much
// as our offer, no later, is accepted — whatever the model makes of the
// customer's means. Over random cases and policies (plans without interest,
// so that each counter below pays the same total), three dominant counters
// against the opening: a larger installment at the same rhythm (it
// finishes sooner), the same plan started earlier, and the whole balance
// at once by the first due date. Every one must be accepted, and the
// accepted schedule must pay no later than ours (checked by paysNoLater).
func TestRespond_DominantCountersAccepted(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2026))
	checked, refused := 0, 0
	var first []string
	for i := 0; checked < 1200 && i < 5000; i++ {
		c, p := randomCase(rng), randomPolicy(rng)
		p.PlanRate = "0"
		s, open, err := Open(c, p)
		if err != nil || s.Status != StatusOpen || open.Offer == nil || open.Offer.Kind != KindPlan {
			continue
		}
		o := *open.Offer
		var counters []Counter
		if o.Installments > 1 {
			f := 1.05 + rng.Float64()*2
			a := int64(float64(o.Installment)*f) + 1
			counters = append(counters, Counter{InstallmentAmount: &a})
		}
		if d := o.Start.DaysSince(c.AsOf); d > 1 {
			counters = append(counters, Counter{Start: c.AsOf.AddDays(1 + rng.IntN(d-1))})
		}
		whole := c.Balance
		counters = append(counters, Counter{LumpSum: &whole, Start: o.Start})
		for _, k := range counters {
			_, r, err := Respond(s, k)
			if err != nil {
				t.Fatalf("case %d %s: %v", i, describeCounter(&k), err)
			}
			checked++
			ok := r.Decision == DecisionAccept && r.Offer != nil && paysNoLater(r.Offer.Schedule, o.Schedule)
			if !ok {
				refused++
				if len(first) < 5 {
					first = append(first, fmt.Sprintf("%s\n  opening %+v\n  counter %s → %s: %q", describeCase(c, p), o.Terms, describeCounter(&k), r.Decision, r.Explanation))
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d dominant counters checked", checked)
	}
	t.Logf("%d dominant counters checked", checked)
	if refused > 0 {
		t.Errorf("%d of %d dominant counter-offers refused; first ones:\n%s", refused, checked, joinLines(first))
	}
}

func joinLines(ls []string) string {
	out := ""
	for _, l := range ls {
		out += l + "\n"
	}
	return out
}

// The findings, on three customers: one with a year of payment
// history (6,072.00 a month), one with a budget, one unknown. Paying
// twice the engine's installment (finishing in half the time) and a
// settlement of 92% of the balance (within the default 20% discount
// limit) were refused; both are accepted now, the first because it pays
// more, sooner, than our offer, the second because cash now (or, if it is
// not paid, the negotiation resuming) is worth more than our floor.
func TestRespond_FasterAndSettlementAccepted(t *testing.T) {
	asOf := civil.New(2026, 6, 1)
	for _, c := range []Case{
		{CustomerID: "history", Currency: "USD", AsOf: asOf, Balance: 1_737_600, Affordable: 607_200, AffordableSource: "history", RiskBand: "C", Kind: "business"},
		{CustomerID: "budget", Currency: "USD", AsOf: asOf, Balance: 331_982, Affordable: 39_375, Available: 52_500, AffordableSource: "budget", RiskBand: "C", Kind: "consumer"},
		{CustomerID: "unknown", Currency: "USD", AsOf: asOf, Balance: 1_585_000, RiskBand: "B", Kind: "business"},
	} {
		t.Run(c.CustomerID, func(t *testing.T) {
			s, open := mustOpen(t, c, DefaultPolicy(""))
			o := open.Offer
			twice := 2 * o.Installment
			_, r := mustRespond(t, s, Counter{InstallmentAmount: &twice})
			if r.Decision != DecisionAccept || r.Evaluation.Basis == "" {
				t.Errorf("twice our installment (%d × %d → %d): %s %q", o.Installments, o.Installment, twice, r.Decision, r.Explanation)
			}
			cash := c.Balance * 92 / 100
			_, r = mustRespond(t, s, Counter{LumpSum: &cash})
			if r.Decision != DecisionAccept {
				t.Errorf("92%% cash (%d of %d): %s %q", cash, c.Balance, r.Decision, r.Explanation)
			}
		})
	}
}

// Every opening plan the customer could pay faster carries "pay a little
// more, finish sooner" (issue 17: it belongs in every offer): over random
// cases, an opening of more than one installment, where paying the
// smallest extra step (10 major units) still fits the budget's surplus,
// has at least one such alternative (when one of the steps it tries,
// 10 to 1,000 major units more, ends the plan sooner). Plans without interest: with it, a
// larger installment pays less interest in all, so it does not pay "at
// least as much" and is offered only when the model values it. Settlement alternatives are counted
// for the note, not required (a settlement worth the floor may not exist).
func TestOpen_FinishSoonerAlways(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 2026))
	eligible, withSooner, discount, withSettle := 0, 0, 0, 0
	for i := 0; i < 3000; i++ {
		c, p := randomCase(rng), randomPolicy(rng)
		p.PlanRate = "0"
		s, open, err := Open(c, p)
		if err != nil || s.Status != StatusOpen || open.Offer == nil || open.Offer.Kind != KindPlan {
			continue
		}
		o := open.Offer
		hasSooner, hasSettle := false, false
		for _, a := range open.Alternatives {
			hasSooner = hasSooner || (a.Offer.Kind == KindPlan && a.Offer.Frequency == o.Frequency && paysNoLater(a.Offer.Schedule, o.Schedule) && a.Offer.Installments < o.Installments)
			hasSettle = hasSettle || a.Offer.Kind == KindLump
		}
		if p.MaxSettlementDiscount != "0" {
			discount++
			if hasSettle {
				withSettle++
			}
		}
		// Eligible: some step of the list (10 … 1,000 major units) ends the
		// plan at least one installment sooner and still fits the surplus.
		fits := false
		for _, major := range []int64{10, 15, 25, 50, 100, 250, 500, 1000} {
			a := o.Installment + major*c.Currency.Unit()
			left := c.Balance - o.DownPayment
			if n := (left + a - 1) / a; n < int64(o.Installments) && n > 1 &&
				(c.Available == 0 || float64(a)*perMonth(o.Frequency) <= float64(c.Available)) {
				fits = true
				break
			}
		}
		if o.Installments < 2 || !fits {
			continue
		}
		eligible++
		if hasSooner {
			withSooner++
		} else if eligible-withSooner <= 3 {
			t.Errorf("no finish-sooner alternative: %s\n  opening %+v, alternatives %d", describeCase(c, p), o.Terms, len(open.Alternatives))
		}
	}
	t.Logf("openings with a finish-sooner alternative: %d of %d eligible; with a settlement alternative: %d of %d whose policy allows a discount", withSooner, eligible, withSettle, discount)
	if eligible < 300 {
		t.Errorf("only %d eligible openings", eligible)
	}
}

// A lump sum we cannot take as a settlement is answered with the cash as
// a down payment and the rest in installments the customer can afford.
// Hand-worked: 5,000.00 owed, 600.00 a month affordable, 3,000.00 offered
// at once (a 40% discount, the policy allows 20%): the rest, 2,000.00, in
// the shortest monthly plan within 600.00 — 4 × 500.00 (3 × 666.67 is
// above it), due dates on business days (13 December 2026 and 13 February
// and March 2027 are weekend days: the 14th, the 15th, the 15th).
// Accepting that alternative makes it the agreed plan.
func TestRespond_LumpWeCannotTakeBecomesDownPayment(t *testing.T) {
	c := Case{CustomerID: "down-rest", Currency: "USD", AsOf: civil.New(2026, 12, 6), Balance: 500_000, Affordable: 60_000, Available: 80_000, AffordableSource: "budget", RiskBand: "C"}
	s, _ := mustOpen(t, c, DefaultPolicy(""))
	lump := int64(300_000)
	ns, r := mustRespond(t, s, Counter{LumpSum: &lump})
	if r.Decision == DecisionAccept {
		t.Fatalf("a 40%% discount was accepted: %q", r.Explanation)
	}
	if len(r.Alternatives) == 0 || r.Alternatives[0].Say.Kind != LabelDownAndRest {
		t.Fatalf("alternatives %+v, want the down payment and the rest first", r.Alternatives)
	}
	a := r.Alternatives[0]
	want := Terms{Kind: KindPlan, Frequency: plan.Monthly, Start: civil.New(2026, 12, 13), DownPayment: 300_000, Installments: 4, Installment: 50_000}
	if a.Offer.Terms != want {
		t.Errorf("alternative %+v, want %+v", a.Offer.Terms, want)
	}
	if wantLabel := "Pay 3,000.00 USD by 14 December 2026, then the rest in 4 monthly payments of 500.00 USD"; a.Label != wantLabel {
		t.Errorf("label %q, want %q", a.Label, wantLabel)
	}
	var got []string
	for _, in := range a.Offer.Schedule.Installments {
		got = append(got, in.DueDate.String()+" "+in.Amount.String())
	}
	if w := "2026-12-14 3000.00, 2027-01-13 500.00, 2027-02-15 500.00, 2027-03-15 500.00, 2027-04-13 500.00"; strings.Join(got, ", ") != w {
		t.Errorf("schedule %s, want %s", strings.Join(got, ", "), w)
	}
	as, o, err := Accept(ns, c.AsOf.AddDays(1), 1)
	if err != nil || as.Status != StatusAccepted || o.Terms != want {
		t.Errorf("Accept(1) = %+v, %v, %v", o.Terms, as.Status, err)
	}
}

// Offers roll due dates to business days, as quotes do (issue 17, item
// 4): an opening a week from Friday 18 December 2026 is due on Christmas
// Day; in GB, Christmas (Friday 25) and Boxing Day (Saturday 26, observed
// on Monday 28) are holidays, so it is due on Tuesday 29 December. Without
// a country's calendar only weekends move: Friday 25 December stays.
func TestOpen_DueDatesOnBusinessDays(t *testing.T) {
	for _, tc := range []struct{ country, want string }{{"GB", "2026-12-29"}, {"gb", "2026-12-29"}, {"", "2026-12-25"}, {"ZZ", "2026-12-25"}} {
		c := Case{CustomerID: "roll", Currency: "GBP", AsOf: civil.New(2026, 12, 18), Balance: 120_000, Affordable: 40_000, Available: 50_000,
			AffordableSource: "budget", RiskBand: "B", Country: tc.country}
		_, r := mustOpen(t, c, DefaultPolicy(""))
		if got := r.Offer.Schedule.Installments[0].DueDate.String(); got != tc.want {
			t.Errorf("country %q: first due date %s, want %s", tc.country, got, tc.want)
		}
		if !strings.Contains(r.Explanation, map[string]string{"2026-12-29": "29 December 2026", "2026-12-25": "25 December 2026"}[tc.want]) {
			t.Errorf("country %q: explanation %q does not give the due date", tc.country, r.Explanation)
		}
	}
}

// An offer carries one settlement alternative at most: two lump sums a few
// units apart ("save 31.48", "save 35.41") read as haggling, not as a
// choice. Over random cases, openings and answers to counter-offers.
func TestAlternatives_OneSettlementAtMost(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 2026))
	seen := 0
	for i := 0; i < 600; i++ {
		c, p := randomCase(rng), randomPolicy(rng)
		crng := rand.New(rand.NewPCG(uint64(i), 41))
		tr := play(t, c, p, nil, func(s Session) (Counter, string) { return randomCounter(crng, s) }, false)
		for k, st := range tr.Steps {
			lumps := 0
			for _, a := range st.Resp.Alternatives {
				if a.Offer.Kind == KindLump {
					lumps++
				}
			}
			if lumps > 0 {
				seen++
			}
			if lumps > 1 {
				t.Fatalf("case %d step %d: %d settlement alternatives: %+v", i, k, lumps, st.Resp.Alternatives)
			}
		}
	}
	if seen < 100 {
		t.Fatalf("only %d responses with a settlement alternative", seen)
	}
}

// The alternatives we give with an answer are offers the customer may
// take at once, so offers we would accept: a counter that pays at least
// as much, no later, than one of them is agreed, not answered with it.
// Found by the engine properties on a random case: 415,581 JPY owed,
// 202,133 a month affordable; the customer proposes 156,384 down on 28
// July and the rest in 9 fortnightly payments. Our answer would have
// carried an alternative that this counter pays no later than; it is
// agreed (basis dominates_alternative), and worth at least the next
// round's target.
func TestRespond_CounterBeatingAnAlternativeIsAgreed(t *testing.T) {
	c := Case{CustomerID: "cust-532466", Currency: "JPY", AsOf: civil.New(2026, 7, 11), Balance: 415581, Fees: 4323, Affordable: 202133, Available: 227914,
		AffordableSource: "budget", RiskBand: "C"}
	p := Policy{Segment: "random", CostOfCapital: "0.20", MinRecovery: "0.41", MaxTermMonths: 6, MinInstallment: "5", DownPaymentShare: "0",
		MaxSettlementDiscount: "0.10", EarlyPaymentDiscount: "0", MayWaiveFees: true, PlanRate: "0.08", MaxRounds: 10,
		ConcessionExponent: "2.36", ConcessionStart: "0", MaxStartDays: 43, OfferValidDays: 17,
		NoDeal: NoDeal{Action: "agency", Recovery: "0.31", Cost: "0.38", DelayDays: 169}}
	s, _ := mustOpen(t, c, p)
	down := int64(156384)
	k := Counter{Currency: "JPY", Installments: 9, Frequency: plan.Biweekly, Start: civil.New(2026, 7, 28), DownPayment: &down, AsOf: civil.New(2026, 7, 28)}
	ns, r := mustRespond(t, s, k)
	if r.Decision != DecisionAccept || r.Evaluation.Basis != BasisDominatesAlternative || ns.Status != StatusAgreed {
		t.Fatalf("decision %s basis %q status %s, want accept on dominates_alternative: %q", r.Decision, r.Evaluation.Basis, ns.Status, r.Explanation)
	}
	if next := math.Max(s.Min, wantTarget(t, ns, 2)); *r.Evaluation.CounterValue < next {
		t.Errorf("agreed counter worth %v, below the next round's target %v", *r.Evaluation.CounterValue, next)
	}
}
